package io.compactor.storage.segment;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.FileSync;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

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

    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    private final Path file;
    private final Path tmp;
    private final Schema schema;
    private final FileChannel channel;
    private final OutputStream out;
    private final ColumnPageBuilder[] builders;
    private final PageIndex[] index;
    private final PageSink sink = this::storePage;
    private final CRC32C crc = new CRC32C();
    private final RowBatch lastKey;
    private byte[] compressed = new byte[LZ4.maxCompressedLength(SegmentFormat.TARGET_PAGE_BYTES + 1024)];
    private final byte[] crcBytes = new byte[4];
    private long position;
    private long rows;
    private byte[] minKey;
    private boolean finished;
    private boolean closed;
    private boolean failed;
    private DebugPoints faults = DebugPoints.NONE;
    private long tabletId = -1;

    private SegmentWriter(Path file, Path tmp, Schema schema, FileChannel channel, int maxPageRows) {
        this.file = file;
        this.tmp = tmp;
        this.schema = schema;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 256 * 1024);
        int n = schema.columnCount();
        this.builders = new ColumnPageBuilder[n];
        this.index = new PageIndex[n];
        ByteSink page = new ByteSink(SegmentFormat.TARGET_PAGE_BYTES + 4096);
        long[] words = new long[maxPageRows];
        for (int c = 0; c < n; c++) {
            builders[c] = new ColumnPageBuilder(c, schema.column(c).name(), schema.column(c).type().physical(),
                    schema.column(c).nullable(), maxPageRows, page, words);
            index[c] = new PageIndex(16);
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
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "segment files are immutable");
        }
        Path tmp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        SegmentWriter w = new SegmentWriter(file, tmp, schema, ch, maxPageRows);
        try {
            w.write(SegmentFormat.MAGIC, 0, 4);
            LittleEndian.putInt(w.crcBytes, 0, SegmentFormat.FORMAT_VERSION);
            w.write(w.crcBytes, 0, 4);
        } catch (IOException | RuntimeException e) {
            w.abort();
            throw e;
        }
        return w;
    }

    /**
     * A writer whose write, fsync and rename steps fire the debug points {@code segment.write},
     * {@code segment.fsync} and {@code segment.rename}.
     */
    public static SegmentWriter create(Path file, Schema schema, DebugPoints faults, long tabletId)
            throws IOException {
        SegmentWriter w = create(file, schema, SegmentFormat.DEFAULT_PAGE_ROWS);
        w.faults = faults;
        w.tabletId = tabletId;
        return w;
    }

    /** The final path of the segment. */
    public Path path() {
        return file;
    }

    public long rowCount() {
        return rows;
    }

    /** Bytes written to the file plus raw bytes buffered in open pages. */
    public long estimatedBytes() {
        long b = position;
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
            failed = true;
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
            failed = true;
            throw e;
        }
        accept(batch, rows[from], rows[to - 1], to - from);
    }

    private void checkWritable(RowBatch batch) {
        if (closed || finished || failed) {
            throw new IllegalStateException("segment " + file + " is " + (failed ? "failed" : "closed") + " for writing");
        }
        if (batch.schema() != schema && !batch.schema().equals(schema)) {
            throw new IllegalArgumentException("segment " + file + ": batch schema " + batch.schema()
                    + " differs from the segment schema " + schema);
        }
    }

    private void checkAfterLast(RowBatch batch, int firstRow) {
        if (rows > 0 && lastKey.compareKeys(0, batch, firstRow) > 0) {
            throw outOfOrder(rows);
        }
    }

    private IllegalArgumentException outOfOrder(long segmentRow) {
        return new IllegalArgumentException("segment " + file + ": row " + segmentRow
                + " has a smaller key than the row before it; rows must arrive in key order");
    }

    private void accept(RowBatch batch, int firstRow, int lastRow, int count) {
        if (rows == 0) {
            minKey = KeyCodec.encodeKey(batch, firstRow);
        }
        lastKey.copyColumns(0, batch, lastRow, 0, schema.keyCount());
        rows += count;
    }

    private void storePage(int column, int pageRows, byte[] raw, int rawLength) throws IOException {
        int bound = LZ4.maxCompressedLength(rawLength);
        if (compressed.length < bound) {
            compressed = new byte[bound];
        }
        int len = LZ4.compress(raw, 0, rawLength, compressed, 0, compressed.length);
        byte[] stored = compressed;
        if (len >= rawLength) {
            stored = raw;
            len = rawLength;
        }
        crc.reset();
        crc.update(stored, 0, len);
        int c = (int) crc.getValue();
        long offset = position;
        write(stored, 0, len);
        LittleEndian.putInt(crcBytes, 0, c);
        write(crcBytes, 0, 4);
        index[column].add(offset, len, rawLength, pageRows, c);
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }

    /**
     * Flushes the open pages, writes the footer, fsyncs, renames the file to its final name and
     * closes it. Returns the rows, file size, key bounds and the footer's CRC32C.
     */
    public SegmentMeta finish() throws IOException {
        if (closed || finished || failed) {
            throw new IllegalStateException("segment " + file + " is already finished, closed or failed");
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.flush(sink);
            }
            ColumnType[] types = new ColumnType[schema.columnCount()];
            boolean[] nullable = new boolean[types.length];
            for (int c = 0; c < types.length; c++) {
                types[c] = schema.column(c).type();
                nullable[c] = schema.column(c).nullable();
            }
            faults.ioFailIfHit("segment.write", tabletId, "writing segment " + tmp);
            byte[] min = rows == 0 ? new byte[0] : minKey;
            byte[] max = rows == 0 ? new byte[0] : KeyCodec.encodeKey(lastKey, 0);
            ByteSink footer = new ByteSink(256 + 40 * index.length * Math.max(1, index[0].pageCount()));
            new SegmentFooter(rows, schema.keyCount(), types, nullable, min, max, index).writeTo(footer);
            crc.reset();
            crc.update(footer.array(), 0, footer.length());
            int footerCrc = (int) crc.getValue();
            write(footer.array(), 0, footer.length());
            byte[] trailer = new byte[SegmentFormat.TRAILER_BYTES];
            LittleEndian.putInt(trailer, 0, footerCrc);
            LittleEndian.putInt(trailer, 4, footer.length());
            System.arraycopy(SegmentFormat.MAGIC, 0, trailer, 8, 4);
            write(trailer, 0, trailer.length);
            out.flush();
            faults.ioFailIfHit("segment.fsync", tabletId, "fsync of segment " + tmp);
            channel.force(true);
            channel.close();
            closed = true;
            faults.ioFailIfHit("segment.rename", tabletId, "rename of segment " + tmp + " to " + file.getFileName());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            finished = true;
            FileSync.syncDirectory(file.toAbsolutePath().getParent());
            return new SegmentMeta(rows, position, min, max, footerCrc);
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Closes and deletes the file (temp or, after {@link #finish()}, final). Never throws. */
    public void abort() {
        closeQuietly();
        try {
            Files.deleteIfExists(tmp);
            if (finished) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the orphan sweep removes what is left
        }
    }

    private void closeQuietly() {
        closed = true;
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to do: the file is being discarded
        }
    }

    /** Aborts unless {@link #finish()} succeeded. */
    @Override
    public void close() {
        if (!finished) {
            abort();
        }
    }
}
