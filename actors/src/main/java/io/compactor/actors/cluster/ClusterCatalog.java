package io.compactor.actors.cluster;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.catalog.Catalog;
import io.compactor.api.CreateTableSpec;
import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.util.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The cluster's DDL, a Cluster Singleton: one CREATE / DROP / ALTER at a time for the whole
 * cluster. CREATE allocates cluster-unique table and tablet ids (above every id any node knows),
 * places each tablet's replicas on distinct live nodes ({@link Placement}; {@code replication_num}
 * above the live nodes is refused), and has every reachable node store the table, each creating
 * its own replicas. The placement is part of the table meta every node persists, so it survives
 * restarts and never changes.
 */
public final class ClusterCatalog extends AbstractBehavior<ClusterCatalog.Command> {
    private static final Duration ASK = Duration.ofSeconds(15);

    public sealed interface Command extends CborSerializable permits Create, Drop, Alter, Finished {
    }

    public record Create(String db, String name, byte[] schema, int buckets, int replicationNum,
                         Map<String, String> properties, ActorRef<DdlReply> replyTo) implements Command {
    }

    public record Drop(String db, String name, ActorRef<DdlReply> replyTo) implements Command {
    }

    public record Alter(String db, String name, Map<String, String> changes, ActorRef<DdlReply> replyTo)
            implements Command {
    }

    /** The table after the change (meta-store JSON) or the failure. */
    public record DdlReply(byte[] table, StatusCode code, String msg) implements CborSerializable {
    }

    private record Finished() implements Command {
    }

    private final ActorContext<Command> ctx;
    private final NodeBook nodes;
    private final org.apache.pekko.actor.typed.ActorSystem<?> system;
    private final ArrayDeque<Command> queue = new ArrayDeque<>();
    private boolean busy;

    private ClusterCatalog(ActorContext<Command> ctx, NodeBook nodes) {
        super(ctx);
        this.ctx = ctx;
        this.nodes = nodes;
        this.system = ctx.getSystem();
    }

