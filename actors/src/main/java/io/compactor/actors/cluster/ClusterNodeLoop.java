package io.compactor.actors.cluster;

import io.compactor.api.ClusterStatus;
import io.compactor.actors.catalog.Catalog;
import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's housekeeping in cluster mode, every two seconds (every half second while a member's
 * HTTP address is unknown, e.g. just after it joined): learns the members' HTTP addresses
 * (peers download rowsets there), and once this node is Up, fetches the tables created while it
 * was away from a peer (and drops those dropped meanwhile) and tells the load coordinator of each table with a replica here that the
 * node is back, so lagging replicas catch up at once.
 */
public final class ClusterNodeLoop {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNodeLoop.class);
    /** Ticks this often; the members are asked every fourth tick, or at once while one is unknown. */
    private static final Duration EVERY = Duration.ofMillis(500);

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ActorRef<Catalog.Command> catalog;
    private final AtomicBoolean announced = new AtomicBoolean();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile Cancellable task;
    private long ticks;

    public ClusterNodeLoop(ActorSystem<?> system, ClusterServices services, ActorRef<Catalog.Command> catalog) {
        this.system = system;
        this.services = services;
        this.catalog = catalog;
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
        boolean unknown = services.nodes().live().stream().anyMatch(n -> services.nodes().http(n) == null);
        if (ticks++ % 4 != 0 && !unknown && announced.get()) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            return;
        }
        ClusterQuery.gather(system, Duration.ofSeconds(3)).whenComplete((status, err) -> {
            try {
                if (status != null) {
                    for (ClusterStatus.Member m : status.members()) {
                        services.nodes().learnHttp(nodeName(m.address()), m.http());
                    }
                }
                if (!announced.get() && Cluster.get(system).selfMember().status() == MemberStatus.up()) {
                    syncTables();
                }
            } catch (RuntimeException e) {
                LOG.warn("cluster housekeeping failed: {}", e.toString());
            } finally {
                running.set(false);
            }
        });
    }

    /** {@code pekko://compactor@host:port} -> {@code host:port}. */
    static String nodeName(String address) {
        int at = address.lastIndexOf('@');
        return at < 0 ? address : address.substring(at + 1);
    }

    /**
     * Asks every other live member's directory for its tables. Done (and the node announced) only
     * once the receptionist lists a directory for each of them and all answered; until then the
     * next tick tries again (a node that just joined sees the others' registrations a moment later).
     */
    private void syncTables() {
        Set<String> others = new java.util.TreeSet<>(services.nodes().live());
        others.remove(services.self());
        AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        r -> Receptionist.find(NodeDirectory.KEY, r), Duration.ofSeconds(3), system.scheduler())
                .thenAccept(listing -> {
                    List<ActorRef<NodeDirectory.Command>> remote = new java.util.ArrayList<>();
                    Set<String> seen = new java.util.TreeSet<>();
                    for (ActorRef<NodeDirectory.Command> dir : listing.getServiceInstances(NodeDirectory.KEY)) {
                        if (!dir.path().address().hasLocalScope()) {
                            remote.add(dir);
                            seen.add(NodePinnedAllocation.nodeName(dir.path().address()));
                        }
                    }
                    if (!seen.containsAll(others)) {
                        return;
                    }
                    List<java.util.concurrent.CompletableFuture<NodeDirectory.TableList>> lists =
                            new java.util.ArrayList<>();
                    for (ActorRef<NodeDirectory.Command> dir : remote) {
                        lists.add(AskPattern.<NodeDirectory.Command, NodeDirectory.TableList>ask(dir,
                                NodeDirectory.ListTables::new, Duration.ofSeconds(3), system.scheduler())
                                .toCompletableFuture());
                    }
                    java.util.concurrent.CompletableFuture.allOf(lists.toArray(
                            new java.util.concurrent.CompletableFuture[0])).thenRun(() -> {
                                lists.forEach(f -> adoptMissing(f.join()));
                                announce();
                            });
                });
    }

    private void adoptMissing(NodeDirectory.TableList list) {
        List<java.util.concurrent.CompletableFuture<Catalog.DdlResult>> drops = new java.util.ArrayList<>();
        for (long id : list.dropped().keySet()) {
            TableMeta gone = services.view().get().tablesById().get(id);
            if (gone != null) {
                LOG.info("dropping table {}.{} (id {}), dropped while this node was away", gone.db(), gone.name(), id);
                drops.add(AskPattern.<Catalog.Command, Catalog.DdlResult>ask(catalog,
                        r -> new Catalog.DropTableById(id, r), Duration.ofSeconds(20), system.scheduler())
                        .toCompletableFuture());
            }
        }
        // Adopt only after the drops: a table re-created under a dropped one's name needs the name free.
        java.util.concurrent.CompletableFuture.allOf(drops.toArray(new java.util.concurrent.CompletableFuture[0]))
                .handle((ok, err) -> null).thenRun(() -> {
                    for (byte[] json : list.tables()) {
                        TableMeta t = MetaJson.decodeTable(json);
                        if (list.dropped().containsKey(t.tableId())
                                || services.view().get().droppedTables().containsKey(t.tableId())) {
                            continue;
                        }
                        if (services.view().get().tablesById().get(t.tableId()) == null
                                && services.view().get().table(t.db(), t.name()) == null) {
                            LOG.info("adopting table {}.{} (id {}) created while this node was away", t.db(), t.name(),
                                    t.tableId());
                            AskPattern.<Catalog.Command, Catalog.DdlResult>ask(catalog,
                                    r -> new Catalog.AdoptTable(t, services.self(), r), Duration.ofSeconds(20),
                                    system.scheduler());
                        }
                    }
                });
    }

    private void announce() {
        if (!announced.compareAndSet(false, true)) {
            return;
        }
        for (TableMeta t : services.view().get().tables()) {
            if (t.isPlaced() && !t.tabletsOn(services.self()).isEmpty()) {
                TableTxn.ref(system, t.tableId()).tell(new TableTxn.NodeUp(services.self()));
            }
        }
    }
}
