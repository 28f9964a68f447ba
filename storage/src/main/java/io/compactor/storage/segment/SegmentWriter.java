package io.compactor.storage.segment;

import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one segment file (format in {@link SegmentFormat}): rows arrive in non-decreasing key
 * order, are buffered per column into pages, and each full page is encoded, LZ4-compressed,
 * checksummed and appended to the file.
 *
 * <p><b>Files.</b> Data goes to {@code {file}.tmp}; {@link #finish()} writes the footer, fsyncs,
 * renames the temp file to {@code file} and fsyncs the directory. So a file with the final name
 * is always complete, and a crash leaves only a {@code .tmp} file for the orphan sweep. The final
 * name must not exist yet: segment files are immutable and never overwritten.
 *
 * <p>Not thread-safe: one writer belongs to one thread at a time.
 */
public final class SegmentWriter implements AutoCloseable {
    /** Suffix of a segment file being written. */
    public static final String TEMP_SUFFIX = ".tmp";

    private final SegmentFileOut out;
    private final Schema schema;
    private final ColumnPageBuilder[] builders;
    private final PageSink sink;
    private final RowBatch lastKey;
    private long rows;
    private byte[] minKey;

    private SegmentWriter(SegmentFileOut out, Schema schema, int maxPageRows) {
        this.out = out;
        this.schema = schema;
        this.sink = out::storePage;
        int n = schema.columnCount();
        this.builders = new ColumnPageBuilder[n];
        ByteSink page = new ByteSink(4096);
        PackScratch words = new PackScratch();
        for (int c = 0; c < n; c++) {
            builders[c] = new ColumnPageBuilder(c, schema.column(c).name(), schema.column(c).type().physical(),
                    schema.column(c).nullable(), maxPageRows, page, words);
            out.startColumn(c);
        }
        this.lastKey = new RowBatch(schema, 1);
        lastKey.reserveRows(1);
    }

    /** Creates a writer with the default page size (4096 rows or ~64 KiB). */
    public static SegmentWriter create(Path file, Schema schema) throws IOException {
        return create(file, schema, SegmentFormat.DEFAULT_PAGE_ROWS);
    }

    /** Creates a writer whose pages hold at most {@code maxPageRows} rows (1..65536). */
    public static SegmentWriter create(Path file, Schema schema, int maxPageRows) throws IOException {
        if (maxPageRows < 1 || maxPageRows > 65536) {
            throw new IllegalArgumentException("maxPageRows must be between 1 and 65536, got " + maxPageRows);
        }
        return new SegmentWriter(SegmentFileOut.create(file, schema.columnCount()), schema, maxPageRows);
    }

    /**
     * A writer whose write, fsync and rename steps fire the debug points {@code segment.write},
     * {@code segment.fsync} and {@code segment.rename}.
     */
    public static SegmentWriter create(Path file, Schema schema, DebugPoints faults, long tabletId)
            throws IOException {
        SegmentWriter w = create(file, schema, SegmentFormat.DEFAULT_PAGE_ROWS);
        w.out.faults(faults, tabletId);
        return w;
    }

    /** The final path of the segment. */
    public Path path() {
        return out.file();
    }

    public long rowCount() {
        return rows;
    }

    /** Bytes written to the file plus raw bytes buffered in open pages. */
    public long estimatedBytes() {
        long b = out.position();
        for (ColumnPageBuilder builder : builders) {
            b += builder.bufferedBytes();
        }
        return b;
    }

    public void append(RowBatch batch, int row) throws IOException {
        appendRange(batch, row, row + 1);
    }

    /** Appends rows {@code [from, to)} of {@code batch}, which must continue the key order. */
    public void appendRange(RowBatch batch, int from, int to) throws IOException {
        checkWritable(batch);
        if (from < 0 || to > batch.size() || from > to) {
            throw new IndexOutOfBoundsException("rows [" + from + ", " + to + ") of a batch of " + batch.size());
        }
        if (from == to) {
            return;
        }
        checkAfterLast(batch, from);
        for (int r = from + 1; r < to; r++) {
            if (batch.compareKeys(r - 1, batch, r) > 0) {
                throw outOfOrder(rows + (r - from));
            }
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.appendRange(batch, from, to, sink);
            }
        } catch (IOException | RuntimeException e) {
            out.fail();
            throw e;
        }
        accept(batch, from, to - 1, to - from);
    }

    /**
     * Appends the rows {@code rows[from..to)} of {@code batch} in that order (a gather, e.g. a
     * sorted memtable order), which must continue the key order.
     */
    public void appendRows(RowBatch batch, int[] rows, int from, int to) throws IOException {
        checkWritable(batch);
        if (from == to) {
            return;
        }
        checkAfterLast(batch, rows[from]);
        for (int i = from + 1; i < to; i++) {
            if (batch.compareKeys(rows[i - 1], batch, rows[i]) > 0) {
                throw outOfOrder(this.rows + (i - from));
            }
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.appendRows(batch, rows, from, to, sink);
            }
        } catch (IOException | RuntimeException e) {
            out.fail();
            throw e;
        }
        accept(batch, rows[from], rows[to - 1], to - from);
    }

    private void checkWritable(RowBatch batch) {
        if (!out.writable()) {
            throw new IllegalStateException("segment " + out.file() + " is " + (out.failed() ? "failed" : "closed")
                    + " for writing");
        }
        if (batch.schema() != schema && !batch.schema().equals(schema)) {
            throw new IllegalArgumentException("segment " + out.file() + ": batch schema " + batch.schema()
                    + " differs from the segment schema " + schema);
        }
    }

    private void checkAfterLast(RowBatch batch, int firstRow) {
        if (rows > 0 && lastKey.compareKeys(0, batch, firstRow) > 0) {
            throw outOfOrder(rows);
        }
    }

    private IllegalArgumentException outOfOrder(long segmentRow) {
        return new IllegalArgumentException("segment " + out.file() + ": row " + segmentRow
                + " has a smaller key than the row before it; rows must arrive in key order");
    }

    private void accept(RowBatch batch, int firstRow, int lastRow, int count) {
        if (rows == 0) {
            minKey = KeyCodec.encodeKey(batch, firstRow);
        }
        lastKey.copyColumns(0, batch, lastRow, 0, schema.keyCount());
        rows += count;
    }

    /**
     * Flushes the open pages, writes the footer, fsyncs, renames the file to its final name and
     * closes it. Returns the rows, file size, key bounds and the footer's CRC32C.
     */
    public SegmentMeta finish() throws IOException {
        if (!out.writable()) {
            throw new IllegalStateException("segment " + out.file() + " is already finished, closed or failed");
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.flush(sink);
            }
        } catch (IOException | RuntimeException e) {
            out.fail();
            throw e;
        }
        return out.finish(schema, rows, minKey, lastKey);
    }

    /** Closes and deletes the file (temp or, after {@link #finish()}, final). Never throws. */
    public void abort() {
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
