package io.compactor.actors.compaction;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.api.SchedulerOverview;
import io.compactor.scheduler.explain.TabletExplain;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.storage.compaction.CompactionProgress;
import io.compactor.storage.util.Status;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages the {@link CompactionSupervisor} accepts and sends (its protocol, apart from its
 * behaviour): tablets report {@link TabletReport}s, the supervisor grants {@link Task}s, tablets
 * answer {@link TaskFinished} or {@link GiveBack}; operators {@link Submit}.
 */
public interface SupervisorProtocol {

    public interface Command {
    }

    /** What the supervisor asks a tablet to run (the tablet adapts these to its own messages). */
    public sealed interface Task permits RunCompaction, RunSingleReplica {
    }

    /**
     * A granted compaction: re-pick with the table's policy (the candidate {@code granted} may be
     * stale), merge, commit, and answer {@link TaskFinished}, or {@link GiveBack} when the pick now
     * needs more than {@code permits}.
     *
     * @param granted  the pick the grant was for, or null when the candidate was a refusal
     * @param progress the task's live progress (also in {@link RunningCompactions}): the merge counts
     *                 into it and a cancel marks it; the tablet commits only if
     *                 {@link CompactionProgress#beginCommit()} wins over a cancel
     */
    public record RunCompaction(long taskId, CompactionType type, String trigger, long score, long permits,
                                CompactionPick granted, ActorRef<Command> supervisor, CompactionProgress progress)
            implements Task {
    }

    /**
     * A granted single-replica compaction (the tablet is a follower): fetch the designated peer's
     * rowset that replaces local ones, verify and install it; answer {@link TaskFinished}.
     */
    public record RunSingleReplica(long taskId, String trigger, ActorRef<Command> supervisor) implements Task {
    }

    /**
     * A tablet's candidates; sent on every meta change. {@code singleReplica}: its table has
     * {@code enable_single_replica_compaction} (whether this replica is a follower is decided at
     * each offer and grant, since designation follows membership).
     *
     * @param tablet the tablet actor, watched so that its tasks' slots come back when it dies
     * @param tasks  where grants go
     */
    public record TabletReport(long tabletId, String dataDir, ActorRef<?> tablet, ActorRef<Task> tasks,
                               CompactionCandidate cumulative, CompactionCandidate base, CompactionCandidate full,
                               boolean autoCompaction, boolean singleReplica, Table table, boolean nearVersionLimit)
            implements Command {
        /** A report of a tablet that is not past the soft version threshold. */
        public TabletReport(long tabletId, String dataDir, ActorRef<?> tablet, ActorRef<Task> tasks,
                            CompactionCandidate cumulative, CompactionCandidate base, CompactionCandidate full,
                            boolean autoCompaction, boolean singleReplica, Table table) {
            this(tabletId, dataDir, tablet, tasks, cumulative, base, full, autoCompaction, singleReplica, table, false);
        }

        public CompactionCandidate candidate(CompactionType type) {
            return switch (type) {
                case CUMULATIVE -> cumulative;
                case BASE -> base;
                case FULL -> full;
            };
        }
    }

    /**
     * What a tablet report says of its table and of its size, for fair shares and the watchdog.
     *
     * @param weight the table's {@code compaction_priority} weight
     * @param cap    the table's {@code compaction_concurrency_limit}, 0 = none
     */
    public record Table(long tableId, int weight, int cap, int versionCount, long totalScore) {
    }

    /**
     * Cancels the queued (not yet granted) compactions of the tablets, of {@code type} or of every
     * kind when it is null; answers what it removed. Running ones are cancelled through their
     * {@link CompactionProgress} in {@link RunningCompactions}, which the supervisor registers
     * before it answers any later message, so a cancel that asks here first and then looks there
     * misses nothing.
     */
    public record CancelQueued(java.util.Set<Long> tabletIds, CompactionType type, String by,
                               ActorRef<List<CandidateQueue.Request>> replyTo) implements Command {
    }

    /** Answers why the tablet is or is not compacting now. */
    public record Explain(long tabletId, ActorRef<TabletExplain> replyTo) implements Command {
    }

    /** Answers the node's queues, limits and stuck tablets. */
    public record GetOverview(ActorRef<SchedulerOverview> replyTo) implements Command {
    }

    /**
     * A manual single-replica compaction ({@code /api/compaction/run?...&remote=true}) of a
     * follower tablet: same queue and limits as automatic ones, ahead of them. Answers as
     * {@link Submit}.
     */
    public record SubmitSingleReplica(long tabletId, String trigger, boolean waitForResult, ActorRef<Status> replyTo)
            implements Command {
    }

    /**
     * A manual (or load-forced) request. Answers at once with ALREADY_EXIST or NOT_FOUND; otherwise
     * with OK on acceptance if {@code waitForResult} is false, else with the task's status when it ends.
     */
    public record Submit(long tabletId, CompactionType type, String trigger, boolean waitForResult,
                         ActorRef<Status> replyTo) implements Command {
    }

    /** The tablet's answer to a grant: the task ended with {@code status}. */
    public record TaskFinished(long taskId, Status status, boolean noSuitableVersion) implements Command {
    }

    /**
     * The tablet's answer to a grant whose pick changed and now needs more permits than granted:
     * the slot and permits come back and the request waits again with the tablet's new candidate
     * (reported just before).
     */
    public record GiveBack(long taskId) implements Command {
    }

    /** Answers queued and running tasks: kind -> data dir -> tablet ids. */
    public record GetRegistry(ActorRef<Registry> replyTo) implements Command {
    }

    public record Registry(Map<CompactionType, Map<String, List<Long>>> tasks) {
    }

    /** Answers the failure/quarantine state of a tablet. */
    public record GetFailures(long tabletId, ActorRef<List<FailureTracker.FailureState>> replyTo) implements Command {
    }

    /**
     * A tablet actor restarted after a failure: its in-memory compaction state is gone, so the
     * slots and permits of its tasks come back now (a merge result that still arrives later is
     * committed or discarded by the new incarnation and its answer ignored).
     */
    public record TabletRestarted(long tabletId) implements Command {
    }

    /** Configuration changed at runtime: re-read limits. */
    public enum ConfigChanged implements Command { INSTANCE }

    /**
     * The designated replica of a single-replica tablet committed a compaction: a follower that
     * waits out an "only early" or "no match" skip may fetch soon (a failure back-off still holds).
     */
    public record PeerCompacted(long tabletId) implements Command {
    }
}
