package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Cumulative compaction as Doris runs it ({@code CumulativeCompaction::pick_rowsets_to_compact}),
 * with the input selection, score and cumulative-point rules left to a subclass (size_based or
 * time_series).
 *
 * <p>Order of a pick: compute the cumulative point if the tablet has none; take the compactable
 * rowsets starting at or after it; keep the longest consecutive run; let the subclass select
 * inputs under max score {@code cumulative_compaction_max_deltas} (1000, or
 * max(1000 / {@code cumulative_compaction_max_deltas_factor}, min + 1) under memory pressure) and
 * min score {@code cumulative_compaction_min_deltas} (5). When nothing is selected: a delete
 * version moves the point past it (E-2010); a tablet whose cumulative and base compactions both
 * last succeeded more than {@code pick_rowset_to_compact_interval_sec} (86400) ago compacts every
 * candidate if one overlaps, else advances the point to the last candidate's start + 1; the result
 * is E-2000 "_input_rowsets is empty".
 */
public abstract class CumulativeCompactionPolicy implements CompactionPolicy {

    /** The policy named by a table's {@code compaction_policy}; size_based unless time_series. */
    public static CumulativeCompactionPolicy forTable(TableProperties props) {
        return props.isTimeSeries() ? TimeSeriesCumulativePolicy.INSTANCE : SizeBasedCumulativePolicy.INSTANCE;
    }

    @Override
    public final CompactionType type() {
        return CompactionType.CUMULATIVE;
    }

    /**
     * The cumulative point Doris computes once for a tablet without one (-1 when the tablet has no
     * rowsets or no base rowset starting at version 0).
     */
    public abstract long initialCumulativePoint(TabletMeta tablet, PolicyContext ctx);

    /** The cumulative compaction score; 0 means "not suitable for cumulative compaction". */
    public abstract long cumulativeScore(TabletMeta tablet, PolicyContext ctx);

    /** Doris {@code pick_input_rowsets}: selects inputs from consecutive candidates. */
    public abstract Selection selectInputs(TabletMeta tablet, List<RowsetMeta> candidates, long maxScore,
                                           long minScore, PolicyContext ctx);

    /** Whether a pick holds a single permit (time_series) instead of its score. */
    protected abstract boolean singlePermit();

    /** The point after a successful compaction, before monotonicity is applied. */
    protected abstract long nextCumulativePoint(TabletMeta before, CompactionPick pick, RowsetMeta output,
                                                long current, PolicyContext ctx);

    /** The tablet's cumulative point, or the initial one if it has none yet. */
    public long effectiveCumulativePoint(TabletMeta tablet, PolicyContext ctx) {
        long cp = tablet.cumulativePoint();
        return cp != TabletMeta.INVALID_CUMULATIVE_POINT ? cp : initialCumulativePoint(tablet, ctx);
    }

    /**
     * The cumulative point after {@code pick} succeeded with {@code output} (which must already
     * carry its compaction level). Never below the point before. Base compactions leave it alone;
     * full compactions move it past their output as Doris does.
     */
    public long updatedCumulativePoint(TabletMeta before, CompactionPick pick, RowsetMeta output, PolicyContext ctx) {
        long current = Math.max(before.cumulativePoint(), pick.cumulativePoint());
        if (pick.type() == CompactionType.BASE) {
            return current;
        }
        return Math.max(current, nextCumulativePoint(before, pick, output, current, ctx));
    }

    /** The compactable rowsets starting at or after {@code cp}, sorted by version. */
    public static List<RowsetMeta> candidates(TabletMeta tablet, long cp, PolicyContext ctx) {
        List<RowsetMeta> out = new ArrayList<>();
        for (RowsetMeta r : tablet.rowsets()) {
            if (r.startVersion() >= cp && ctx.isCompactable(r)) {
                out.add(r);
            }
        }
        return out;
    }

    /** The max score for one cumulative compaction, reduced under memory pressure. */
    public static long maxScore(PolicyContext ctx) {
        CompactionConfig c = ctx.config();
        long max = c.cumulativeCompactionMaxDeltas();
        if (ctx.memoryPressure()) {
            max = Math.max(max / c.cumulativeCompactionMaxDeltasFactor(), c.cumulativeCompactionMinDeltas() + 1L);
        }
        return max;
    }

