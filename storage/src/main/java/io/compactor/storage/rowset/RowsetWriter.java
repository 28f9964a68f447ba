package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import io.compactor.storage.DataDir;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentWriter;
import java.io.IOException;

/**
 * Writes the rows of one load into the segments of one new rowset. Rows are copied into a
 * {@link MemTable}; whenever it reaches {@code writeBufferBytes} (Doris's
 * {@code write_buffer_size}) it is sorted (and, for UNIQUE_KEYS, deduplicated keeping the newest
 * row) and flushed as the next segment {@code {rowsetId}_{segmentId}.dat}. Segments of one load
 * may overlap each other, so a rowset with more than one is OVERLAPPING.
 *
 * <p>Files first, meta second: {@link #build()} returns only after every file is fsynced under
 * its final name; the caller then commits the meta, or calls {@link #abort()}.
 *
 * <p>Not thread-safe: one load thread drives it.
 */
public final class RowsetWriter implements AutoCloseable {
    private final SegmentSeries series;
    private final MemTable memTable;
    private final long writeBufferBytes;
    private long rowsAdded;
    private long mergedRows;
    private boolean built;
    private boolean aborted;
    private boolean failed;

    /**
     * @param writeBufferBytes memtable size that triggers a segment flush; must be positive
     * @param listener         told about each finished segment; may be null
     */
    public RowsetWriter(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, long writeBufferBytes,
                        SegmentFlushListener listener) {
        if (writeBufferBytes <= 0) {
            throw new IllegalArgumentException("write buffer size must be positive, got " + writeBufferBytes);
        }
        this.series = new SegmentSeries(dir, tabletId, rowsetId, schema, listener);
        this.memTable = new MemTable(schema);
        this.writeBufferBytes = writeBufferBytes;
    }

    /** Copies one row; flushes a segment if the memtable is full. */
    public void add(RowBatch batch, int row) throws IOException {
        checkWritable();
        checkSchema(batch);
        memTable.add(batch, row);
        rowsAdded++;
        if (memTable.estimatedBytes() >= writeBufferBytes) {
            flush();
        }
    }

    /** Copies every row of {@code batch}, flushing segments as the memtable fills. */
    public void addAll(RowBatch batch) throws IOException {
        checkWritable();
        checkSchema(batch);
        int n = batch.size();
        for (int r = 0; r < n; r++) {
            memTable.add(batch, r);
            rowsAdded++;
            if (memTable.estimatedBytes() >= writeBufferBytes) {
                flush();
            }
        }
    }

    private void checkSchema(RowBatch batch) {
        Schema schema = memTable.schema();
        if (batch.schema() != schema && !batch.schema().equals(schema)) {
            throw new IllegalArgumentException(series.describe() + ": batch schema " + batch.schema()
                    + " differs from the rowset schema " + schema);
        }
    }

    /** Writes the memtable as the next segment, if it has rows. */
    public void flush() throws IOException {
        checkWritable();
        if (memTable.isEmpty()) {
            return;
        }
        try {
            int[] order = memTable.sortedOrder();
            mergedRows += memTable.rowCount() - order.length;
            SegmentWriter w = series.openNext();
            w.appendRows(memTable.rows(), order, 0, order.length);
            series.finishOpen();
            memTable.clear();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Flushes the rest and returns the written rowset: its segments in id order, OVERLAPPING when
     * there is more than one. A load of no rows yields no segments.
     */
    public PendingRowset build() throws IOException {
        flush();
        built = true;
        int n = series.finishedCount();
        return series.build(n > 1 ? SegmentsOverlap.OVERLAPPING : SegmentsOverlap.NONOVERLAPPING);
    }

    /** Deletes every file written (also after {@link #build()}, if the commit failed). Never throws. */
    public void abort() {
        aborted = true;
        series.abort();
        memTable.clear();
    }

    /** Aborts unless {@link #build()} succeeded. */
    @Override
    public void close() {
        if (!built && !aborted) {
            abort();
        }
    }

    /** Segments finished so far. */
    public int segmentCount() {
        return series.finishedCount();
    }

    /** Rows given to {@link #add}/{@link #addAll} so far. */
    public long rowsAdded() {
        return rowsAdded;
    }

    /** Rows dropped because a newer row of the same key arrived in the same memtable (UNIQUE_KEYS). */
    public long mergedRows() {
        return mergedRows;
    }

    /** Bytes in the memtable, not yet flushed. */
    public long bufferedBytes() {
        return memTable.estimatedBytes();
    }

    private void checkWritable() {
        if (built || aborted || failed) {
            throw new IllegalStateException(series.describe() + " writer is "
                    + (failed ? "failed" : built ? "already built" : "aborted"));
        }
    }
}
