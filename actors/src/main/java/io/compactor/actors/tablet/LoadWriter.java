package io.compactor.actors.tablet;

import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetId;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;

/**
 * Writes one load's rows of one tablet into the segment files of a new rowset (files only; the
 * meta is committed later by the load's transaction). Runs on the load dispatcher.
 */
final class LoadWriter {
    private LoadWriter() {
    }

    static PendingRowset write(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, RowBatch rows,
                               long writeBufferBytes, long maxSegments) {
        RowsetWriter writer = new RowsetWriter(dir, tabletId, rowsetId, schema, writeBufferBytes,
                (segmentId, meta, file) -> {
                    if (segmentId + 1 > maxSegments) {
                        throw new StatusException(Status.TOO_MANY_SEGMENTS, tooManySegments(tabletId, rowsetId,
                                maxSegments, segmentId + 1, rows.size()));
                    }
                });
        try {
            writer.addAll(rows);
            return writer.build();
        } catch (StatusException e) {
            writer.abort();
            throw e;
        } catch (Exception e) {
            writer.abort();
            throw new StatusException(new Status(Status.INTERNAL_ERROR,
                    "failed to write rowset " + rowsetId + " of tablet " + tabletId + ": " + e.getMessage()), e);
        }
    }

    /** Doris's TOO_MANY_SEGMENTS message. */
    static String tooManySegments(long tabletId, RowsetId rowsetId, long max, long numSegment, long rows) {
        return "too many segments in rowset. tablet_id:" + tabletId + ", rowset_id:" + rowsetId + ", max:" + max
                + ", _num_segment:" + numSegment + ", _segcompacted_point:0, _num_segcompacted:0, rowset_num_rows:"
                + rows + ". Please check if the bucket number is too small or if the data is skewed.";
    }
}
