package io.compactor.actors.cluster;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Reads of a replicated table from any node: for each tablet, the reachable replicas say their
 * version and the read goes to one holding the newest (this node's own replica when it does), so
 * a read sees every committed load even while a replica lags. Results are merged here: counts
 * summed, scans merged in key order.
 */
public final class ClusterReads {
    private static final Duration ASK = Duration.ofSeconds(10);

    private final ClusterServices services;
    private final ClusterSharding sharding;

    public ClusterReads(ActorSystem<?> system, ClusterServices services) {
        this.services = services;
        this.sharding = ClusterSharding.get(system);
    }

    private EntityRef<ReplicaEntity.Command> replica(long tabletId, String node) {
        return ReplicaEntity.ref(sharding, tabletId, node);
    }

    /** The node of the newest reachable replica of the tablet. */
    private CompletableFuture<String> newest(TableMeta table, long tabletId) {
        Set<String> live = services.nodes().live();
        List<CompletableFuture<ReplicaEntity.State>> asks = new ArrayList<>();
        for (String node : table.replicaNodes(tabletId)) {
            if (live.contains(node)) {
                asks.add(replica(tabletId, node).<ReplicaEntity.State>ask(ReplicaEntity.GetState::new, ASK)
                        .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(asks.toArray(new CompletableFuture[0])).handle((v, e) -> {
            ReplicaEntity.State best = null;
            for (var f : asks) {
                if (f.isCompletedExceptionally()) {
                    continue;
                }
                ReplicaEntity.State s = f.join();
                if (s.present() && (best == null || s.version() > best.version()
                        || s.version() == best.version() && s.node().equals(services.self()))) {
                    best = s;
                }
            }
            if (best == null) {
                throw new StatusException(StatusCode.SERVICE_UNAVAILABLE, "no replica of tablet " + tabletId + " is reachable (replicas: "
                        + table.replicaNodes(tabletId) + ", reachable nodes: " + live + ")");
            }
            return best.node();
        });
    }

    private CompletableFuture<ReplicaEntity.ReadAnswer> read(TableMeta table, long tabletId, ReplicaEntity.ReadKind kind, long limit,
                                                             byte[] key) {
        return newest(table, tabletId).thenCompose(node -> replica(tabletId, node)
                .<ReplicaEntity.ReadAnswer>ask(r -> new ReplicaEntity.Read(kind, limit, key, r), ASK)
                .toCompletableFuture()).thenApply(a -> {
                    if (a.code() != StatusCode.OK) {
                        throw new StatusException(a.code(), a.msg());
                    }
                    return a;
                });
    }

    public CompletionStage<Long> count(TableMeta table) {
        List<CompletableFuture<ReplicaEntity.ReadAnswer>> parts = new ArrayList<>();
        for (long t : table.tabletIds()) {
            parts.add(read(table, t, ReplicaEntity.ReadKind.COUNT, 0, null));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]))
                .thenApply(v -> parts.stream().mapToLong(f -> f.join().count()).sum());
    }

    public CompletionStage<RowBatch> scan(TableMeta table, long limit) {
        List<CompletableFuture<ReplicaEntity.ReadAnswer>> parts = new ArrayList<>();
        for (long t : table.tabletIds()) {
            parts.add(read(table, t, ReplicaEntity.ReadKind.SCAN, limit, null));
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture[0])).thenApply(v -> {
            List<RowBatch> batches = new ArrayList<>();
            for (var f : parts) {
                batches.add(RowBatchCodec.decode(table.schema(), f.join().rows()));
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
        return read(table, tabletId, ReplicaEntity.ReadKind.GET, 1, RowBatchCodec.encode(key))
                .thenApply(a -> RowBatchCodec.decode(table.schema(), a.rows()));
    }
}
