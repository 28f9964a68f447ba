package io.compactor.actors.tablet;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.segcompaction.LoadSegments;
import io.compactor.actors.segcompaction.SegcompactionService;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
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
            writer.addAll(rows);
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

    /** Segment compaction first (it waits for a merge in flight), then the writer's own files. */
    private static void abort(LoadSegments segments, RowsetWriter writer) {
        segments.abort();
        writer.abort();
    }
}
