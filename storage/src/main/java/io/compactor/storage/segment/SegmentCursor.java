package io.compactor.storage.segment;

import io.compactor.storage.schema.RowBatch;
import java.io.IOException;

/**
 * Sequential batched reader over one segment: each {@link #next()} returns the following
 * {@code batchRows} rows (fewer at the end) until it returns {@code null}. Optionally reads only
 * some columns (vertical compaction). Not thread-safe; the reader must stay open.
 */
public final class SegmentCursor {
    private final SegmentReader reader;
    private final int batchRows;
    private final int[] columns;
    private long position;

    private SegmentCursor(SegmentReader reader, int batchRows, int[] columns) {
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be at least 1, got " + batchRows);
        }
        this.reader = reader;
        this.batchRows = batchRows;
        this.columns = columns == null ? null : columns.clone();
    }

    /** A cursor over all columns. */
    public static SegmentCursor open(SegmentReader r, int batchRows) {
        return new SegmentCursor(r, batchRows, null);
    }

    /** A cursor filling only {@code columns}; the others are zero/empty (see {@link SegmentReader#readColumns}). */
    public static SegmentCursor open(SegmentReader r, int batchRows, int[] columns) {
        return new SegmentCursor(r, batchRows, columns);
    }

    /** The next batch in a new {@link RowBatch}, or {@code null} when all rows were returned. */
    public RowBatch next() throws IOException {
        int n = nextCount();
        if (n == 0) {
            return null;
        }
        RowBatch batch = new RowBatch(reader.schema(), n);
        reader.readColumns(position, n, columns, batch);
        position += n;
        return batch;
    }

    /** Clears {@code into} and fills it with the next batch; false (and empty) at the end. */
    public boolean next(RowBatch into) throws IOException {
        into.clear();
        int n = nextCount();
        if (n == 0) {
            return false;
        }
        reader.readColumns(position, n, columns, into);
        position += n;
        return true;
    }

    private int nextCount() {
        return (int) Math.min(batchRows, reader.rowCount() - position);
    }

    /** Segment row id of the next row to be returned. */
    public long position() {
        return position;
    }

    public long remaining() {
        return reader.rowCount() - position;
    }
}
