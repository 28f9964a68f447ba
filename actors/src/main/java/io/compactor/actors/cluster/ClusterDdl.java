package io.compactor.actors.cluster;

import io.compactor.actors.catalog.Catalog;
import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.api.CreateTableSpec;
import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The cluster's DDL, decided in the meta log: CREATE places each tablet's replicas on distinct live
 * nodes ({@link Placement}, the emptiest first; {@code replication_num} above the live nodes is
 * refused) and appends the table to the log, which gives it cluster-unique table and tablet ids
 * and refuses a name that exists; DROP and ALTER are log entries too. Once the log applied the
 * change, every live node's {@link NodeDirectory} is told at once (each creates or drops its own
 * replicas); a node that was away learns it from the log when it returns ({@link ClusterNodeLoop}).
 */
public final class ClusterDdl {
    private static final Duration ASK = Duration.ofSeconds(20);

    private final ActorSystem<?> system;
    private final ClusterServices services;

    public ClusterDdl(ActorSystem<?> system, ClusterServices services) {
        this.system = system;
        this.services = services;
    }

    private static StatusException failure(MetaReply r) {
        StatusCode code;
        try {
            code = StatusCode.valueOf(r.code());
        } catch (IllegalArgumentException e) {
            code = StatusCode.INTERNAL_ERROR;
        }
        return new StatusException(code, r.msg());
    }

    public CompletableFuture<TableMeta> create(CreateTableSpec spec) {
        TableProperties props;
        try {
            props = Catalog.validate(spec);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new StatusException(StatusCode.INVALID_ARGUMENT, e.getMessage()));
        }
        return services.log().read(new MetaCommand.GetCatalog()).thenCompose(catalog -> {
            Map<String, Integer> existing = new HashMap<>();
            for (byte[] json : catalog.tables()) {
                TableMeta t = MetaJson.decodeTable(json);
                if (t.db().equals(spec.db()) && t.name().equals(spec.name())) {
                    throw new StatusException(StatusCode.ALREADY_EXIST, "Table '" + spec.name() + "' already exists");
                }
                for (List<String> r : t.replicas()) {
                    r.forEach(n -> existing.merge(n, 1, Integer::sum));
                }
            }
            List<String> live = new ArrayList<>(services.nodes().live());
            live.sort(null);
            List<List<String>> placement;
            try {
                placement = Placement.place(live, existing, spec.buckets(), spec.replicationNum());
            } catch (IllegalArgumentException e) {
                throw new StatusException(StatusCode.INVALID_ARGUMENT, e.getMessage());
            }
            List<Long> placeholder = new ArrayList<>();
            for (int b = 0; b < spec.buckets(); b++) {
                placeholder.add((long) b);
            }
            TableMeta draft = new TableMeta(0, spec.db(), spec.name(), spec.schema(), spec.buckets(),
                    spec.replicationNum(), props, placeholder, System.currentTimeMillis(), placement);
            return services.log().submit(new MetaCommand.CreateTable(MetaJson.encodeTable(draft)));
        }).thenCompose(this::adoptEverywhere);
    }

    public CompletableFuture<TableMeta> drop(String db, String name) {
        return services.log().submit(new MetaCommand.DropTable(db, name, System.currentTimeMillis())).thenCompose(r -> {
            if (!r.isOk()) {
                throw failure(r);
            }
            TableMeta t = MetaJson.decodeTable(r.table());
            return tellEveryNode(dir -> AskPattern.<NodeDirectory.Command, NodeDirectory.DdlAck>ask(dir,
                    a -> new NodeDirectory.DropTable(t.tableId(), a), ASK, system.scheduler())).thenApply(v -> t);
        });
    }

    public CompletableFuture<TableMeta> alter(String db, String name, Map<String, String> changes) {
        return services.log().submit(new MetaCommand.AlterTable(db, name, Map.copyOf(changes)))
                .thenCompose(this::adoptEverywhere);
    }

    private CompletableFuture<TableMeta> adoptEverywhere(MetaReply r) {
        if (!r.isOk()) {
            throw failure(r);
        }
        byte[] json = r.table();
        return tellEveryNode(dir -> AskPattern.<NodeDirectory.Command, NodeDirectory.DdlAck>ask(dir,
                a -> new NodeDirectory.AdoptTable(json, a), ASK, system.scheduler()))
                .thenApply(v -> MetaJson.decodeTable(json));
    }

    /**
     * Sends to every live node's directory and waits for the answers (a node that does not answer
     * learns the change from the log later). The receptionist lists a member's directory a moment
     * after it is Up, so the listing is asked again (for up to ~10 s) until it has every live node.
     */
    private CompletableFuture<Void> tellEveryNode(
            java.util.function.Function<ActorRef<NodeDirectory.Command>, java.util.concurrent.CompletionStage<?>> send) {
        return directories(50).thenCompose(dirs -> {
            List<CompletableFuture<?>> acks = new ArrayList<>();
            for (ActorRef<NodeDirectory.Command> dir : dirs) {
                acks.add(send.apply(dir).toCompletableFuture());
            }
            return CompletableFuture.allOf(acks.toArray(new CompletableFuture[0])).handle((v, e) -> null);
        });
    }

    private CompletableFuture<List<ActorRef<NodeDirectory.Command>>> directories(int attempts) {
        return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        r -> Receptionist.find(NodeDirectory.KEY, r), ASK, system.scheduler()).toCompletableFuture()
                .thenCompose(listing -> {
                    java.util.Set<String> live = services.nodes().live();
                    List<ActorRef<NodeDirectory.Command>> dirs = new ArrayList<>();
                    java.util.Set<String> listed = new java.util.HashSet<>();
                    for (ActorRef<NodeDirectory.Command> d : listing.getServiceInstances(NodeDirectory.KEY)) {
                        var a = d.path().address();
                        String node = a.hasLocalScope() ? services.self() : NodePinnedAllocation.nodeName(a);
                        if (live.contains(node)) {
                            dirs.add(d);
                            listed.add(node);
                        }
                    }
                    if (attempts <= 1 || listed.containsAll(live)) {
                        return CompletableFuture.completedFuture(dirs);
                    }
                    CompletableFuture<List<ActorRef<NodeDirectory.Command>>> later = new CompletableFuture<>();
                    system.scheduler().scheduleOnce(Duration.ofMillis(200), () -> directories(attempts - 1)
                            .whenComplete((d, e) -> later.complete(d != null ? d : dirs)), system.executionContext());
                    return later;
                });
    }
}