    public static Behavior<Command> create(NodeBook nodes) {
        return Behaviors.setup(ctx -> new ClusterCatalog(ctx, nodes));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Finished.class, m -> {
                    busy = false;
                    return next();
                })
                .onAnyMessage(m -> {
                    queue.add(m);
                    return next();
                })
                .build();
    }

    private Behavior<Command> next() {
        if (busy || queue.isEmpty()) {
            return this;
        }
        busy = true;
        Command c = queue.poll();
        CompletableFuture<DdlReply> work;
        ActorRef<DdlReply> replyTo;
        if (c instanceof Create m) {
            work = create(m);
            replyTo = m.replyTo();
        } else if (c instanceof Drop m) {
            work = drop(m);
            replyTo = m.replyTo();
        } else {
            Alter m = (Alter) c;
            work = alter(m);
            replyTo = m.replyTo();
        }
        ctx.pipeToSelf(work.exceptionally(err -> fail(StatusCode.INTERNAL_ERROR, "DDL failed: " + rootMessage(err))),
                (reply, err) -> {
                    replyTo.tell(reply);
                    return new Finished();
                });
        return this;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && (e instanceof java.util.concurrent.CompletionException)) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    private static DdlReply fail(StatusCode code, String msg) {
        return new DdlReply(null, code, msg);
    }

    /**
     * The node directory of every live member, by node name. The receptionist learns of a new
     * member's directory a moment after the member is Up, so this asks again (for up to ~10 s)
     * until every live member has one, rather than placing replicas on a partial view.
     */
    private CompletableFuture<Map<String, ActorRef<NodeDirectory.Command>>> directories() {
        return directories(50);
    }

    private CompletableFuture<Map<String, ActorRef<NodeDirectory.Command>>> directories(int attempts) {
        return listDirectories().thenCompose(dirs -> {
            if (attempts <= 1 || dirs.keySet().containsAll(nodes.live())) {
                return CompletableFuture.completedFuture(dirs);
            }
            CompletableFuture<Map<String, ActorRef<NodeDirectory.Command>>> later = new CompletableFuture<>();
            system.scheduler().scheduleOnce(Duration.ofMillis(200),
                    () -> directories(attempts - 1).whenComplete((d, e) -> {
                        if (e != null) {
                            later.completeExceptionally(e);
                        } else {
                            later.complete(d);
                        }
                    }), system.executionContext());
            return later;
        });
    }

    private CompletableFuture<Map<String, ActorRef<NodeDirectory.Command>>> listDirectories() {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        r -> Receptionist.find(NodeDirectory.KEY, r), ASK, system.scheduler())
                .toCompletableFuture()
                .thenApply(listing -> {
                    Set<String> live = nodes.live();
                    Map<String, ActorRef<NodeDirectory.Command>> out = new HashMap<>();
                    for (ActorRef<NodeDirectory.Command> ref : listing.getServiceInstances(NodeDirectory.KEY)) {
                        var a = ref.path().address();
                        String name = a.hasLocalScope() ? nodes.self() : NodePinnedAllocation.nodeName(a);
                        if (live.contains(name)) {
                            out.put(name, ref);
                        }
                    }
                    return out;
                });
    }

    /**
     * What the nodes know: the live tables, and the highest table and tablet ids ever handed out
     * (live tables and dropped ones alike: ids are never reused).
     */
    private record Listing(List<TableMeta> tables, long maxTableId, long maxTabletId) {
    }

    private CompletableFuture<Listing> tablesOf(Map<String, ActorRef<NodeDirectory.Command>> dirs) {
        List<CompletableFuture<NodeDirectory.TableList>> asks = new ArrayList<>();
        for (var ref : dirs.values()) {
            asks.add(AskPattern.<NodeDirectory.Command, NodeDirectory.TableList>ask(ref, NodeDirectory.ListTables::new,
                    ASK, system.scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture[0])).thenApply(v -> {
            Map<Long, TableMeta> all = new HashMap<>();
            Map<Long, Long> dropped = new HashMap<>();
            for (var f : asks) {
                dropped.putAll(f.join().dropped());
                for (byte[] json : f.join().tables()) {
                    TableMeta t = MetaJson.decodeTable(json);
                    all.put(t.tableId(), t);
                }
            }
            long maxTable = 10_000;
            long maxTablet = 10_000;
            for (var d : dropped.entrySet()) {
                maxTable = Math.max(maxTable, d.getKey());
                maxTablet = Math.max(maxTablet, d.getValue());
            }
            for (TableMeta t : all.values()) {
                maxTable = Math.max(maxTable, t.tableId());
                for (long id : t.tabletIds()) {
                    maxTablet = Math.max(maxTablet, id);
                }
            }
            // A node that was away when a table was dropped still lists it: it is gone nonetheless.
            all.keySet().removeAll(dropped.keySet());
            return new Listing(new ArrayList<>(all.values()), maxTable, maxTablet);
        });
    }

    private CompletableFuture<DdlReply> broadcast(Map<String, ActorRef<NodeDirectory.Command>> dirs,
                                                  TableMeta table) {
        byte[] json = MetaJson.encodeTable(table);
        List<CompletableFuture<NodeDirectory.DdlAck>> acks = new ArrayList<>();
        for (var ref : dirs.values()) {
            acks.add(AskPattern.<NodeDirectory.Command, NodeDirectory.DdlAck>ask(ref,
                    r -> new NodeDirectory.AdoptTable(json, r), ASK, system.scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).handle((v, err) -> {
            List<String> problems = new ArrayList<>();
            for (var f : acks) {
                if (f.isCompletedExceptionally()) {
                    problems.add("a node did not answer: " + rootMessage(f.handle((a, e) -> e).join()));
                } else if (f.join().code() != StatusCode.OK) {
                    problems.add(f.join().node() + ": " + f.join().msg());
                }
            }
            if (!problems.isEmpty()) {
                return fail(StatusCode.INTERNAL_ERROR, "table " + table.db() + "." + table.name()
                        + " was not stored on every node: " + String.join("; ", problems));
            }
            return new DdlReply(json, StatusCode.OK, "");
        });
    }

    private CompletableFuture<DdlReply> create(Create m) {
        Schema schema;
        try {
            schema = MetaJson.decodeSchema(m.schema());
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(fail(StatusCode.INVALID_ARGUMENT, "schema does not decode: "
                    + e.getMessage()));
        }
        CreateTableSpec spec = new CreateTableSpec(m.db(), m.name(), schema, m.buckets(), m.replicationNum(),
                m.properties());
        TableProperties props;
        try {
            props = Catalog.validate(spec);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(fail(StatusCode.INVALID_ARGUMENT, e.getMessage()));
        }
        return directories().thenCompose(dirs -> tablesOf(dirs).thenCompose(listing -> {
            for (TableMeta t : listing.tables()) {
                if (t.db().equals(m.db()) && t.name().equals(m.name())) {
                    return CompletableFuture.completedFuture(fail(StatusCode.ALREADY_EXIST,
                            "Table '" + m.name() + "' already exists"));
                }
            }
            Map<String, Integer> existing = new HashMap<>();
            for (TableMeta t : listing.tables()) {
                for (List<String> r : t.replicas()) {
                    for (String n : r) {
                        existing.merge(n, 1, Integer::sum);
                    }
                }
            }
            List<String> live = new ArrayList<>(dirs.keySet());
            live.sort(null);
            List<List<String>> placement;
            try {
                placement = Placement.place(live, existing, m.buckets(), m.replicationNum());
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(fail(StatusCode.INVALID_ARGUMENT, e.getMessage()));
            }
            List<Long> tabletIds = new ArrayList<>();
            for (int b = 0; b < m.buckets(); b++) {
                tabletIds.add(listing.maxTabletId() + 1 + b);
            }
            TableMeta table = new TableMeta(listing.maxTableId() + 1, m.db(), m.name(), schema, m.buckets(), m.replicationNum(),
                    props, tabletIds, System.currentTimeMillis(), placement);
            return broadcast(dirs, table);
        }));
    }

    private CompletableFuture<TableMeta> find(Map<String, ActorRef<NodeDirectory.Command>> dirs, String db,
                                              String name) {
        return tablesOf(dirs).thenApply(listing -> listing.tables().stream()
                .filter(t -> t.db().equals(db) && t.name().equals(name)).findFirst().orElse(null));
    }

    private CompletableFuture<DdlReply> drop(Drop m) {
        return directories().thenCompose(dirs -> find(dirs, m.db(), m.name()).thenCompose(t -> {
            if (t == null) {
                return CompletableFuture.completedFuture(fail(StatusCode.NOT_FOUND,
                        "Unknown table '" + m.name() + "' in database '" + m.db() + "'"));
            }
            List<CompletableFuture<NodeDirectory.DdlAck>> acks = new ArrayList<>();
            for (var ref : dirs.values()) {
                acks.add(AskPattern.<NodeDirectory.Command, NodeDirectory.DdlAck>ask(ref,
                        r -> new NodeDirectory.DropTable(t.tableId(), r), ASK, system.scheduler())
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(acks.toArray(new CompletableFuture[0]))
                    .thenApply(v -> new DdlReply(MetaJson.encodeTable(t), StatusCode.OK, ""));
        }));
    }

    private CompletableFuture<DdlReply> alter(Alter m) {
        return directories().thenCompose(dirs -> find(dirs, m.db(), m.name()).thenCompose(t -> {
            if (t == null) {
                return CompletableFuture.completedFuture(fail(StatusCode.NOT_FOUND,
                        "Unknown table '" + m.name() + "' in database '" + m.db() + "'"));
            }
            TableMeta changed;
            try {
                changed = t.withProperties(t.properties().alter(m.changes(), t.isMergeOnWrite()));
            } catch (IllegalArgumentException e) {
                return CompletableFuture.completedFuture(fail(StatusCode.INVALID_ARGUMENT, e.getMessage()));
            }
            return broadcast(dirs, changed);
        }));
    }
}
