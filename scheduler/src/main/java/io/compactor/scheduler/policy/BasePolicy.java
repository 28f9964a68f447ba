package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Doris's base compaction ({@code BaseCompaction::pick_rowsets_to_compact}): merges the rowsets
 * below the cumulative point, starting with the base rowset.
 *
 * <p>Inputs are the compactable rowsets starting before the cumulative point; they must be
 * continuous (else INTERNAL_ERROR "versions are not continuity"). Duplicate-key tables without
 * delete predicates drop leading rowsets of at least {@code base_compaction_dup_key_max_file_size_mbytes}
 * (1024). E-808 refuses fewer than two inputs, delete predicates that could not reach older data,
 * and {@code [0-1]} plus one rowset. Inputs are capped by score: accumulate until the sum exceeds
 * {@code base_compaction_max_compaction_score} (20; merge-on-write
 * {@code mow_base_compaction_max_compaction_score}, 200), the crossing rowset included. Then any of
 * three triggers must hold: more than {@code base_compaction_min_rowset_num} (5) inputs; the
 * non-base inputs' size over the base's above {@code base_compaction_min_data_ratio} (0.3); the
 * base older than {@code base_compaction_interval_seconds_since_last_operation} (86400 s).
 */
public final class BasePolicy implements CompactionPolicy {

    public static final String NAME = TableNames.BASE;
    static final BasePolicy INSTANCE = new BasePolicy();

    private BasePolicy() {
    }

    public static BasePolicy instance() {
        return INSTANCE;
    }

