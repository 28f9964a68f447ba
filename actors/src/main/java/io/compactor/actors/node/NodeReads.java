package io.compactor.actors.node;

import io.compactor.actors.tablet.TabletActor;
import io.compactor.api.DeleteBitmapInfo;
import io.compactor.api.NodeKeys;
import io.compactor.api.Reads;
import io.compactor.api.SegmentLossReport;
import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import io.compactor.storage.util.StatusCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.japi.function.Function;
import org.roaringbitmap.RoaringBitmap;

/**
 * {@link Reads} of a node: snapshots of its tablets read on the load executor, at most
 * {@code max_concurrent_reads} at once; tables placed on cluster nodes read through their replicas.
 */
final class NodeReads implements Reads {
    private final Node node;
    private final Semaphore slots;

    NodeReads(Node node) {
        this.node = node;
        this.slots = new Semaphore(node.config.getInt(NodeKeys.MAX_CONCURRENT_READS));
    }

    private <T> CompletionStage<T> askTablet(long tabletId, Function<ActorRef<T>, TabletActor.Command> msg) {
        try {
            return AskPattern.ask(node.tabletRef(tabletId), msg, Node.ASK_TIMEOUT, node.system.scheduler());
        } catch (StatusException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<TabletMeta> tabletMeta(long tabletId) {
        return askTablet(tabletId, TabletActor.GetMeta::new);
    }

    @Override
    public CompletionStage<TabletSnapshot> snapshot(long tabletId) {
        return askTablet(tabletId, TabletActor.GetSnapshot::new);
    }

    @Override
    public CompletionStage<DeleteBitmapInfo> deleteBitmap(long tabletId) {
        return askTablet(tabletId, TabletActor.GetDeleteBitmap::new);
    }

    @Override
    public CompletionStage<Long> count(String db, String table) {
        TableMeta placed = placed(db, table);
        if (placed != null) {
            return bounded(() -> node.clusterReads.count(placed));
        }
        return bounded(() -> withSnapshots(db, table, (t, snaps) -> TabletReader.count(t.schema(), snaps)));
    }

    @Override
    public CompletionStage<RowBatch> scan(String db, String table, long limit) {
        TableMeta placed = placed(db, table);
        if (placed != null) {
            return bounded(() -> node.clusterReads.scan(placed, limit));
        }
        return bounded(() -> withSnapshots(db, table, (t, snaps) -> TabletReader.scan(t.schema(), snaps, limit)))
                .thenApply(io.compactor.storage.schema.HiddenColumns::visible);
    }

    @Override
    public CompletionStage<RowBatch> get(String db, String table, Map<String, String> key) {
        TableMeta t = node.view.get().table(db, table);
        if (t == null) {
            return CompletableFuture.failedFuture(unknownTable(db, table));
        }
        RowBatch keyRow;
        try {
            keyRow = KeyParser.parse(t.schema(), key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(Status.invalidArgument(e.getMessage()).asException());
        }
        if (t.isPlaced() && node.clusterReads != null) {
            return bounded(() -> node.clusterReads.get(t, keyRow));
        }
        long tabletId = t.tabletFor(keyRow.keyHash(0));
        return bounded(() -> snapshot(tabletId).thenApplyAsync(snap -> {
            try (snap) {
                return io.compactor.storage.schema.HiddenColumns.visible(
                        TabletReader.get(t.schema(), snap, keyRow, node.engine.primaryKeys()));
            } catch (IOException e) {
                node.engine.badTablets().markIfCorrupt(e);
                throw new UncheckedIOException(e);
            }
        }, node.readExecutor));
    }

    @Override
    public CompletionStage<MowChecker.Result> checkTablet(long tabletId) {
        TableMeta t = node.view.get().tableOf(tabletId);
        if (t == null) {
            return CompletableFuture.failedFuture(Status.tabletNotFound(tabletId).asException());
        }
        return bounded(() -> snapshot(tabletId).thenApplyAsync(snap -> {
            try (snap) {
                if (snap.isMergeOnWrite()) {
                    return MowChecker.check(snap.dataDir(), tabletId, t.schema(), snap.meta().rowsets(), snap.deleted());
                }
                Map<SegmentKey, RoaringBitmap> noBitmap = Map.of();
                MowChecker.Result r = MowChecker.check(snap.dataDir(), tabletId, t.schema(), snap.meta().rowsets(),
                        noBitmap);
                return new MowChecker.Result(r.rows(), r.duplicateKeys(), 0, true);
            } catch (IOException e) {
                node.engine.badTablets().markIfCorrupt(e);
                throw new UncheckedIOException(e);
            }
        }, node.readExecutor));
    }

    @Override
    public CompletionStage<SegmentLossReport> checkSegmentLost(boolean repair) {
        return SegmentLossCheck.run(this, node.tables().localTablets(), node.engine.badTablets(), repair,
                node.readExecutor);
    }

    @Override
    public Optional<Path> tabletDir(long tabletId) {
        var stats = node.stats.get(tabletId);
        if (node.view.get().tablet(tabletId) == null || stats == null) {
            return Optional.empty();
        }
        return Optional.of(node.engine.dataDir(stats.dataDir()).tabletPath(tabletId));
    }

    /** The table if it is replicated over cluster nodes (read through its replicas), else null. */
    private TableMeta placed(String db, String table) {
        TableMeta t = node.view.get().table(db, table);
        return t != null && t.isPlaced() && node.clusterReads != null ? t : null;
    }

    /** Runs a read if a read slot is free, else fails at once with a busy status: reads never queue unbounded. */
    private <T> CompletionStage<T> bounded(Supplier<CompletionStage<T>> read) {
        if (!slots.tryAcquire()) {
            return CompletableFuture.failedFuture(Status.busy("too many concurrent reads (max_concurrent_reads="
                    + node.config.get(NodeKeys.MAX_CONCURRENT_READS) + "), try again later").asException());
        }
        try {
            return read.get().whenComplete((v, e) -> slots.release());
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    private static StatusException unknownTable(String db, String table) {
        return new StatusException(StatusCode.NOT_FOUND, "Unknown table '" + table + "' in database '" + db + "'");
    }

    @FunctionalInterface
    private interface SnapshotRead<T> {
        T read(TableMeta table, List<TabletSnapshot> snapshots) throws IOException;
    }

    private <T> CompletionStage<T> withSnapshots(String db, String table, SnapshotRead<T> read) {
        TableMeta t = node.view.get().table(db, table);
        if (t == null) {
            return CompletableFuture.failedFuture(unknownTable(db, table));
        }
        List<CompletableFuture<TabletSnapshot>> futures = new ArrayList<>();
        for (long id : t.tabletIds()) {
            futures.add(snapshot(id).toCompletableFuture());
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).handle((ok, err) -> {
            List<TabletSnapshot> snaps = new ArrayList<>();
            for (CompletableFuture<TabletSnapshot> f : futures) {
                if (!f.isCompletedExceptionally()) {
                    snaps.add(f.join());
                }
            }
            if (err != null) {
                snaps.forEach(TabletSnapshot::close);
                throw new CompletionException(err);
            }
            return snaps;
        }).thenApplyAsync(snaps -> {
            try {
                // Fault injection: hold the read (and its slot) while the point is set.
                while (node.engine.debugPoints().hit("read.block")) {
                    LockSupport.parkNanos(5_000_000L);
                }
                return read.read(t, snaps);
            } catch (IOException e) {
                node.engine.badTablets().markIfCorrupt(e);
                throw new UncheckedIOException(e);
            } finally {
                snaps.forEach(TabletSnapshot::close);
            }
        }, node.readExecutor);
    }
}
