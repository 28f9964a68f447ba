package io.compactor.storage.segment;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Reads a segment file. {@link #open} reads and verifies the header, trailer and footer (CRC32C),
 * and checks the columns against the expected schema; pages are read on demand with positional
 * reads, their CRC32C verified before they are decompressed and decoded. The last decoded page
 * of each column is cached, so sequential reads in small batches decode every page once.
 *
 * <p><b>Threads.</b> Thread-safe: reads are serialized per reader (they share the page cache
 * and buffers). For parallel scans of one segment open one reader per thread.
 *
 * <p><b>Mapped.</b> A file under 2 GiB is mapped read-only at open: a page is checked and
 * decompressed where it lies, without a read call and a copy into the heap per page. The mapping
 * is released at {@link #close} (all reads hold the reader's lock, so none is under way then).
 */
public final class SegmentReader implements AutoCloseable {
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

    private final Path file;
    private final Schema schema;
    private final FileChannel channel;
    /** The whole file, little-endian; {@code null} when it is too big to map (positional reads then). */
    private ByteBuffer map;
    /** Where in {@link #map} the page last checked by {@link #readChecked} starts. */
    private int mappedAt;
    private ByteBuffer rawView = ByteBuffer.allocate(0);
    private final SegmentFooter footer;
    private final DecodedPage[] cache;
    private final CRC32C crc = new CRC32C();
    // Grown to the largest page read: a reader of a small segment allocates only what it needs.
    private ByteBuffer readBuffer = ByteBuffer.allocate(0);
    private byte[] rawBuffer = new byte[0];
    private boolean closed;

    private SegmentReader(Path file, Schema schema, FileChannel channel, SegmentFooter footer, ByteBuffer map) {
        this.map = map;
        this.file = file;
        this.schema = schema;
        this.channel = channel;
        this.footer = footer;
        this.cache = new DecodedPage[schema.columnCount()];
        for (int c = 0; c < cache.length; c++) {
            cache[c] = new DecodedPage(schema.column(c).type().physical(), footer.nullable[c]);
        }
    }

    /**
     * Opens a segment, verifying its magic numbers and footer checksum and matching its columns
     * against {@code schema}. Throws {@link CorruptSegmentException} or
     * {@link SegmentSchemaMismatchException}, both naming the file.
     */
    public static SegmentReader open(Path file, Schema schema) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < SegmentFormat.HEADER_BYTES + SegmentFormat.TRAILER_BYTES) {
                throw new CorruptSegmentException(file, "truncated: " + size + " bytes is shorter than header and trailer");
            }
            byte[] header = readFully(ch, file, 0, SegmentFormat.HEADER_BYTES);
            if (!Arrays.equals(header, 0, 4, SegmentFormat.MAGIC, 0, 4)) {
                throw new CorruptSegmentException(file, "bad magic at the start of the file (not a segment)");
            }
            int version = LittleEndian.getInt(header, 4);
            if (version != SegmentFormat.FORMAT_VERSION) {
                throw new CorruptSegmentException(file, "unsupported format version " + version
                        + " (expected " + SegmentFormat.FORMAT_VERSION + ")");
            }
            long trailerAt = size - SegmentFormat.TRAILER_BYTES;
            byte[] trailer = readFully(ch, file, trailerAt, SegmentFormat.TRAILER_BYTES);
            if (!Arrays.equals(trailer, 8, 12, SegmentFormat.MAGIC, 0, 4)) {
                throw new CorruptSegmentException(file, "bad magic at the end of the file: truncated or not a segment");
            }
            int footerCrc = LittleEndian.getInt(trailer, 0);
            int footerLength = LittleEndian.getInt(trailer, 4);
            if (footerLength <= 0 || footerLength > trailerAt - SegmentFormat.HEADER_BYTES) {
                throw new CorruptSegmentException(file, "footer length " + footerLength
                        + " does not fit in a file of " + size + " bytes (truncated?)");
            }
            long footerAt = trailerAt - footerLength;
            byte[] footerBytes = readFully(ch, file, footerAt, footerLength);
            CRC32C c = new CRC32C();
            c.update(footerBytes, 0, footerLength);
            if ((int) c.getValue() != footerCrc) {
                throw new CorruptSegmentException(file, "footer checksum mismatch (expected "
                        + hex(footerCrc) + ", got " + hex((int) c.getValue()) + ")");
            }
            SegmentFooter footer = SegmentFooter.parse(footerBytes, file);
            footer.checkAgainst(schema, file, SegmentFormat.HEADER_BYTES, footerAt);
            ByteBuffer map = size > Integer.MAX_VALUE ? null
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            return new SegmentReader(file, schema, ch, footer, map);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    public Path path() {
        return file;
    }

    public Schema schema() {
        return schema;
    }

    public long rowCount() {
        return footer.rowCount;
    }

    /** The smallest key (KeyCodec encoding); empty for an empty segment. */
    public byte[] minKey() {
        return footer.minKey.clone();
    }

    /** The largest key (KeyCodec encoding); empty for an empty segment. */
    public byte[] maxKey() {
        return footer.maxKey.clone();
    }

    /** Pages of a column (for diagnostics and tests). */
    public int pageCount(int column) {
        return footer.pages[column].pageCount();
    }

    /** Reads all columns of rows {@code [firstRow, firstRow + count)} into a new batch. */
    public RowBatch read(long firstRow, int count) throws IOException {
        RowBatch batch = new RowBatch(schema, count);
        readColumns(firstRow, count, null, batch);
        return batch;
    }

    /**
     * Appends rows {@code [firstRow, firstRow + count)} to {@code into}, filling only the listed
     * columns ({@code null} = all); the others get 0, 0.0, empty bytes and NOT NULL. If this
     * throws, the rows appended to {@code into} are unspecified.
     */
    public synchronized void readColumns(long firstRow, int count, int[] columns, RowBatch into) throws IOException {
        checkOpen();
        if (firstRow < 0 || count < 0 || firstRow + count > footer.rowCount) {
            throw new IndexOutOfBoundsException("segment " + file + ": rows [" + firstRow + ", " + (firstRow + count)
                    + ") are outside its " + footer.rowCount + " rows");
        }
        if (into.schema() != schema && !into.schema().equals(schema)) {
            throw new IllegalArgumentException("segment " + file + ": target batch has schema " + into.schema()
                    + ", expected " + schema);
        }
        boolean[] listed = new boolean[schema.columnCount()];
        if (columns == null) {
            Arrays.fill(listed, true);
        } else {
            for (int c : columns) {
                if (c < 0 || c >= listed.length) {
                    throw new IllegalArgumentException("segment " + file + ": no column " + c);
                }
                listed[c] = true;
            }
        }
        for (int c = 0; c < listed.length; c++) {
            if (listed[c] && !into.hasColumn(c)) {
                throw new IllegalArgumentException("segment " + file + ": column '" + schema.column(c).name()
                        + "' is to be read into a batch that does not hold it");
            }
        }
        int dest = into.reserveRows(count);
        for (int c = 0; c < listed.length; c++) {
            if (listed[c]) {
                copyColumn(c, firstRow, count, into, dest);
            } else if (into.hasColumn(c)) {
                fillDefault(into, c, dest, count);
            }
        }
    }

    public RowBatch readAll() throws IOException {
        if (footer.rowCount > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("segment " + file + " has too many rows to read at once: " + footer.rowCount);
        }
        return read(0, (int) footer.rowCount);
    }

    /** Reads, checks and decodes every page of every column. */
    public synchronized void verifyAll() throws IOException {
        checkOpen();
        for (int c = 0; c < cache.length; c++) {
            PageIndex idx = footer.pages[c];
            for (int p = 0; p < idx.pageCount(); p++) {
                cache[c].invalidate();
                load(c, p);
            }
        }
    }

    private void copyColumn(int col, long firstRow, int count, RowBatch into, int dest) throws IOException {
        if (count == 0) {
            return;
        }
        long row = firstRow;
        int remaining = count;
        int p = footer.pages[col].find(row);
        while (remaining > 0) {
            DecodedPage page = load(col, p);
            int inPage = (int) (row - page.firstRow());
            int n = Math.min(remaining, page.rows() - inPage);
            page.copyTo(into, col, dest, inPage, n);
            dest += n;
            row += n;
            remaining -= n;
            p++;
        }
    }

    private static void fillDefault(RowBatch into, int col, int dest, int count) {
        switch (into.schema().column(col).type().physical()) {
            case LONG -> Arrays.fill(into.longColumn(col), dest, dest + count, 0L);
            case DOUBLE -> Arrays.fill(into.doubleColumn(col), dest, dest + count, 0.0);
            case BYTES -> {
                byte[] empty = new byte[0];
                for (int r = dest; r < dest + count; r++) {
                    into.setBytes(r, col, empty);
                }
            }
        }
        boolean[] nulls = into.nullColumn(col);
        if (nulls != null) {
            Arrays.fill(nulls, dest, dest + count, false);
        }
    }

    /**
     * Checks every page's CRC32C against the page index without decompressing or decoding (the
     * footer's own checksum was verified at open): what a copy of the file must pass, cheaper than
     * {@link #verifyAll}.
     */
    public synchronized void verifyChecksums() throws IOException {
        checkOpen();
        if (channel.size() > Integer.MAX_VALUE) {
            for (int c = 0; c < footer.pages.length; c++) {
                for (int p = 0; p < footer.pages[c].pageCount(); p++) {
                    readChecked(c, p);
                }
            }
            return;
        }
        // Mapped, not read: no copy of the pages into the heap, and CRC32C over direct buffers.
        java.nio.MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
        map.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        java.util.zip.CRC32C check = new java.util.zip.CRC32C();
        for (int c = 0; c < footer.pages.length; c++) {
            PageIndex idx = footer.pages[c];
            for (int p = 0; p < idx.pageCount(); p++) {
                long offset = idx.offset(p);
                int stored = idx.storedLength(p);
                if (offset < 0 || offset + stored + SegmentFormat.PAGE_CRC_BYTES > map.capacity()) {
                    throw new CorruptSegmentException(file, "page " + p + " of column '" + schema.column(c).name()
                            + "' lies outside the file");
                }
                check.reset();
                check.update(map.slice((int) offset, stored));
                int actual = (int) check.getValue();
                int trailer = map.getInt((int) offset + stored);
                if (actual != idx.crc(p) || trailer != idx.crc(p)) {
                    throw new CorruptSegmentException(file, "page " + p + " of column '" + schema.column(c).name()
                            + "' checksum mismatch (expected " + hex(idx.crc(p)) + ", got " + hex(actual)
                            + ", stored " + hex(trailer) + ")");
                }
            }
        }
    }

    /** Reads page {@code p} of column {@code col} into {@link #readBuffer} and checks its CRC. */
    private void readChecked(int col, int p) throws IOException {
        PageIndex idx = footer.pages[col];
        int stored = idx.storedLength(p);
        String where = "page " + p + " of column '" + schema.column(col).name() + "'";
        int need = stored + SegmentFormat.PAGE_CRC_BYTES;
        if (map != null) {
            long offset = idx.offset(p);
            if (offset < 0 || offset + need > map.capacity()) {
                throw new CorruptSegmentException(file, "truncated: " + where + " run past the end of the file");
            }
            crc.reset();
            crc.update(map.slice((int) offset, stored));
            int actual = (int) crc.getValue();
            int trailer = map.getInt((int) offset + stored);
            if (actual != idx.crc(p) || trailer != idx.crc(p)) {
                throw new CorruptSegmentException(file, where + " checksum mismatch (expected " + hex(idx.crc(p))
                        + ", got " + hex(actual) + ", stored " + hex(trailer) + ")");
            }
            mappedAt = (int) offset;
            return;
        }
        if (readBuffer.capacity() < need) {
            readBuffer = ByteBuffer.allocate(need);
        }
        readBuffer.clear().limit(need);
        readInto(channel, file, idx.offset(p), readBuffer, where);
        byte[] buf = readBuffer.array();
        crc.reset();
        crc.update(buf, 0, stored);
        int actual = (int) crc.getValue();
        if (actual != idx.crc(p) || LittleEndian.getInt(buf, stored) != idx.crc(p)) {
            throw new CorruptSegmentException(file, where + " checksum mismatch (expected " + hex(idx.crc(p))
                    + ", got " + hex(actual) + ", stored " + hex(LittleEndian.getInt(buf, stored)) + ")");
        }
    }

    private DecodedPage load(int col, int p) throws IOException {
        DecodedPage page = cache[col];
        if (page.pageNo() == p) {
            return page;
        }
        PageIndex idx = footer.pages[col];
        int stored = idx.storedLength(p);
        int raw = idx.rawLength(p);
        String where = "page " + p + " of column '" + schema.column(col).name() + "'";
        readChecked(col, p);
        if (map != null && stored == raw) {
            if (readBuffer.capacity() < stored) {
                readBuffer = ByteBuffer.allocate(stored);
            }
            map.get(mappedAt, readBuffer.array(), 0, stored);
        }
        byte[] buf = readBuffer.array();
        byte[] rawBytes = buf;
        if (stored != raw) {
            if (rawBuffer.length < raw) {
                rawBuffer = new byte[raw];
                rawView = ByteBuffer.wrap(rawBuffer);
            }
            try {
                // checksum verified first: LZ4 only ever sees bytes this format wrote
                int n = map != null ? LZ4.decompress(map, mappedAt, stored, rawView, 0, raw)
                        : LZ4.decompress(buf, 0, stored, rawBuffer, 0, raw);
                if (n != raw) {
                    throw new CorruptSegmentException(file, where + " decompressed to " + n + " bytes, expected " + raw);
                }
            } catch (LZ4Exception e) {
                throw new CorruptSegmentException(file, where + " failed to decompress: " + e.getMessage(), e);
            }
            rawBytes = rawBuffer;
        }
        page.decode(rawBytes, raw, p, idx.firstRow(p), idx.rows(p), file, where);
        return page;
    }

    private static byte[] readFully(FileChannel ch, Path file, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        readInto(ch, file, position, b, "bytes at " + position);
        return b.array();
    }

    private static void readInto(FileChannel ch, Path file, long position, ByteBuffer b, String what) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                throw new CorruptSegmentException(file, "truncated: " + what + " run past the end of the file",
                        new EOFException());
            }
            pos += n;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("segment " + file + " reader is closed");
        }
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    @Override
    public synchronized void close() {
        closed = true;
        MappedFiles.unmap(map);
        map = null;
        try {
            channel.close();
        } catch (IOException ignored) {
            // read-only channel: nothing was pending
        }
    }

    @Override
    public String toString() {
        return "SegmentReader[" + file + ", " + footer.rowCount + " rows]";
    }
}
