package io.compactor.actors.node;

import io.compactor.actors.compaction.CompactionSupervisor;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.api.CancelResult;
import io.compactor.api.Compaction;
import io.compactor.api.NodeMetrics;
import io.compactor.api.SchedulerOverview;
import io.compactor.api.TimeFormat;
import io.compactor.scheduler.explain.TabletExplain;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.storage.compaction.CompactionProgress;
import java.util.ArrayList;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
    public CompletionStage<CancelResult> cancel(long tabletId, CompactionType type, String by) {
        if (node.view.get().tablet(tabletId) == null) {
            return CompletableFuture.failedFuture(Status.tabletNotFound(tabletId).asException());
        }
        return cancel(Set.of(tabletId), type, by, "tablet " + tabletId);
    }

    @Override
    public CompletionStage<CancelResult> cancelTable(long tableId, CompactionType type, String by) {
        var table = node.view.get().tables().stream().filter(t -> t.tableId() == tableId).findFirst();
        if (table.isEmpty()) {
            return CompletableFuture.failedFuture(new Status(StatusCode.NOT_FOUND, "Table not found. table_id="
                    + tableId).asException());
        }
        Set<Long> local = new TreeSet<>();
        for (long id : table.get().tabletIds()) {
            if (node.view.get().tablet(id) != null) {
                local.add(id);
            }
        }
        return cancel(local, type, by, "table " + tableId);
    }

    /**
     * Queued first (the supervisor removes them and answers only after it registered every grant it
     * made before), then running ones through their progress, so nothing slips between the two.
     */
    private CompletionStage<CancelResult> cancel(Set<Long> tablets, CompactionType type, String by, String what) {
        String kind = type == null ? "" : type.dorisName() + " ";
        return AskPattern.<CompactionSupervisor.Command, List<CandidateQueue.Request>>ask(node.supervisor,
                r -> new CompactionSupervisor.CancelQueued(tablets, type, by, r), Node.ASK_TIMEOUT,
                node.system.scheduler()).thenCompose(queued -> {
                    List<CancelResult.Cancelled> out = new ArrayList<>();
                    long now = node.engine.clock().millis();
                    for (CandidateQueue.Request q : queued) {
                        node.profiles.add(queuedCancelProfile(node.profiles.nextId(), q, by, now));
                        node.metrics.compactionCancelled.get(NodeMetrics.Kind.of(q.type())).increment();
                        out.add(new CancelResult.Cancelled(q.tabletId(), q.type().dorisName(), "queued", 0, true));
                    }
                    List<CompactionProgress> stopping = new ArrayList<>();
                    for (long t : tablets) {
                        for (CompactionProgress p : node.running.ofTablet(t)) {
                            if ((type == null || p.type().equals(type.dorisName())) && p.cancel(by)) {
                                stopping.add(p);
                            }
                        }
                    }
                    CompletableFuture<?>[] ends = stopping.stream().map(p -> node.running.whenReleased(p.taskId()))
                            .toArray(CompletableFuture[]::new);
                    return CompletableFuture.allOf(ends).completeOnTimeout(null, MANUAL_WAIT.toMillis(),
                            TimeUnit.MILLISECONDS).thenApply(x -> {
                                for (CompactionProgress p : stopping) {
                                    out.add(new CancelResult.Cancelled(p.tabletId(), p.type(), "running", p.taskId(),
                                            node.running.whenReleased(p.taskId()).isDone()));
                                }
                                String msg = out.isEmpty() ? "no " + kind + "compaction of " + what
                                        + " is queued or running" : "cancelled " + out.size() + " " + kind
                                        + "compaction(s) of " + what;
                                return new CancelResult(List.copyOf(out), msg);
                            });
                });
    }

    private static CompactionProfile queuedCancelProfile(long id, CandidateQueue.Request q, String by, long now) {
        String at = TimeFormat.millis(now);
        return CompactionProfile.builder(id, q.type().dorisName(), q.tabletId(), q.tableId())
                .task(q.manual() ? "MANUAL" : "AUTOMATIC", q.score(), q.permits())
                .times(TimeFormat.millis(q.requestedAtMs()), at, at, 0)
                .cancelled(by, at, "[CANCELLED]queued " + q.type().dorisName() + " compaction of tablet "
                        + q.tabletId() + " cancelled by " + by + " before it started")
                .build();
    }

    @Override
    public List<CompactionProgress.Snapshot> running() {
        return node.running.snapshots();
    }

    @Override
    public CompletionStage<TabletExplain> explain(long tabletId) {
        if (node.view.get().tablet(tabletId) == null) {
            return CompletableFuture.failedFuture(Status.tabletNotFound(tabletId).asException());
        }
        return AskPattern.<CompactionSupervisor.Command, TabletExplain>ask(node.supervisor,
                r -> new CompactionSupervisor.Explain(tabletId, r), Node.ASK_TIMEOUT, node.system.scheduler())
                .thenApply(e -> {
                    if (e == null) {
                        throw new Status(StatusCode.NOT_FOUND, "tablet " + tabletId
                                + " has not reported to the compaction scheduler yet").asException();
                    }
                    return e;
                });
    }

    @Override
    public CompletionStage<SchedulerOverview> overview() {
        return AskPattern.ask(node.supervisor, CompactionSupervisor.GetOverview::new, Node.ASK_TIMEOUT,
                node.system.scheduler());
    }

    @Override
    public void sweepStaleRowsets(long tabletId) {
        node.tabletRef(tabletId).tell(TabletActor.SweepStale.INSTANCE);
    }
}
