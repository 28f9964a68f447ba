package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import io.compactor.storage.DataDir;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentWriter;
import java.io.IOException;
import java.util.Arrays;

/**
 * Writes rows that already arrive in key order (compaction output) straight into segments of one
 * new rowset, starting a new segment every {@code maxSegmentRows} rows. The segments are
 * consecutive key ranges, so the rowset is NONOVERLAPPING; out-of-order rows are rejected, also
 * across a segment boundary.
 *
 * <p>Files first, meta second, as {@link RowsetWriter}. Not thread-safe.
 */
public final class SortedRowsetWriter implements AutoCloseable {
    private final SegmentSeries series;
    private final long maxSegmentRows;
    private boolean built;
    private boolean aborted;
    private boolean failed;

    /**
     * @param maxSegmentRows rows after which a segment is closed and the next one started; positive
     * @param listener       told about each finished segment; may be null
     */
    public SortedRowsetWriter(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, long maxSegmentRows,
                              SegmentFlushListener listener) {
        if (maxSegmentRows <= 0) {
            throw new IllegalArgumentException("max segment rows must be positive, got " + maxSegmentRows);
        }
        this.series = new SegmentSeries(dir, tabletId, rowsetId, schema, listener);
        this.maxSegmentRows = maxSegmentRows;
    }

    public void append(RowBatch batch, int row) throws IOException {
        appendRange(batch, row, row + 1);
    }

    /** Appends rows {@code [from, to)}, which must continue the key order. */
    public void appendRange(RowBatch batch, int from, int to) throws IOException {
        checkWritable();
        try {
            int r = from;
            while (r < to) {
                if (!series.hasOpen()) {
                    startSegment(batch, r);
                }
                SegmentWriter w = series.open();
                int n = (int) Math.min(to - r, maxSegmentRows - w.rowCount());
                w.appendRange(batch, r, r + n);
                r += n;
                if (w.rowCount() >= maxSegmentRows) {
                    series.finishOpen();
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void startSegment(RowBatch batch, int firstRow) throws IOException {
        byte[] previousMax = series.lastMaxKey();
        if (previousMax != null && Arrays.compareUnsigned(previousMax, KeyCodec.encodeKey(batch, firstRow)) > 0) {
            throw new IllegalArgumentException(series.describe() + ": segment " + series.finishedCount()
                    + " would start with a key smaller than the end of the previous segment; rows must arrive in key order");
        }
        series.openNext();
    }

    /** Rows appended so far. */
    public long rowCount() {
        return series.finishedRows() + (series.hasOpen() ? series.open().rowCount() : 0);
    }

    /** Bytes of output so far: finished segments and the open one (its buffered pages included). */
    public long bytesWritten() {
        return series.finishedBytes() + (series.hasOpen() ? series.open().estimatedBytes() : 0);
    }

    /** Segments finished so far (the open one not counted). */
    public int segmentCount() {
        return series.finishedCount();
    }

    /** Finishes the open segment and returns the NONOVERLAPPING rowset (no segments if no rows). */
    public PendingRowset build() throws IOException {
        checkWritable();
        try {
            if (series.hasOpen()) {
                series.finishOpen();
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
        built = true;
        return series.build(SegmentsOverlap.NONOVERLAPPING);
    }

    /** Deletes every file written (also after {@link #build()}). Never throws. */
    public void abort() {
        aborted = true;
        series.abort();
    }

    /** Aborts unless {@link #build()} succeeded. */
    @Override
    public void close() {
        if (!built && !aborted) {
            abort();
        }
    }

    private void checkWritable() {
        if (built || aborted || failed) {
            throw new IllegalStateException(series.describe() + " writer is "
                    + (failed ? "failed" : built ? "already built" : "aborted"));
        }
    }
}
