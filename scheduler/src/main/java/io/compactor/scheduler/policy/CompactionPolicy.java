package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TabletMeta;

/**
 * A pure compaction policy: from a tablet snapshot and a context to a pick or a refusal. It never
 * changes the tablet, does no IO and reads time only from {@link PolicyContext#clock()}; the caller
 * runs the pick, stores {@link PickResult#cumulativePoint()} and records the outcome.
 */
public interface CompactionPolicy {

    /** The kind of compaction this policy picks for. */
    CompactionType type();

    /** The policy's name as shown in status ("size_based", "time_series", "base", "full"). */
    String name();

    /** Chooses what to compact now, or says why nothing. */
    PickResult pick(TabletMeta tablet, PolicyContext ctx);

    /**
     * The policy for a kind and a table: cumulative follows the table's {@code compaction_policy}
     * (size_based for anything unknown, as Doris's factory does).
     */
    static CompactionPolicy of(CompactionType type, PolicyContext ctx) {
        return switch (type) {
            case CUMULATIVE -> CumulativeCompactionPolicy.forTable(ctx.tableProperties());
            case BASE -> BasePolicy.INSTANCE;
            case FULL -> FullPolicy.INSTANCE;
        };
    }
}