    @Override
    public CompactionType type() {
        return CompactionType.BASE;
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Doris {@code _calc_base_compaction_score}: the summed score of rowsets before the cumulative
     * point; 0 without a base rowset, and under time_series 0 unless some of them carries a delete
     * predicate.
     */
    public static long baseScore(TabletMeta tablet, PolicyContext ctx) {
        long cp = CumulativeCompactionPolicy.forTable(ctx.tableProperties()).effectiveCumulativePoint(tablet, ctx);
        long score = 0;
        boolean base = false;
        boolean delete = false;
        for (RowsetMeta r : tablet.rowsets()) {
            if (r.startVersion() == 0) {
                base = true;
            }
            if (r.startVersion() >= cp) {
                continue;
            }
            score += r.compactionScore();
            delete |= ctx.hasDeletePredicate(r);
        }
        if (!base) {
            return 0;
        }
        if (ctx.timeSeries()) {
            return delete ? score : 0;
        }
        return score;
    }

    @Override
    public PickResult pick(TabletMeta tablet, PolicyContext ctx) {
        CompactionConfig cfg = ctx.config();
        long cp = CumulativeCompactionPolicy.forTable(ctx.tableProperties()).effectiveCumulativePoint(tablet, ctx);
        List<RowsetMeta> inputs = new ArrayList<>();
        for (RowsetMeta r : tablet.rowsets()) {
            if (r.startVersion() <= cp - 1 && ctx.isCompactable(r)) {
                inputs.add(r);
            }
        }
        String gap = ConsecutiveVersions.firstGap(inputs);
        if (gap != null) {
            return refuse(tablet, StatusCode.INTERNAL_ERROR, gap, "rowsets before cumulative point " + cp
                    + " have a version hole; the tablet needs a repair (clone) first", cp);
        }
        boolean anyDelete = inputs.stream().anyMatch(ctx::hasDeletePredicate);
        int dropped = 0;
        if (ctx.keysType() == KeysType.DUPLICATE_KEYS && !anyDelete) {
            long maxSize = cfg.baseCompactionDupKeyMaxFileSizeBytes();
            while (!inputs.isEmpty() && inputs.get(0).totalBytes() >= maxSize) {
                inputs.remove(0);
                dropped++;
            }
        }
        String droppedNote = dropped == 0 ? "" : dropped + " leading rowset(s) of at least "
                + Rowsets.size(cfg.baseCompactionDupKeyMaxFileSizeBytes()) + " skipped (duplicate keys); ";
        if (inputs.size() <= 1) {
            return refuse(tablet, StatusCode.BE_NO_SUITABLE_VERSION, "_input_rowsets.size() is 1", droppedNote
                    + inputs.size() + " rowset(s) before cumulative point " + cp, cp);
        }
        if (inputs.get(0).startVersion() > 0 && anyDelete) {
            return refuse(tablet, StatusCode.BE_NO_SUITABLE_VERSION,
                    "Some rowsets cannot apply delete predicates in base compaction. tablet_id=" + tablet.tabletId(),
                    droppedNote + "inputs start at " + inputs.get(0).version(), cp);
        }
        if (inputs.size() == 2 && inputs.get(0).endVersion() == 1) {
            return refuse(tablet, StatusCode.BE_NO_SUITABLE_VERSION,
                    "the tablet is with rowset: [0-1], [2-y], and [0-1] has no data. in this situation, "
                            + "no need to do base compaction.", droppedNote + "inputs " + inputs.get(0).version()
                            + " and " + inputs.get(1).version(), cp);
        }
        long cap = ctx.mergeOnWrite() ? cfg.mowBaseCompactionMaxCompactionScore() : cfg.baseCompactionMaxCompactionScore();
        long score = 0;
        int count = 0;
        while (count < inputs.size()) {
            score += inputs.get(count++).compactionScore();
            if (score > cap) {
                break;
            }
        }
        String capNote = count < inputs.size() ? "; capped at " + count + " rowsets by max score " + cap : "";
        inputs = new ArrayList<>(inputs.subList(0, count));

        if (inputs.size() > cfg.baseCompactionMinRowsetNum()) {
            return pick(tablet, inputs, cp, droppedNote + "num_cumulative_rowsets=" + (inputs.size() - 1)
                    + ", inputs " + inputs.size() + " > base_compaction_min_rowset_num="
                    + cfg.baseCompactionMinRowsetNum() + capNote);
        }
        long baseSize = inputs.get(0).totalBytes();
        long cumulativeSize = Rowsets.bytes(inputs) - baseSize;
        double ratio = (double) cumulativeSize / (baseSize == 0 ? 1 : baseSize);
        if (ratio > cfg.baseCompactionMinDataRatio()) {
            return pick(tablet, inputs, cp, droppedNote + "cumulative_base_ratio=" + Rowsets.fmt(ratio)
                    + " > base_compaction_min_data_ratio=" + Rowsets.fmt(cfg.baseCompactionMinDataRatio())
                    + " (cumulative " + Rowsets.size(cumulativeSize) + ", base " + Rowsets.size(baseSize) + ")"
                    + capNote);
        }
        long intervalSec = (ctx.nowMs() - inputs.get(0).creationTimeMs()) / 1000;
        if (intervalSec > cfg.baseCompactionIntervalSecondsSinceLastOperation()) {
            return pick(tablet, inputs, cp, droppedNote + "interval_since_last_base_compaction=" + intervalSec
                    + "s > base_compaction_interval_seconds_since_last_operation="
                    + cfg.baseCompactionIntervalSecondsSinceLastOperation() + capNote);
        }
        return refuse(tablet, StatusCode.BE_NO_SUITABLE_VERSION, "don't satisfy the base compaction policy. tablet="
                + tablet.tabletId() + ", num_cumulative_rowsets=" + (inputs.size() - 1) + ", cumulative_base_ratio="
                + Rowsets.fmt(ratio) + ", interval_since_last_base_compaction=" + intervalSec,
                droppedNote + "none of the three base compaction triggers holds", cp);
    }

    private CompactionPick pick(TabletMeta tablet, List<RowsetMeta> inputs, long cp, String reason) {
        return CompactionPick.of(type(), NAME, tablet.tabletId(), inputs, false, reason, false, 0, cp, null);
    }

    private Refusal refuse(TabletMeta tablet, StatusCode status, String message, String detail, long cp) {
        return new Refusal(type(), NAME, tablet.tabletId(), status, message, detail,
                Math.max(cp, tablet.cumulativePoint()), false);
    }
}