    @Override
    public final PickResult pick(TabletMeta tablet, PolicyContext ctx) {
        long cp = effectiveCumulativePoint(tablet, ctx);
        if (cp == TabletMeta.INVALID_CUMULATIVE_POINT) {
            return refuse(tablet, StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, "candidate_rowsets is empty",
                    tablet.rowsets().isEmpty() ? "the tablet has no rowsets"
                            : "the tablet has no base rowset starting at version 0", tablet.cumulativePoint(), false);
        }
        List<RowsetMeta> all = candidates(tablet, cp, ctx);
        if (all.isEmpty()) {
            return refuse(tablet, StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, "candidate_rowsets is empty",
                    "no compactable rowset starts at or after cumulative point " + cp, cp, false);
        }
        ConsecutiveVersions.Run run = ConsecutiveVersions.longestRun(all);
        List<RowsetMeta> candidates = run.rowsets();
        String gapNote = run.missing().isEmpty() ? "" : "; versions missing between " + run.missing()
                + ", kept the longest consecutive run " + Rowsets.span(candidates);
        long max = maxScore(ctx);
        long min = ctx.config().cumulativeCompactionMinDeltas();
        Selection sel = selectInputs(tablet, candidates, max, min, ctx);
        if (!sel.inputs().isEmpty()) {
            return CompactionPick.of(type(), name(), tablet.tabletId(), sel.inputs(), singlePermit(),
                    sel.reason() + gapNote, sel.emptyRowsetMerge(), sel.outputLevel(), cp, sel.metDeleteVersion());
        }
        if (sel.metDeleteVersion() != null) {
            long next = Math.max(cp, sel.metDeleteVersion().start() + 1);
            return refuse(tablet, StatusCode.CUMULATIVE_MEET_DELETE_VERSION, "cumulative compaction meet delete version",
                    "cumulative point moves past delete version " + sel.metDeleteVersion() + " to " + next
                            + " for base compaction to apply it", next, false);
        }
        return nothingPicked(tablet, candidates, cp, sel.reason() + gapNote, ctx);
    }

    private PickResult nothingPicked(TabletMeta tablet, List<RowsetMeta> candidates, long cp, String why,
                                     PolicyContext ctx) {
        long now = ctx.nowMs();
        long lastCumu = ctx.lastCumulativeSuccessMs();
        long lastBase = ctx.lastBaseSuccessMs();
        if (lastCumu == 0 && lastBase == 0) {
            return refuse(tablet, StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, "_input_rowsets is empty", why, cp, true);
        }
        long threshold = ctx.config().pickRowsetToCompactIntervalSec() * 1000;
        if (now - lastCumu > threshold && now - lastBase > threshold) {
            for (RowsetMeta r : candidates) {
                if (r.isSegmentsOverlapping()) {
                    return CompactionPick.of(type(), name(), tablet.tabletId(), candidates, singlePermit(),
                            "no compaction succeeded for more than pick_rowset_to_compact_interval_sec="
                                    + ctx.config().pickRowsetToCompactIntervalSec() + "s and " + r.version()
                                    + " overlaps: compacting all " + candidates.size() + " candidates",
                            false, 0, cp, null);
                }
            }
            long next = Math.max(cp, candidates.get(candidates.size() - 1).startVersion() + 1);
            return refuse(tablet, StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, "_input_rowsets is empty",
                    why + "; no compaction succeeded for more than pick_rowset_to_compact_interval_sec="
                            + ctx.config().pickRowsetToCompactIntervalSec()
                            + "s and no candidate overlaps: cumulative point advanced to " + next, next, false);
        }
        return refuse(tablet, StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, "_input_rowsets is empty", why, cp, false);
    }

    private Refusal refuse(TabletMeta tablet, StatusCode status, String message, String detail, long cp,
                           boolean initTimes) {
        return new Refusal(type(), name(), tablet.tabletId(), status, message, detail,
                Math.max(cp, tablet.cumulativePoint()), initTimes);
    }
}
