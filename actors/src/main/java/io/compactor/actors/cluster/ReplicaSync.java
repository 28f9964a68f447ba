package io.compactor.actors.cluster;

import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaState;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.api.ReplicaPeers;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's replicas in line with the meta log, a round every two seconds:
 * <ul>
 * <li>a replica behind the tablet's visible version copies the missing rowsets from a good peer
 *     that has them (catch-up; the copied rowsets' content identities are checked against the log);</li>
 * <li>every rowset of the replica is compared with the log by content identity, not by version
 *     numbers: one that disagrees (other content at a version) gets the replica marked bad in the log;</li>
 * <li>a replica the log calls bad (it disagreed, or it was just created on this node to replace a
 *     lost one) takes a good peer's whole chain (a clone) and is marked good again.</li>
 * </ul>
 * A bad replica serves no reads and counts toward no load's majority until it is cloned.
 */
final class ReplicaSync {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSync.class);
    private static final Duration ASK = Duration.ofSeconds(10);

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ClusterSharding sharding;
    /** Tablets being caught up or cloned now. */
    private final Set<Long> busy = ConcurrentHashMap.newKeySet();
    /** Rounds in a row a tablet disagreed with the log. */
    private final Map<Long, Integer> strikes = new ConcurrentHashMap<>();

    ReplicaSync(ActorSystem<?> system, ClusterServices services) {
        this.system = system;
        this.services = services;
        this.sharding = ClusterSharding.get(system);
    }

    CompletableFuture<Void> round() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (TableMeta t : services.view().get().tables()) {
            if (!t.isPlaced() || t.tabletsOn(services.self()).isEmpty()) {
                continue;
            }
            all.add(services.log().ask(new MetaCommand.GetVisible(t.tableId())).thenCompose(v -> {
                if (!v.isOk()) {
                    return CompletableFuture.completedFuture(null);
                }
                List<CompletableFuture<Void>> tablets = new ArrayList<>();
                for (long tablet : t.tabletsOn(services.self())) {
                    if (!busy.contains(tablet) && v.versions().containsKey(tablet)) {
                        tablets.add(check(t, tablet, v.versions().get(tablet), ClusterNodeLoop.bad(v)));
                    }
                }
                return CompletableFuture.allOf(tablets.toArray(new CompletableFuture[0]));
            }));
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
    }

    private CompletableFuture<Void> check(TableMeta table, long tablet, long visible, Map<String, String> bad) {
        ActorRef<TabletActor.Command> ref = services.view().get().tablet(tablet);
        if (ref == null) {
            return CompletableFuture.completedFuture(null);
        }
        String self = MetaState.replicaKey(tablet, services.self());
        ref.tell(new TabletActor.SetCompactionCap(visible));
        return AskPattern.<TabletActor.Command, TabletMeta>ask(ref, TabletActor.GetMeta::new, ASK, system.scheduler())
                .toCompletableFuture().thenCompose(meta -> audit(tablet, meta).thenCompose(disagreement -> {
                    if (bad.containsKey(self)) {
                        if (disagreement == null && meta.maxVersion() >= visible) {
                            // It agrees with the log after all (a new replica that caught up, or a false alarm).
                            return services.log().submit(new MetaCommand.MarkReplica(tablet, services.self(), false,
                                    "agrees with the log")).thenApply(r -> (Void) null);
                        }
                        // Never clone backwards: versions this replica holds beyond a lagging peer's may
                        // be committed loads, so the peer must reach this replica's own version.
                        return repair(table, tablet, Math.max(visible, meta.maxVersion()), bad, true,
                                "the log marks it bad: " + bad.get(self));
                    }
                    if (disagreement != null && disagreement.isEmpty()) {
                        return CompletableFuture.completedFuture(null); // the log did not say: next round
                    }
                    if (disagreement != null) {
                        // Twice in a row before it counts: one answer is never enough to set a replica aside.
                        if (strikes.merge(tablet, 1, Integer::sum) >= 2) {
                            strikes.remove(tablet);
                            return markBad(tablet, disagreement);
                        }
                        return CompletableFuture.completedFuture(null);
                    }
                    strikes.remove(tablet);
                    if (meta.maxVersion() < visible) {
                        return repair(table, tablet, visible, bad, false, "it is at version " + meta.maxVersion()
                                + ", the log's visible version is " + visible);
                    }
                    return CompletableFuture.completedFuture(null);
                }));
    }

    /**
     * Compares each rowset's content identity with the log's (a linearizable read: a voter's own copy
     * may be behind right after a restart). Completes with null when they agree, the disagreement,
     * or "" when the log's answer does not cover the tablet.
     */
    private CompletableFuture<String> audit(long tablet, TabletMeta meta) {
        List<Long> ranges = new ArrayList<>();
        for (RowsetMeta r : meta.rowsets()) {
            ranges.add(r.startVersion());
            ranges.add(r.endVersion());
        }
        return services.log().ask(new MetaCommand.GetChain(tablet, ranges)).handle((chain, err) -> {
            if (chain == null || !chain.isOk() || chain.ids() == null || chain.versions() == null
                    || !chain.versions().containsKey(tablet) || chain.ids().size() != meta.rowsets().size()) {
                return "";
            }
            long committed = chain.versions().get(tablet);
            for (int i = 0; i < meta.rowsets().size(); i++) {
                RowsetMeta r = meta.rowsets().get(i);
                if (r.endVersion() > committed) {
                    return "rowset " + r.version() + " is beyond the log's committed version " + committed;
                }
                if (r.contentId() != chain.ids().get(i)) {
                    return "rowset " + r.version() + " has content identity " + Long.toHexString(r.contentId())
                            + ", the log recorded " + Long.toHexString(chain.ids().get(i));
                }
            }
            return null;
        });
    }

    private CompletableFuture<Void> markBad(long tablet, String why) {
        LOG.warn("tablet {} on {} disagrees with the meta log ({}): marking it bad, it will be cloned from a good peer",
                tablet, services.self(), why);
        return services.log().submit(new MetaCommand.MarkReplica(tablet, services.self(), true, why))
                .thenApply(r -> null);
    }

    /** Catches up (or, {@code whole}, clones) from a good live peer that reaches {@code visible}. */
    private CompletableFuture<Void> repair(TableMeta table, long tablet, long visible, Map<String, String> bad,
                                           boolean whole, String why) {
        Set<String> live = services.nodes().live();
        List<CompletableFuture<ReplicaEntity.State>> asks = new ArrayList<>();
        for (String node : table.replicaNodes(tablet)) {
            if (!node.equals(services.self()) && live.contains(node) && services.nodes().http(node) != null
                    && !bad.containsKey(MetaState.replicaKey(tablet, node))) {
                asks.add(ReplicaEntity.ref(sharding, tablet, node).<ReplicaEntity.State>ask(ReplicaEntity.GetState::new,
                        ASK).toCompletableFuture());
            }
        }
        return Gather.all(asks).thenCompose(states -> {
            ReplicaEntity.State best = states.stream().filter(s -> s.present() && s.version() >= visible)
                    .max(java.util.Comparator.comparingLong(ReplicaEntity.State::version)).orElse(null);
            if (best == null || !busy.add(tablet)) {
                return CompletableFuture.completedFuture(null);
            }
            int index = table.replicaNodes(tablet).indexOf(best.node());
            ReplicaPeers.Replica peer = new ReplicaPeers.Replica(TableMeta.replicaId(tablet, index), best.node(),
                    services.nodes().http(best.node()), false, true, true);
            LOG.info("tablet {} on {}: {} from {} ({})", tablet, services.self(), whole ? "cloning" : "catching up",
                    best.node(), why);
            return services.catchUp().catchUp(tablet, peer, whole).toCompletableFuture()
                    .thenCompose(v -> whole ? services.log().submit(new MetaCommand.MarkReplica(tablet,
                            services.self(), false, "cloned from " + best.node())).thenApply(r -> (Void) null)
                            : CompletableFuture.<Void>completedFuture(null))
                    .whenComplete((v, e) -> {
                        busy.remove(tablet);
                        if (e != null) {
                            LOG.warn("tablet {} on {}: {} from {} failed: {}", tablet, services.self(),
                                    whole ? "clone" : "catch-up", best.node(), e.getMessage());
                        }
                    }).handle((v, e) -> null);
        });
    }
}
