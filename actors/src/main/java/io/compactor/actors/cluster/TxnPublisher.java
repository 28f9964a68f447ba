package io.compactor.actors.cluster;

import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.actors.metalog.MetaState;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a load the meta log committed: tells every reachable replica of each tablet the
 * load's version and content identity ({@link ReplicaEntity.Publish}), again and again with a
 * growing pause until a majority of each tablet's good replicas published it (or the deadline
 * passes), then records that in the log ({@link MetaCommand.PublishedTxn}), which makes the load
 * visible once the loads before it are. A replica that missed the load's rows is told to catch
 * up from one that published it. Used by the node that took the load and, for loads whose node
 * went away, by the leader's repair round: publishing the log's decision twice is harmless.
 */
public final class TxnPublisher {
    private static final Logger LOG = LoggerFactory.getLogger(TxnPublisher.class);
    private static final Duration ASK = Duration.ofSeconds(15);

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ClusterSharding sharding;
    /** {@code tablet@node} catch-ups ordered and not answered yet. */
    private final Set<String> catchingUp = ConcurrentHashMap.newKeySet();

    public TxnPublisher(ActorSystem<?> system, ClusterServices services) {
        this.system = system;
        this.services = services;
        this.sharding = ClusterSharding.get(system);
    }

    /** Completes with the log's view of the load after the publishing (never exceptionally). */
    CompletableFuture<MetaReply.TxnView> publish(TableMeta table, MetaReply.TxnView txn, long deadlineNanos) {
        return services.log().read(new MetaCommand.GetVisible(table.tableId())).handle((r, e) -> r)
                .thenCompose(r -> round(table, txn, r == null || r.bad() == null ? Map.of() : r.bad(), deadlineNanos, 0));
    }

    private CompletableFuture<MetaReply.TxnView> round(TableMeta table, MetaReply.TxnView txn, Map<String, String> bad,
                                                       long deadlineNanos, int attempt) {
        Set<String> live = services.nodes().live();
        List<CompletableFuture<ReplicaEntity.Published>> asks = new ArrayList<>();
        for (var e : txn.versions().entrySet()) {
            long tablet = e.getKey();
            for (String node : table.replicaNodes(tablet)) {
                if (live.contains(node)) {
                    asks.add(ReplicaEntity.ref(sharding, tablet, node).<ReplicaEntity.Published>ask(
                            r -> new ReplicaEntity.Publish(txn.txnId(), e.getValue(), txn.contentIds().get(tablet),
                                    txn.db(), txn.label(), txn.loadedRows(), txn.filteredRows(), r), ASK)
                            .toCompletableFuture());
                }
            }
        }
        return Gather.all(asks).thenCompose(answers -> {
            Map<Long, List<String>> done = new HashMap<>();
            for (ReplicaEntity.Published p : answers) {
                if (p.answer() == ReplicaEntity.PublishAnswer.DONE
                        && !bad.containsKey(MetaState.replicaKey(p.tabletId(), p.node()))) {
                    done.computeIfAbsent(p.tabletId(), k -> new ArrayList<>()).add(p.node());
                }
            }
            for (ReplicaEntity.Published p : answers) {
                if (p.answer() == ReplicaEntity.PublishAnswer.MISSING && p.localVersion() >= 0) {
                    catchUp(table, p.tabletId(), p.node(), done.getOrDefault(p.tabletId(), List.of()));
                }
            }
            int need = Placement.majority(table.replicationNum());
            boolean all = txn.versions().keySet().stream().allMatch(t -> done.getOrDefault(t, List.of()).size() >= need);
            if (all) {
                return services.log().submit(new MetaCommand.PublishedTxn(txn.txnId())).handle((r, err) -> {
                    if (r == null || r.txn() == null) {
                        LOG.warn("txn {}: recording the publish in the meta log failed: {}", txn.txnId(),
                                err != null ? err.getMessage() : r.msg());
                        return txn;
                    }
                    return r.txn();
                });
            }
            if (System.nanoTime() > deadlineNanos) {
                return CompletableFuture.completedFuture(txn);
            }
            CompletableFuture<MetaReply.TxnView> next = new CompletableFuture<>();
            long pause = Math.min(1000, 50L << Math.min(attempt, 5));
            system.scheduler().scheduleOnce(Duration.ofMillis(pause), () -> round(table, txn, bad, deadlineNanos,
                    attempt + 1).whenComplete((v, err) -> next.complete(v != null ? v : txn)), system.executionContext());
            return next;
        });
    }

    /** Tells a replica that missed the load to copy it from one that has it. */
    private void catchUp(TableMeta table, long tablet, String node, List<String> holders) {
        String peer = holders.stream().filter(n -> !n.equals(node) && services.nodes().http(n) != null).findFirst()
                .orElse(null);
        if (peer == null || !catchingUp.add(tablet + "@" + node)) {
            return;
        }
        int index = table.replicaNodes(tablet).indexOf(peer);
        LOG.info("tablet {}: replica on {} missed a load; catching up from {}", tablet, node, peer);
        ReplicaEntity.ref(sharding, tablet, node).<ReplicaEntity.CaughtUp>ask(r -> new ReplicaEntity.CatchUp(
                        TableMeta.replicaId(tablet, index), peer, services.nodes().http(peer), false, r),
                Duration.ofMinutes(5)).whenComplete((r, e) -> catchingUp.remove(tablet + "@" + node));
    }
}
