package io.compactor.actors.node;

import io.compactor.actors.compaction.CompactionSupervisor;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.api.Compaction;
import io.compactor.api.CompactionProfile;
import io.compactor.api.CompactionRegistry;
import io.compactor.api.TabletCompactionStatus;
import io.compactor.api.TabletStatsView;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;

/** {@link Compaction} of a node: requests to its compaction supervisor, state from its tablets. */
final class NodeCompaction implements Compaction {
    private final Node node;

    NodeCompaction(Node node) {
        this.node = node;
    }

    private CompletionStage<Status> askSupervisor(Function<ActorRef<Status>, CompactionSupervisor.Command> msg,
                                                  Duration timeout) {
        return AskPattern.ask(node.supervisor, msg, timeout, node.system.scheduler());
    }

    @Override
    public CompletionStage<Status> run(long tabletId, CompactionType type, String trigger) {
        if (node.view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(Status.tabletNotFound(tabletId));
        }
        // Past the wait the task keeps running and the answer is success, as Doris's is.
        return askSupervisor(r -> new CompactionSupervisor.Submit(tabletId, type, trigger, true, r), MANUAL_WAIT)
                .exceptionally(err -> Status.OK);
    }

    @Override
    public CompletionStage<Status> submit(long tabletId, CompactionType type, String trigger) {
        if (node.view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(Status.tabletNotFound(tabletId));
        }
        return askSupervisor(r -> new CompactionSupervisor.Submit(tabletId, type, trigger, false, r), Node.ASK_TIMEOUT);
    }

    @Override
    public CompletionStage<Status> runAndWait(long tabletId, CompactionType type, Duration timeout) {
        return askSupervisor(r -> new CompactionSupervisor.Submit(tabletId, type, "MANUAL", true, r), timeout);
    }

    @Override
    public CompletionStage<Status> runSingleReplica(long tabletId, String trigger) {
        if (node.view.get().tablet(tabletId) == null) {
            return CompletableFuture.completedFuture(Status.tabletNotFound(tabletId));
        }
        if (!node.membership().isSingleReplicaFollower(tabletId)) {
            return CompletableFuture.completedFuture(new Status(StatusCode.NOT_IMPLEMENTED_ERROR,
                    "tablet should do compaction locally"));
        }
        return askSupervisor(r -> new CompactionSupervisor.SubmitSingleReplica(tabletId, trigger, true, r), MANUAL_WAIT)
                .exceptionally(err -> Status.OK);
    }

    @Override
    public CompletionStage<TabletCompactionStatus> status(long tabletId) {
        try {
            return AskPattern.ask(node.tabletRef(tabletId), TabletActor.GetCompactionStatus::new, Node.ASK_TIMEOUT,
                    node.system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<CompactionRegistry> registry() {
        return AskPattern.ask(node.supervisor, CompactionSupervisor.GetRegistry::new, Node.ASK_TIMEOUT,
                node.system.scheduler()).thenApply(r -> new CompactionRegistry(r.tasks()));
    }

    @Override
    public CompletionStage<List<FailureTracker.FailureState>> failures(long tabletId) {
        return AskPattern.ask(node.supervisor, r -> new CompactionSupervisor.GetFailures(tabletId, r), Node.ASK_TIMEOUT,
                node.system.scheduler());
    }

    @Override
    public List<CompactionProfile> profiles(Predicate<CompactionProfile> filter, int limit) {
        return node.profiles.find(filter, limit);
    }

    @Override
    public TabletStatsView stats() {
        return node.stats;
    }

    @Override
    public void sweepStaleRowsets(long tabletId) {
        node.tabletRef(tabletId).tell(TabletActor.SweepStale.INSTANCE);
    }
}
