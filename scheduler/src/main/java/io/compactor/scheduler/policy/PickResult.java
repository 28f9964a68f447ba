package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;

/**
 * What a policy decided for one tablet: a {@link CompactionPick} or a {@link Refusal}. Both carry
 * the cumulative point the tablet should hold afterwards (a policy may compute the initial point
 * or advance it even when it refuses); the caller stores it when it differs from the tablet's.
 */
public sealed interface PickResult permits CompactionPick, Refusal {

    CompactionType type();

    /** "size_based", "time_series", "base" or "full". */
    String policy();

    long tabletId();

    /** The cumulative point the tablet should have after this decision; never below the tablet's. */
    long cumulativePoint();

    /** Human-readable explanation, for /api/compaction/show, the profile and the log. */
    String reason();

    default boolean isPick() {
        return this instanceof CompactionPick;
    }
}
