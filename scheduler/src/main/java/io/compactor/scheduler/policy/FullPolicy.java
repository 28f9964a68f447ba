package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Doris's full compaction ({@code FullCompaction::pick_rowsets_to_compact}): every rowset of the
 * tablet into one. The compactable rowsets must run without a hole from version 0 to the tablet's
 * max version, else E-2009 (FULL_MISS_VERSION); one rowset, or {@code [0-1]} plus one, is E-2008
 * "There is no suitable version". Doris reports a hole as INTERNAL_ERROR "versions are not
 * continuity"; as our reference specifies, a hole is E-2009 here too, with that text in the message.
 */
public final class FullPolicy implements CompactionPolicy {

    public static final String NAME = TableNames.FULL;
    static final FullPolicy INSTANCE = new FullPolicy();

    private FullPolicy() {
    }

    public static FullPolicy instance() {
        return INSTANCE;
    }

    @Override
    public CompactionType type() {
        return CompactionType.FULL;
    }

    @Override
    public String name() {
        return NAME;
    }

    static final String MISS_VERSION = "Full compaction rowsets' versions not equal to all exist rowsets' versions. ";

    @Override
    public PickResult pick(TabletMeta tablet, PolicyContext ctx) {
        long cp = CumulativeCompactionPolicy.forTable(ctx.tableProperties()).effectiveCumulativePoint(tablet, ctx);
        List<RowsetMeta> inputs = new ArrayList<>();
        for (RowsetMeta r : tablet.rowsets()) {
            if (ctx.isCompactable(r)) {
                inputs.add(r);
            }
        }
        if (inputs.isEmpty()) {
            return refuse(tablet, StatusCode.FULL_MISS_VERSION, "There is no input rowset when do full compaction",
                    tablet.rowsets().isEmpty() ? "the tablet has no rowsets" : "no rowset is visible yet", cp);
        }
        String gap = ConsecutiveVersions.firstGap(inputs);
        if (gap != null) {
            return refuse(tablet, StatusCode.FULL_MISS_VERSION, MISS_VERSION + gap,
                    "the tablet has a version hole; it needs a repair (clone) first", cp);
        }
        RowsetMeta first = inputs.get(0);
        RowsetMeta last = inputs.get(inputs.size() - 1);
        Version max = tablet.rowsets().get(tablet.rowsets().size() - 1).version();
        if (!last.version().equals(max) || first.startVersion() != 0) {
            return refuse(tablet, StatusCode.FULL_MISS_VERSION, MISS_VERSION
                    + "full compaction rowsets max version=" + last.startVersion() + "-" + last.endVersion()
                    + ", current rowsets max version=" + max.start() + "-" + max.end()
                    + ", full compaction rowsets min version=" + first.startVersion() + "-" + first.endVersion()
                    + ", current rowsets min version=0-1",
                    last.version().equals(max) ? "the tablet has no base rowset starting at version 0"
                            : "versions after " + last.version() + " are not visible yet", cp);
        }
        if (inputs.size() <= 1) {
            return refuse(tablet, StatusCode.FULL_NO_SUITABLE_VERSION, "There is no suitable version",
                    "the tablet has a single rowset " + first.version(), cp);
        }
        if (inputs.size() == 2 && first.endVersion() == 1) {
            return refuse(tablet, StatusCode.FULL_NO_SUITABLE_VERSION, "There is no suitable version",
                    "the tablet is [0-1] plus " + last.version() + " only", cp);
        }
        int level = TimeSeriesCumulativePolicy.outputLevel(inputs, ctx.tableProperties());
        return CompactionPick.of(type(), NAME, tablet.tabletId(), inputs, false, "all " + inputs.size()
                + " rowsets " + Rowsets.span(inputs) + ", score " + Rowsets.score(inputs), false, level, cp, null);
    }

    private Refusal refuse(TabletMeta tablet, StatusCode status, String message, String detail, long cp) {
        return new Refusal(type(), NAME, tablet.tabletId(), status, message, detail,
                Math.max(cp, tablet.cumulativePoint()), false);
    }
}
