package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Doris's default cumulative policy, size_based. Rowsets at or after the cumulative point are
 * merged in groups of similar size ("levels", powers of two); an output at least as big as the
 * promotion size ({@link PromotionSize}) moves the cumulative point past itself, handing the
 * rowset to base compaction.
 *
 * <p>Input selection, in Doris's order: collect every candidate (stop at a delete version once
 * something is collected); if their total size reaches the promotion size take them all; drop
 * leading rowsets whose level exceeds the level of the rest; if that drops everything while the
 * score is at least the max score, fall back to the single rowset with the highest score (above
 * 1) so the tablet can never stall; clear the inputs when they are both smaller than
 * {@code compaction_min_size_mbytes} (64) and scored below the min score, or when one
 * non-overlapping rowset of at least that size is left; finally trim from the back while the score
 * exceeds the max score (keeping one rowset, and restoring the last trimmed one if a lone
 * non-overlapping rowset would be left).
 */
public final class SizeBasedCumulativePolicy extends CumulativeCompactionPolicy {

    public static final String NAME = TableNames.SIZE_BASED;
    static final SizeBasedCumulativePolicy INSTANCE = new SizeBasedCumulativePolicy();

    private SizeBasedCumulativePolicy() {
    }

    public static SizeBasedCumulativePolicy instance() {
        return INSTANCE;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected boolean singlePermit() {
        return false;
    }

    @Override
    public long initialCumulativePoint(TabletMeta tablet, PolicyContext ctx) {
        List<RowsetMeta> rs = tablet.rowsets();
        if (rs.isEmpty() || rs.get(0).startVersion() != 0) {
            return TabletMeta.INVALID_CUMULATIVE_POINT;
        }
        long promotion = PromotionSize.of(rs.get(0), ctx.config());
        long cp = TabletMeta.INVALID_CUMULATIVE_POINT;
        long prevEnd = -1;
        for (RowsetMeta r : rs) {
            if (r.startVersion() > prevEnd + 1) {
                break;
            }
            boolean delete = ctx.hasDeletePredicate(r);
            if (!delete && r.isSegmentsOverlapping()) {
                return r.startVersion();
            }
            if (!delete && r.startVersion() != 0 && r.totalBytes() < promotion) {
                return r.startVersion();
            }
            prevEnd = r.endVersion();
            cp = prevEnd + 1;
        }
        return cp;
    }

    @Override
    public long cumulativeScore(TabletMeta tablet, PolicyContext ctx) {
        List<RowsetMeta> rs = tablet.rowsets();
        if (rs.isEmpty() || !Rowsets.hasBaseRowset(rs)) {
            return 0;
        }
        long cp = effectiveCumulativePoint(tablet, ctx);
        List<RowsetMeta> part = new ArrayList<>();
        for (RowsetMeta r : rs) {
            if (r.endVersion() >= cp) {
                part.add(r);
            }
        }
        long score = Rowsets.score(part);
        long total = Rowsets.bytes(part);
        long promotion = PromotionSize.of(rs.get(0), ctx.config());
        if (total >= promotion) {
            return score;
        }
        for (RowsetMeta r : part) {
            if (PromotionSize.level(r.totalBytes(), promotion) <= PromotionSize.level(total - r.totalBytes(), promotion)) {
                return score;
            }
            total -= r.totalBytes();
            score -= r.compactionScore();
        }
        return score;
    }

    @Override
    public Selection selectInputs(TabletMeta tablet, List<RowsetMeta> candidates, long maxScore, long minScore,
                                  PolicyContext ctx) {
        CompactionConfig cfg = ctx.config();
        long promotion = PromotionSize.of(tablet.rowsets(), cfg);
        List<RowsetMeta> inputs = new ArrayList<>();
        Version lastDelete = null;
        for (RowsetMeta r : candidates) {
            if (ctx.hasDeletePredicate(r)) {
                lastDelete = r.version();
                if (!inputs.isEmpty()) {
                    break;
                }
                continue;
            }
            inputs.add(r);
        }
        long total = Rowsets.bytes(inputs);
        if (total >= promotion) {
            return trimmed(inputs, maxScore, lastDelete, "total size " + Rowsets.size(total)
                    + " reaches promotion size " + Rowsets.size(promotion) + ": output will be promoted");
        }
        if (lastDelete != null) {
            if (inputs.size() == 1 && !inputs.get(0).isSegmentsOverlapping()) {
                return Selection.none("only " + inputs.get(0).version()
                        + " (non-overlapping) precedes delete version " + lastDelete, lastDelete);
            }
            return trimmed(inputs, maxScore, lastDelete, "compacting the rowsets before delete version " + lastDelete);
        }
        long score = Rowsets.score(inputs);
        int firstKept = 0;
        long keptTotal = total;
        long keptScore = score;
        while (firstKept < inputs.size()) {
            RowsetMeta r = inputs.get(firstKept);
            if (PromotionSize.level(r.totalBytes(), promotion)
                    <= PromotionSize.level(keptTotal - r.totalBytes(), promotion)) {
                break;
            }
            keptTotal -= r.totalBytes();
            keptScore -= r.compactionScore();
            firstKept++;
        }
        if (firstKept == inputs.size() && score >= maxScore) {
            RowsetMeta best = null;
            for (RowsetMeta r : inputs) {
                if (r.compactionScore() > (best == null ? 1 : best.compactionScore())) {
                    best = r;
                }
            }
            if (best != null) {
                return new Selection(List.of(best), null, "no rowset's level fits the rest and score " + score
                        + " >= max score " + maxScore + ": compacting " + best.version()
                        + " alone, the rowset with the highest score " + best.compactionScore(), false, 0);
            }
            return trimmed(inputs, maxScore, null, "no rowset's level fits the rest, score " + score
                    + " >= max score " + maxScore + " and none overlaps: compacting them all");
        }
        List<RowsetMeta> kept = new ArrayList<>(inputs.subList(firstKept, inputs.size()));
        if (kept.isEmpty()) {
            return Selection.none("every candidate is at a larger level than the rest", null);
        }
        String trimmedNote = firstKept == 0 ? "" : " after dropping " + firstKept + " larger leading rowset(s)";
        if (keptTotal < cfg.compactionMinSizeBytes() && keptScore < minScore) {
            return Selection.none(kept.size() + " rowset(s)" + trimmedNote + " total " + Rowsets.size(keptTotal)
                    + " < compaction_min_size_mbytes and score " + keptScore + " < min score " + minScore, null);
        }
        if (keptTotal >= cfg.compactionMinSizeBytes() && kept.size() == 1 && !kept.get(0).isSegmentsOverlapping()) {
            return Selection.none("only " + kept.get(0).version() + trimmedNote
                    + " is left and it does not overlap", null);
        }
        return trimmed(kept, maxScore, null, kept.size() + " rowset(s) of similar level" + trimmedNote + ", score "
                + keptScore + ", total " + Rowsets.size(keptTotal));
    }

    /** Doris's DEFER: trim from the back while the score exceeds max, never leaving a lone flat rowset. */
    private static Selection trimmed(List<RowsetMeta> inputs, long maxScore, Version lastDelete, String reason) {
        List<RowsetMeta> out = new ArrayList<>(inputs);
        long score = Rowsets.score(out);
        RowsetMeta lastPopped = null;
        while (out.size() > 1 && score > maxScore) {
            lastPopped = out.remove(out.size() - 1);
            score -= lastPopped.compactionScore();
        }
        if (out.size() == 1 && lastPopped != null && !out.get(0).isSegmentsOverlapping()) {
            out.add(lastPopped);
            score += lastPopped.compactionScore();
        }
        if (out.size() < inputs.size()) {
            reason += "; trimmed to " + out.size() + " rowset(s), score " + score + ", for max score " + maxScore;
        }
        return new Selection(out, lastDelete, reason, false, 0);
    }

    @Override
    protected long nextCumulativePoint(TabletMeta before, CompactionPick pick, RowsetMeta output, long current,
                                       PolicyContext ctx) {
        long past = output.endVersion() + 1;
        if (pick.type() == CompactionType.FULL || pick.metDeleteVersion() != null) {
            return past;
        }
        if (output.totalBytes() >= PromotionSize.of(before.rowsets(), ctx.config())) {
            return past;
        }
        if (ctx.mergeOnWrite()
                && output.endVersion() - output.startVersion() > ctx.config().compactionPromotionVersionCount()) {
            return past;
        }
        return current;
    }
}
