package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TabletMeta;

/**
 * What a tablet offers the scheduler for one kind of compaction, computed whenever its meta
 * changes (as Lucene's merge policy hands the scheduler a OneMerge): the kind's score, which ranks
 * the tablet, and the decision its policy takes now with the permits that decision holds while it
 * runs. The supervisor grants exactly those permits; the tablet re-picks when the grant arrives,
 * since time or a commit may have changed the answer. A refusal holds one permit for the moment
 * it takes to answer it.
 *
 * @param score    the kind's score (0: nothing to offer)
 * @param permits  permits to grant: the pick's ({@link CompactionPick#permits()}), at least 1
 * @param decision the pick or refusal of the moment, or null when the score is 0 or not computed
 */
public record CompactionCandidate(CompactionType type, long score, long permits, PickResult decision) {

    public CompactionCandidate {
        if (score < 0 || permits < 0) {
            throw new IllegalArgumentException("score and permits must be >= 0 (got " + score + ", " + permits + ")");
        }
    }

    /** Nothing to offer for this kind. */
    public static CompactionCandidate none(CompactionType type) {
        return new CompactionCandidate(type, 0, 0, null);
    }

    /**
     * A candidate known only by its score (its pick not computed): it holds permits equal to the
     * score, Doris's rule for every pick but a time_series cumulative one.
     */
    public static CompactionCandidate ofScore(CompactionType type, long score) {
        return score <= 0 ? none(type) : new CompactionCandidate(type, score, score, null);
    }

    /** The tablet's candidate for {@code type} now: its score and, if positive, its policy's decision. */
    public static CompactionCandidate of(CompactionType type, TabletMeta tablet, PolicyContext ctx) {
        long score = CompactionScores.score(type, tablet, ctx);
        if (score <= 0) {
            return none(type);
        }
        TabletMeta t = CumulativePoints.withPointForPicking(tablet, ctx);
        PickResult decision = CompactionPolicy.of(type, ctx).pick(t, ctx);
        long permits = decision instanceof CompactionPick p ? Math.max(1, p.permits()) : 1;
        return new CompactionCandidate(type, score, permits, decision);
    }

    /** The permits a grant of this candidate holds, at least 1 (a manual request with score 0 still runs). */
    public long grantPermits() {
        return Math.max(1, permits);
    }
}
