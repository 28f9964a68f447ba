package io.compactor.actors.tablet;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.segcompaction.LoadSegments;
import io.compactor.actors.segcompaction.SegcompactionService;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.rowset.RowsetMeta;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import io.compactor.storage.config.StorageKeys;
import org.roaringbitmap.RoaringBitmap;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;

/**
 * Writes one load's rows of one tablet into the segment files of a new rowset (files only; the
 * meta is committed later by the load's transaction). Runs on the load dispatcher. While it
 * writes, the segment-compaction actor merges its small segments; before the rowset is built the
 * writer waits for the merge in flight and renumbers the segments densely. A failure (E-238 too
 * many segments, E-3119 segment compaction failed, IO) leaves no file behind.
 */
final class LoadWriter {
    private LoadWriter() {
    }

    static PendingRowset write(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, RowBatch rows,
                               long writeBufferBytes, long maxSegments, SegcompactionService segcompaction) {
        LoadSegments segments = segcompaction.begin(dir, tabletId, rowsetId, schema, maxSegments, rows.size());
        RowsetWriter writer = new RowsetWriter(dir, tabletId, rowsetId, schema, writeBufferBytes, segments);
        try {
            writer.addAllShared(rows);
            return segments.finish(writer.build());
        } catch (StatusException e) {
            abort(segments, writer);
            throw e;
        } catch (Exception e) {
            abort(segments, writer);
            throw new StatusException(new Status(StatusCode.INTERNAL_ERROR,
                    "failed to write rowset " + rowsetId + " of tablet " + tabletId + ": " + e.getMessage()), e);
        }
    }

    /**
     * Writes a load's rows for tablet {@code s} on {@code executor} (settings and, for merge-on-write,
     * the basis of its marks read now, on the caller's thread). The caller holds the basis' files.
     */
    static CompletableFuture<TabletWrite> writeAsync(TabletState s, RowBatch rows, SegcompactionService segcompaction,
                                                     Executor executor) {
        return writeAsync(s, rows, null, segcompaction, executor);
    }

    /** As above; a partial update first fills the columns it does not give from the keys' current rows. */
    static CompletableFuture<TabletWrite> writeAsync(TabletState s, RowBatch rows, PartialUpdate partial,
                                                     SegcompactionService segcompaction, Executor executor) {
        long tabletId = s.tabletId();
        RowsetId rowsetId = s.engine.nextRowsetId();
        long writeBuffer = s.engine.config().get(StorageKeys.WRITE_BUFFER_SIZE);
        long maxSegments = s.engine.config().get(StorageKeys.MAX_SEGMENT_NUM_PER_ROWSET);
        var schema = s.table.schema();
        var dir = s.dir;
        if (s.mow == null) {
            if (partial != null) {
                return CompletableFuture.failedFuture(new StatusException(Status.invalidArgument(
                        "Only unique key merge on write support partial update")));
            }
            return CompletableFuture.supplyAsync(() -> new TabletWrite(write(dir, tabletId, rowsetId, schema, rows,
                    writeBuffer, maxSegments, segcompaction), null, Set.of()), executor);
        }
        List<RowsetMeta> basis = s.meta.rowsets();
        var deleted = s.mow.deleted();
        var calculator = s.mow.calculator();
        var keys = s.engine.primaryKeys();
        return CompletableFuture.supplyAsync(() -> {
            if (partial != null) {
                try {
                    partial.fill(dir, tabletId, schema, basis, deleted, keys, rows);
                } catch (IllegalArgumentException e) {
                    throw new StatusException(Status.invalidArgument(e.getMessage()), e);
                } catch (IOException e) {
                    throw new StatusException(Status.internal("tablet " + tabletId + ": partial update read failed: "
                            + e.getMessage()), e);
                }
            }
            TabletWrite w = writeWithMarks(dir, tabletId, rowsetId, schema, rows, writeBuffer, maxSegments,
                    segcompaction, calculator, basis, deleted);
            return partial == null ? w : new TabletWrite(w.rowset(), w.delta(), w.basis(), partial);
        }, executor);
    }

    /**
     * Merge-on-write: writes the rows, then marks the rows they supersede against {@code basis}, the
     * rowsets visible when the write began (held by the caller, so compaction can not delete their
     * files meanwhile); the commit reconciles what changed since. No file is left on failure.
     */
    static TabletWrite writeWithMarks(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, RowBatch rows,
                                      long writeBufferBytes, long maxSegments, SegcompactionService segcompaction,
                                      DeleteBitmapCalculator calculator, List<RowsetMeta> basis,
                                      Map<SegmentKey, RoaringBitmap> deleted) {
        PendingRowset rowset = write(dir, tabletId, rowsetId, schema, rows, writeBufferBytes, maxSegments,
                segcompaction);
        try {
            DeleteBitmap delta = calculator.calculate(rowsetId, rowset.segments(), basis, deleted, true);
            return new TabletWrite(rowset, delta, MowState.ids(basis));
        } catch (IOException | RuntimeException e) {
            try {
                dir.deleteRowsetFiles(tabletId, rowsetId, rowset.segments().size());
            } catch (IOException ignored) {
                // an orphan: swept at the next start
            }
            throw new StatusException(Status.internal("tablet " + tabletId + ": delete bitmap calculation failed: "
                    + e.getMessage()), e);
        }
    }

    /** Segment compaction first (it waits for a merge in flight), then the writer's own files. */
    private static void abort(LoadSegments segments, RowsetWriter writer) {
        segments.abort();
        writer.abort();
    }
}
