package io.compactor.actors.cluster;

import io.compactor.actors.catalog.Catalog;
import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.api.ClusterStatus;
import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's housekeeping in cluster mode, every half second:
 * <ul>
 * <li>learns the members' HTTP addresses (peers download rowsets there), every other second or at
 *     once while one is unknown;</li>
 * <li>follows the catalog in the meta log: creates this node's replicas of tables it does not know
 *     yet (created while it was away, or moved here), takes new properties and placements, drops
 *     what was dropped;</li>
 * <li>{@link ReplicaSync}: brings its replicas to the log's versions and checks them against the
 *     log's content identities;</li>
 * <li>on the node whose voter leads the log, {@link LeaderDuties}: aborts loads past their
 *     deadline, publishes committed loads whose node went away, re-creates the replicas of nodes
 *     gone too long.</li>
 * </ul>
 */
public final class ClusterNodeLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNodeLoop.class);
    private static final Duration EVERY = Duration.ofMillis(500);

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ActorRef<Catalog.Command> catalog;
    private final ReplicaSync replicas;
    private final LeaderDuties leader;
    private final AtomicBoolean askingMembers = new AtomicBoolean();
    private final AtomicBoolean following = new AtomicBoolean();
    private final AtomicBoolean syncing = new AtomicBoolean();
    private volatile long followedVersion = -1;
    private volatile Cancellable task;
    private long ticks;

    public ClusterNodeLoop(ActorSystem<?> system, ClusterServices services, ActorRef<Catalog.Command> catalog,
                           TxnPublisher publisher, java.util.function.Supplier<Duration> replaceAfter) {
        this.system = system;
        this.services = services;
        this.catalog = catalog;
        this.replicas = new ReplicaSync(system, services);
        this.leader = new LeaderDuties(services, publisher, replaceAfter);
    }

    public void start() {
        task = system.scheduler().scheduleWithFixedDelay(Duration.ZERO, EVERY, this::tick, system.executionContext());
    }

    public void stop() {
        Cancellable t = task;
        if (t != null) {
            t.cancel();
        }
    }

    private void tick() {
        try {
            ticks++;
            boolean unknown = services.nodes().live().stream().anyMatch(n -> services.nodes().http(n) == null);
            if ((unknown || ticks % 4 == 0) && askingMembers.compareAndSet(false, true)) {
                ClusterQuery.gather(system, Duration.ofSeconds(3)).whenComplete((status, err) -> {
                    if (status != null) {
                        for (ClusterStatus.Member m : status.members()) {
                            services.nodes().learnHttp(nodeName(m.address()), m.http());
                        }
                    }
                    askingMembers.set(false);
                });
            }
            if (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
                return;
            }
            boolean localChanged = services.log().local().map(s -> s.catalogVersion() != followedVersion).orElse(false);
            if ((localChanged || ticks % 4 == 0) && following.compareAndSet(false, true)) {
                followCatalog().whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.debug("following the catalog failed: {}", e.toString());
                    }
                    following.set(false);
                });
            }
            if (ticks % 4 == 2 && syncing.compareAndSet(false, true)) {
                replicas.round().whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn("replica sync failed: {}", e.toString());
                    }
                    syncing.set(false);
                });
            }
            if (ticks % 2 == 1 && services.log().isLeader()) {
                leader.round();
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster housekeeping failed: {}", e.toString());
        }
    }

    /** {@code pekko://compactor@host:port} -> {@code host:port}. */
    static String nodeName(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(at + 1);
    }

    /** Makes this node's catalog what the log says: tables, their properties and placement, drops. */
    private CompletableFuture<Void> followCatalog() {
        return services.log().read(new MetaCommand.GetCatalog()).thenCompose(c -> {
            if (!c.isOk()) {
                return CompletableFuture.completedFuture(null);
            }
            List<CompletableFuture<Catalog.DdlResult>> work = new ArrayList<>();
            var view = services.view().get();
            for (long dropped : c.dropped().keySet()) {
                if (view.tablesById().get(dropped) != null) {
                    LOG.info("dropping table id {}, dropped in the meta log", dropped);
                    work.add(ask(r -> new Catalog.DropTableById(dropped, r)));
                }
            }
            // Adopt after the drops: a table re-created under a dropped one's name needs the name free.
            return CompletableFuture.allOf(work.toArray(new CompletableFuture[0])).handle((v, e) -> null)
                    .thenCompose(v -> {
                        List<CompletableFuture<Catalog.DdlResult>> adopts = new ArrayList<>();
                        for (byte[] json : c.tables()) {
                            TableMeta mine = services.view().get().tablesById().get(MetaJson.decodeTable(json).tableId());
                            if (mine == null || !Arrays.equals(MetaJson.encodeTable(mine), json)) {
                                TableMeta t = MetaJson.decodeTable(json);
                                LOG.info("adopting table {}.{} (id {}) from the meta log", t.db(), t.name(), t.tableId());
                                adopts.add(ask(r -> new Catalog.AdoptTable(t, services.self(), r)));
                            }
                        }
                        long version = c.catalogVersion() == null ? -1 : c.catalogVersion();
                        return CompletableFuture.allOf(adopts.toArray(new CompletableFuture[0]))
                                .thenRun(() -> followedVersion = version);
                    });
        });
    }

    private CompletableFuture<Catalog.DdlResult> ask(
            org.apache.pekko.japi.function.Function<ActorRef<Catalog.DdlResult>, Catalog.Command> msg) {
        return AskPattern.ask(catalog, msg, Duration.ofSeconds(20), system.scheduler()).toCompletableFuture();
    }

    /** What the log says of bad replicas (for the sync round). */
    static Map<String, String> bad(MetaReply r) {
        return r == null || r.bad() == null ? Map.of() : r.bad();
    }
}
