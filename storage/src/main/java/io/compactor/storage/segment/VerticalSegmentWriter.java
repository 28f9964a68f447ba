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
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    private final Path file;
    private final Path tmp;
    private final Schema schema;
    private final FileChannel channel;
    private final OutputStream out;
    private final PageIndex[] index;
    private final boolean[] written;
    private final CRC32C crc = new CRC32C();
    private final byte[] crcBytes = new byte[4];
    private final PageSink sink = this::storePage;
    private byte[] compressed = new byte[LZ4.maxCompressedLength(SegmentFormat.TARGET_PAGE_BYTES + 1024)];
    private ColumnPageBuilder[] builders;
    private int[] groupColumns;
    private boolean keyGroup;
    private long groupRows;
    private long rows = -1;
    private long position;
    private byte[] minKey;
    private RowBatch lastKey;
    private boolean finished;
    private boolean closed;
    private boolean failed;
    private DebugPoints faults = DebugPoints.NONE;
    private long tabletId = -1;

    private VerticalSegmentWriter(Path file, Path tmp, Schema schema, FileChannel channel) {
        this.file = file;
        this.tmp = tmp;
        this.schema = schema;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
        this.index = new PageIndex[schema.columnCount()];
        this.written = new boolean[schema.columnCount()];
    }

    /** Creates the temp file and writes the header; the final name must not exist yet. */
    public static VerticalSegmentWriter create(Path file, Schema schema) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "segment files are immutable");
        }
        Path tmp = file.resolveSibling(file.getFileName() + SegmentWriter.TEMP_SUFFIX);
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        VerticalSegmentWriter w = new VerticalSegmentWriter(file, tmp, schema, ch);
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
     * {@code segment.fsync} and {@code segment.rename}, as {@link SegmentWriter}'s do.
     */
    public static VerticalSegmentWriter create(Path file, Schema schema, DebugPoints faults, long tabletId)
            throws IOException {
        VerticalSegmentWriter w = create(file, schema);
        w.faults = faults;
        w.tabletId = tabletId;
        return w;
    }

    public Path path() {
        return file;
    }

    /** Bytes written to the file so far. */
    public long bytesWritten() {
        return position;
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
            throw new IllegalStateException("segment " + file + ": a column group is still open");
        }
        boolean keys = rows < 0;
        if (keys && (columns.length != schema.keyCount() || !isPrefix(columns))) {
            throw new IllegalArgumentException("segment " + file + ": the first column group must be the "
                    + schema.keyCount() + " key column(s)");
        }
        ByteSink page = new ByteSink(4096);
        PackScratch words = new PackScratch();
        ColumnPageBuilder[] b = new ColumnPageBuilder[columns.length];
        for (int i = 0; i < columns.length; i++) {
            int c = columns[i];
            if (c < 0 || c >= written.length || written[c] || (!keys && c < schema.keyCount())) {
                throw new IllegalArgumentException("segment " + file + ": column " + c
                        + " is not a value column still to be written");
            }
            b[i] = new ColumnPageBuilder(c, schema.column(c).name(), schema.column(c).type().physical(),
                    schema.column(c).nullable(), SegmentFormat.DEFAULT_PAGE_ROWS, page, words);
            index[c] = new PageIndex(16);
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
            throw new IllegalStateException("segment " + file + ": no column group is open");
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
            throw new IllegalArgumentException("segment " + file + ": column group gets more than the " + rows
                    + " rows of the key group");
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.appendRange(batch, from, to, sink);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
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
        return new IllegalArgumentException("segment " + file + ": row " + segmentRow
                + " has a smaller key than the row before it; rows must arrive in key order");
    }

    /** Flushes the open group's last pages and lets go of its builders. */
    public void finishGroup() throws IOException {
        checkWritable();
        if (builders == null) {
            throw new IllegalStateException("segment " + file + ": no column group is open");
        }
        if (!keyGroup && groupRows != rows) {
            failed = true;
            throw new IllegalStateException("segment " + file + ": column group " + java.util.Arrays.toString(
                    groupColumns) + " got " + groupRows + " rows, the key group " + rows);
        }
        try {
            for (ColumnPageBuilder b : builders) {
                b.flush(sink);
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
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
     * Writes the footer once every column was written, fsyncs, renames the file to its final name
     * and closes it. Returns the rows, file size, key bounds and the footer's CRC32C.
     */
    public SegmentMeta finish() throws IOException {
        checkWritable();
        if (builders != null) {
            throw new IllegalStateException("segment " + file + ": a column group is still open");
        }
        for (int c = 0; c < written.length; c++) {
            if (!written[c]) {
                throw new IllegalStateException("segment " + file + ": column '" + schema.column(c).name()
                        + "' was never written");
            }
        }
        try {
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

    private void checkWritable() {
        if (closed || finished || failed) {
            throw new IllegalStateException("segment " + file + " is " + (failed ? "failed" : "closed") + " for writing");
        }
    }

    /** Closes and deletes the file (temp or, after {@link #finish()}, final). Never throws. */
    public void abort() {
        closed = true;
        builders = null;
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // the file is being discarded
        }
        try {
            Files.deleteIfExists(tmp);
            if (finished) {
                Files.deleteIfExists(file);
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort: the orphan sweep removes what is left
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
