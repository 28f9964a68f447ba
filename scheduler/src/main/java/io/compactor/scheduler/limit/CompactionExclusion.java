package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.util.Optional;
import java.util.Set;

/**
 * Which compactions of one tablet may run together: Doris's per-tablet try-locks. Base and
 * cumulative exclude themselves (they work on disjoint rowsets, so one of each may run); full
 * excludes both; a single-replica fetch replaces rowsets of any range, so it runs alone. The
 * supervisor asks before it grants; the tablet asks again when the grant arrives and answers the
 * refusal Doris answers (E-216).
 */
public final class CompactionExclusion {
    private CompactionExclusion() {
    }

    /**
     * Whether a compaction of {@code type} may start on a tablet that runs {@code running} kinds
     * and, if {@code fetching}, a single-replica fetch.
     */
    public static boolean allows(CompactionType type, Set<CompactionType> running, boolean fetching) {
        if (fetching || running.contains(CompactionType.FULL)) {
            return false;
        }
        return switch (type) {
            case CUMULATIVE -> !running.contains(CompactionType.CUMULATIVE);
            case BASE -> !running.contains(CompactionType.BASE);
            case FULL -> running.isEmpty();
        };
    }

    /** Whether a single-replica fetch may start: only on a tablet that runs no compaction at all. */
    public static boolean allowsFetch(Set<CompactionType> running, boolean fetching) {
        return running.isEmpty() && !fetching;
    }

    /** Doris's try-lock refusal of {@code type} on this tablet, or empty when it may start. */
    public static Optional<Status> refusal(long tabletId, CompactionType type, Set<CompactionType> running,
                                           boolean fetching) {
        if (allows(type, running, fetching)) {
            return Optional.empty();
        }
        return Optional.of(new Status(StatusCode.TRY_LOCK_FAILED, switch (type) {
            case CUMULATIVE -> "The tablet is under cumulative compaction. tablet=" + tabletId;
            case BASE -> "another base compaction is running. tablet=" + tabletId;
            case FULL -> "The tablet is under compaction, full compaction can not run now. tablet=" + tabletId;
        }));
    }

    /** The refusal of a single-replica fetch on this tablet, or empty when it may start. */
    public static Optional<Status> fetchRefusal(long tabletId, Set<CompactionType> running, boolean fetching) {
        return allowsFetch(running, fetching) ? Optional.empty()
                : Optional.of(new Status(StatusCode.TRY_LOCK_FAILED, "The tablet is under compaction. tablet=" + tabletId));
    }
}
