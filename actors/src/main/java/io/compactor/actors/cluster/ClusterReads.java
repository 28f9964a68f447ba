package io.compactor.actors.cluster;

import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.actors.metalog.MetaState;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Reads of a replicated table from any node, as of the visible versions the meta log shows at the
 * start of the read (one linearizable read of the log for all tablets): a read sees every tablet
 * of a load or none, and never less than a load already answered Success. Each tablet is read from
 * a good replica that can show exactly its visible version (this node's own first); when none can
 * (they are behind, or compacted across it) the read starts over with the log's versions then.
 * Results are merged here: counts summed, scans merged in key order.
 */
public final class ClusterReads {
    private static final Duration ASK = Duration.ofSeconds(10);
    private static final int ATTEMPTS = 20;

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ClusterSharding sharding;

    public ClusterReads(ActorSystem<?> system, ClusterServices services) {
        this.system = system;
        this.services = services;
        this.sharding = ClusterSharding.get(system);
    }

    private EntityRef<ReplicaEntity.Command> replica(long tabletId, String node) {
        return ReplicaEntity.ref(sharding, tabletId, node);
    }

    /** The tablets' answers, all as of one state of the log; starts over while a tablet has no replica to show it. */
    private CompletableFuture<List<ReplicaEntity.ReadAnswer>> readAll(TableMeta table, List<Long> tablets,
                                                                      ReplicaEntity.ReadKind kind, long limit,
                                                                      byte[] key, int attempt) {
        return services.log().ask(new MetaCommand.GetVisible(table.tableId())).thenCompose(v -> {
            if (!v.isOk()) {
                throw new StatusException(StatusCode.valueOf(v.code()), v.msg());
            }
            List<CompletableFuture<ReplicaEntity.ReadAnswer>> parts = new ArrayList<>();
            for (long t : tablets) {
                parts.add(readTablet(table, t, v.versions().get(t), v.bad(), kind, limit, key));
            }
            return CompletableFuture.allOf(parts.toArray(new CompletableFuture[0])).thenApply(x -> parts.stream()
                    .map(CompletableFuture::join).toList());
        }).handle((answers, err) -> {
            boolean retry = answers == null || answers.stream().anyMatch(a -> a.code() == StatusCode.NOT_FOUND);
            if (!retry) {
                return CompletableFuture.completedFuture(answers);
            }
            if (attempt >= ATTEMPTS) {
                String why = err != null ? ClusterLoadWriter.rootMessage(err) : answers.stream()
                        .filter(a -> a.code() != StatusCode.OK).map(ReplicaEntity.ReadAnswer::msg).findFirst().orElse("");
                throw new StatusException(StatusCode.SERVICE_UNAVAILABLE, "table " + table.db() + "." + table.name()
                        + " could not be read at the versions the meta log shows visible: " + why);
            }
            CompletableFuture<List<ReplicaEntity.ReadAnswer>> later = new CompletableFuture<>();
            system.scheduler().scheduleOnce(Duration.ofMillis(Math.min(1000, 50L * (attempt + 1))),
                    () -> readAll(table, tablets, kind, limit, key, attempt + 1).whenComplete((a, e) -> {
                        if (e != null) {
                            later.completeExceptionally(e);
                        } else {
                            later.complete(a);
                        }
                    }), system.executionContext());
            return later;
        }).thenCompose(Function.identity());
    }

    /** One tablet at {@code version}: tries its good live replicas in turn (this node's first). */
    private CompletableFuture<ReplicaEntity.ReadAnswer> readTablet(TableMeta table, long tablet, long version,
                                                                   Map<String, String> bad, ReplicaEntity.ReadKind kind,
                                                                   long limit, byte[] key) {
        Set<String> live = services.nodes().live();
        List<String> order = new ArrayList<>();
        for (String node : table.replicaNodes(tablet)) {
            if (live.contains(node) && (bad == null || !bad.containsKey(MetaState.replicaKey(tablet, node)))) {
                if (node.equals(services.self())) {
                    order.add(0, node);
                } else {
                    order.add(node);
                }
            }
        }
        return tryReplicas(tablet, order, 0, version, kind, limit, key, "no good replica of tablet " + tablet
                + " is reachable (replicas " + table.replicaNodes(tablet) + ", reachable " + live + ")");
    }

    private CompletableFuture<ReplicaEntity.ReadAnswer> tryReplicas(long tablet, List<String> order, int i,
                                                                    long version, ReplicaEntity.ReadKind kind,
                                                                    long limit, byte[] key, String why) {
        if (i >= order.size()) {
            return CompletableFuture.completedFuture(new ReplicaEntity.ReadAnswer(tablet, version, 0, null,
                    StatusCode.NOT_FOUND, why));
        }
        return replica(tablet, order.get(i)).<ReplicaEntity.ReadAnswer>ask(
                        r -> new ReplicaEntity.Read(kind, limit, key, version, r), ASK).toCompletableFuture()
                .handle((a, e) -> a != null ? a : new ReplicaEntity.ReadAnswer(tablet, version, 0, null,
                        StatusCode.NOT_FOUND, "replica on " + order.get(i) + " did not answer: " + e))
                .thenCompose(a -> {
                    if (a.code() == StatusCode.OK) {
                        return CompletableFuture.completedFuture(a);
                    }
                    if (a.code() != StatusCode.NOT_FOUND) {
                        throw new StatusException(a.code(), a.msg());
                    }
                    return tryReplicas(tablet, order, i + 1, version, kind, limit, key, a.msg());
                });
    }

    public CompletionStage<Long> count(TableMeta table) {
        return readAll(table, table.tabletIds(), ReplicaEntity.ReadKind.COUNT, 0, null, 0)
                .thenApply(parts -> parts.stream().mapToLong(ReplicaEntity.ReadAnswer::count).sum());
    }

    public CompletionStage<RowBatch> scan(TableMeta table, long limit) {
        return readAll(table, table.tabletIds(), ReplicaEntity.ReadKind.SCAN, limit, null, 0).thenApply(parts -> {
            List<RowBatch> batches = new ArrayList<>();
            for (ReplicaEntity.ReadAnswer a : parts) {
                batches.add(RowBatchCodec.decode(table.schema(), a.rows()));
            }
            return merge(table, batches, limit);
        });
    }

    /** Rows of all batches (each sorted by key) in key order, at most {@code limit}. */
    static RowBatch merge(TableMeta table, List<RowBatch> batches, long limit) {
        List<int[]> rows = new ArrayList<>();
        for (int b = 0; b < batches.size(); b++) {
            for (int r = 0; r < batches.get(b).size(); r++) {
                rows.add(new int[] {b, r});
            }
        }
        rows.sort(Comparator.comparing(x -> x, (x, y) -> batches.get(x[0]).compareKeys(x[1], batches.get(y[0]), y[1])));
        RowBatch out = new RowBatch(table.schema(), Math.min(rows.size(), 1024));
        for (int i = 0; i < rows.size() && i < limit; i++) {
            out.appendRow(batches.get(rows.get(i)[0]), rows.get(i)[1]);
        }
        return out;
    }

    public CompletionStage<RowBatch> get(TableMeta table, RowBatch key) {
        long tabletId = table.tabletFor(key.keyHash(0));
        return readAll(table, List.of(tabletId), ReplicaEntity.ReadKind.GET, 1, RowBatchCodec.encode(key), 0)
                .thenApply(a -> RowBatchCodec.decode(table.schema(), a.get(0).rows()));
    }
}
