package io.compactor.api;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.explain.TabletExplain;
import io.compactor.storage.compaction.CompactionProgress;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.storage.util.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * Compaction of this node's replicas, as Doris's {@code /api/compaction/*} offers it. Manual
 * requests go through the same limits as automatic ones, ahead of them.
 */
public interface Compaction {
    /** Time a manual trigger waits for its task before answering success (Doris: 2 s). */
    Duration MANUAL_WAIT = Duration.ofSeconds(2);

    /**
     * Requests a compaction of one tablet. Completes with the task's status if it ended within
     * {@link #MANUAL_WAIT}, else with OK (it keeps running), or at once with ALREADY_EXIST / NOT_FOUND.
     */
    CompletionStage<Status> run(long tabletId, CompactionType type, String trigger);

    /** Submits without waiting: completes at once with OK, ALREADY_EXIST or NOT_FOUND (Doris's table_id path). */
    CompletionStage<Status> submit(long tabletId, CompactionType type, String trigger);

    /** Submits and completes only when the task ended (for tests and scripts). */
    CompletionStage<Status> runAndWait(long tabletId, CompactionType type, Duration timeout);

    /**
     * A manual single-replica compaction ({@code remote=true}): completes like {@link #run}; a tablet
     * that is not a follower answers NOT_IMPLEMENTED_ERROR "tablet should do compaction locally".
     */
    CompletionStage<Status> runSingleReplica(long tabletId, String trigger);

    /** The tablet's compaction state for show and run_status. */
    CompletionStage<TabletCompactionStatus> status(long tabletId);

    /** Queued and running compactions. */
    CompletionStage<CompactionRegistry> registry();

    /** Failure back-off and quarantine state of a tablet's compactions. */
    CompletionStage<List<FailureTracker.FailureState>> failures(long tabletId);

    /** Finished tasks' profiles, newest first, at most {@code limit} (0: all kept) matching {@code filter}. */
    List<CompactionProfile> profiles(Predicate<CompactionProfile> filter, int limit);

    /** Every local tablet's figures (versions, scores), as published after each change. */
    TabletStatsView stats();

    /**
     * Cancels the tablet's queued and running compactions of {@code type} (of every kind when null).
     * A queued request leaves the queue; a running one stops at its merge's next checkpoint (every
     * source batch, at most 4,096 rows), deletes its output files and gives back its slot and
     * permits; one whose commit already began is not cancelled (it finishes). Nothing visible
     * changes; each cancel is recorded in the profile (status CANCELLED, {@code by} and when). The
     * cancelled (tablet, kind) is not picked automatically again until its score changes (or a
     * minute has passed). Waits up
     * to {@link #MANUAL_WAIT} for running ones to stop. Fails with NOT_FOUND for a tablet this node
     * does not hold.
     *
     * @param by who cancels, for the profile (an operator, a program)
     */
    CompletionStage<CancelResult> cancel(long tabletId, CompactionType type, String by);

    /** {@link #cancel} for every tablet of the table on this node. */
    CompletionStage<CancelResult> cancelTable(long tableId, CompactionType type, String by);

    /** Every running compaction with its live progress, oldest grant first. */
    List<CompactionProgress.Snapshot> running();

    /** Why the tablet is or is not compacting now. Fails with NOT_FOUND for a tablet this node does not hold. */
    CompletionStage<TabletExplain> explain(long tabletId);

    /** The scheduler's queues, limits, fair shares and stuck tablets. */
    CompletionStage<SchedulerOverview> overview();

    /**
     * Removes now the tablet's stale rowsets whose time is up and that no reader holds (it also does
     * so every 10 s); ordered before any later request to the same tablet.
     */
    void sweepStaleRowsets(long tabletId);
}
