package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TabletMeta;

/**
 * Compaction scores (Doris §2.3). A rowset scores its segment count if its segments overlap, else
 * 1 (empty rowsets included). A tablet scores the sum over its rowsets
 * ({@link TabletMeta#compactionScore()}, what /api/compaction_score shows). Per kind, the score
 * that decides whether a tablet is worth picking: the cumulative policy's score, the base score,
 * and for full compaction the tablet score.
 */
public final class CompactionScores {
    private CompactionScores() {
    }

    /** The score that ranks a tablet for a kind of compaction; 0 means not suitable. */
    public static long score(CompactionType type, TabletMeta tablet, PolicyContext ctx) {
        return switch (type) {
            case CUMULATIVE -> CumulativeCompactionPolicy.forTable(ctx.tableProperties()).cumulativeScore(tablet, ctx);
            case BASE -> BasePolicy.baseScore(tablet, ctx);
            case FULL -> tablet.compactionScore();
        };
    }
}
