package io.compactor.storage.segment;

import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one segment file column group by column group, as Doris's vertical segment writer does
 * for vertical compaction: all rows of the key group first, then all rows of each value group.
 * Only the open group's page builders exist at a time, so a wide table's output costs the memory
 * of one group, not of every column. The file is the same format as {@link SegmentWriter}'s
 * (pages of different columns may follow each other in any order; the footer indexes them).
 *
 * <p>Protocol: {@link #startGroup} with the key columns, {@link #appendRange} every row in key
 * order, {@link #finishGroup}; then the same for each value group with exactly as many rows;
 * then {@link #finish()}, which requires every column to have been written. Files: {@code .tmp}
 * until {@link #finish()} renames it, as {@link SegmentWriter}. Not thread-safe.
 */
public final class VerticalSegmentWriter implements AutoCloseable {
    private final SegmentFileOut out;
    private final Schema schema;
    private final boolean[] written;
    private final PageSink sink;
    private ColumnPageBuilder[] builders;
    private int[] groupColumns;
    private boolean keyGroup;
    private long groupRows;
    private long rows = -1;
    private byte[] minKey;
    private RowBatch lastKey;

    private VerticalSegmentWriter(SegmentFileOut out, Schema schema) {
        this.out = out;
        this.schema = schema;
        this.sink = out::storePage;
        this.written = new boolean[schema.columnCount()];
    }

    /** Creates the temp file and writes the header; the final name must not exist yet. */
    public static VerticalSegmentWriter create(Path file, Schema schema) throws IOException {
        return new VerticalSegmentWriter(SegmentFileOut.create(file, schema.columnCount()), schema);
    }

    /**
     * A writer whose write, fsync and rename steps fire the debug points {@code segment.write},
     * {@code segment.fsync} and {@code segment.rename}, as {@link SegmentWriter}'s do.
     */
    public static VerticalSegmentWriter create(Path file, Schema schema, DebugPoints faults, long tabletId)
            throws IOException {
        VerticalSegmentWriter w = create(file, schema);
        w.out.faults(faults, tabletId);
        return w;
    }

    public Path path() {
        return out.file();
    }

    /** Bytes written to the file so far. */
    public long bytesWritten() {
        return out.position();
    }

    /** Rows of the segment, known once the key group is finished; until then the key rows so far. */
    public long rowCount() {
        return rows >= 0 ? rows : groupRows;
    }

    /**
     * Opens the next group. The first group must be exactly the key columns; later groups any
     * value columns not written yet.
     */
    public void startGroup(int[] columns) {
        checkWritable();
        if (builders != null) {
            throw new IllegalStateException("segment " + out.file() + ": a column group is still open");
        }
        boolean keys = rows < 0;
        if (keys && (columns.length != schema.keyCount() || !isPrefix(columns))) {
            throw new IllegalArgumentException("segment " + out.file() + ": the first column group must be the "
                    + schema.keyCount() + " key column(s)");
        }
        ByteSink page = new ByteSink(4096);
        PackScratch words = new PackScratch();
        ColumnPageBuilder[] b = new ColumnPageBuilder[columns.length];
        for (int i = 0; i < columns.length; i++) {
            int c = columns[i];
            if (c < 0 || c >= written.length || written[c] || (!keys && c < schema.keyCount())) {
                throw new IllegalArgumentException("segment " + out.file() + ": column " + c
                        + " is not a value column still to be written");
            }
            b[i] = new ColumnPageBuilder(c, schema.column(c).name(), schema.column(c).type().physical(),
                    schema.column(c).nullable(), SegmentFormat.DEFAULT_PAGE_ROWS, page, words);
            out.startColumn(c);
        }
        builders = b;
        groupColumns = columns.clone();
        keyGroup = keys;
        groupRows = 0;
        if (keys) {
            lastKey = new RowBatch(schema, 1);
            lastKey.reserveRows(1);
        }
    }

    private static boolean isPrefix(int[] columns) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Appends rows {@code [from, to)} of the open group's columns; key rows must continue the key order. */
    public void appendRange(RowBatch batch, int from, int to) throws IOException {
        checkWritable();
        if (builders == null) {
            throw new IllegalStateException("segment " + out.file() + ": no column group is open");
        }
        if (from < 0 || to > batch.size() || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of a batch of " + batch.size());
        }
        if (from == to) {
            return;
        }
        if (keyGroup) {
            checkKeyOrder(batch, from, to);
        } else if (groupRows + (to - from) > rows) {
            throw new IllegalArgumentException("segment " + out.file() + ": column group gets more than the " + rows
                    + " rows of the key group");
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.appendRange(batch, from, to, sink);
            }
        } catch (IOException | RuntimeException e) {
            out.fail();
            throw e;
        }
        groupRows += to - from;
    }

    private void checkKeyOrder(RowBatch batch, int from, int to) {
        if (groupRows > 0 && lastKey.compareKeys(0, batch, from) > 0) {
            throw outOfOrder(groupRows);
        }
        for (int r = from + 1; r < to; r++) {
            if (batch.compareKeys(r - 1, batch, r) > 0) {
                throw outOfOrder(groupRows + (r - from));
            }
        }
        if (groupRows == 0) {
            minKey = KeyCodec.encodeKey(batch, from);
        }
        lastKey.copyColumns(0, batch, to - 1, 0, schema.keyCount());
    }

    private IllegalArgumentException outOfOrder(long segmentRow) {
        return new IllegalArgumentException("segment " + out.file() + ": row " + segmentRow
                + " has a smaller key than the row before it; rows must arrive in key order");
    }

    /** Flushes the open group's last pages and lets go of its builders. */
    public void finishGroup() throws IOException {
        checkWritable();
        if (builders == null) {
            throw new IllegalStateException("segment " + out.file() + ": no column group is open");
        }
        if (!keyGroup && groupRows != rows) {
            out.fail();
            throw new IllegalStateException("segment " + out.file() + ": column group " + java.util.Arrays.toString(
                    groupColumns) + " got " + groupRows + " rows, the key group " + rows);
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.flush(sink);
            }
        } catch (IOException | RuntimeException e) {
            out.fail();
            throw e;
        }
        for (int c : groupColumns) {
            written[c] = true;
        }
        if (keyGroup) {
            rows = groupRows;
        }
        builders = null;
        groupColumns = null;
    }

    /**
     * Writes the footer once every column was written, fsyncs, renames the file to its final name
     * and closes it. Returns the rows, file size, key bounds and the footer's CRC32C.
     */
    public SegmentMeta finish() throws IOException {
        checkWritable();
        if (builders != null) {
            throw new IllegalStateException("segment " + out.file() + ": a column group is still open");
        }
        for (int c = 0; c < written.length; c++) {
            if (!written[c]) {
                throw new IllegalStateException("segment " + out.file() + ": column '" + schema.column(c).name()
                        + "' was never written");
            }
        }
        return out.finish(schema, rows, minKey, lastKey);
    }

    private void checkWritable() {
        if (!out.writable()) {
            throw new IllegalStateException("segment " + out.file() + " is " + (out.failed() ? "failed" : "closed")
                    + " for writing");
        }
    }

    /** Closes and deletes the file (temp or, after {@link #finish()}, final). Never throws. */
    public void abort() {
        builders = null;
        out.abort();
    }

    /** Aborts unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        if (!out.finished()) {
            abort();
        }
    }
}
