package io.compactor.storage.segment;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.FileSync;
import java.io.IOException;
import java.io.OutputStream;
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
 * The file side of a segment being written, shared by {@link SegmentWriter} (row by row) and
 * {@link VerticalSegmentWriter} (column group by column group): the {@code .tmp} file and its
 * header, each page LZ4-compressed (kept raw when that is not smaller), CRC32C-checksummed and
 * indexed, then the footer, the trailer, fsync, the rename to the final name and the directory
 * fsync. The debug points {@code segment.write}, {@code segment.fsync} and {@code segment.rename}
 * fire at those steps. Any failure leaves the file failed; {@link #abort} removes what exists.
 */
final class SegmentFileOut {
    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    private final Path file;
    private final Path tmp;
    private final FileChannel channel;
    private final OutputStream out;
    private final PageIndex[] index;
    private final CRC32C crc = new CRC32C();
    private final byte[] intBytes = new byte[4];
    private byte[] compressed = new byte[0];
    private long position;
    private DebugPoints faults = DebugPoints.NONE;
    private long tabletId = -1;
    private boolean finished;
    private boolean closed;
    private boolean failed;

    private SegmentFileOut(Path file, Path tmp, FileChannel channel, int columns) {
        this.file = file;
        this.tmp = tmp;
        this.channel = channel;
        this.out = new GrowingChannelOutput(channel);
        this.index = new PageIndex[columns];
    }

    /** Creates the temp file of {@code file} and writes the header; the final name must not exist yet. */
    static SegmentFileOut create(Path file, int columns) throws IOException {
        if (Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "segment files are immutable");
        }
        Path tmp = file.resolveSibling(file.getFileName() + SegmentWriter.TEMP_SUFFIX);
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        SegmentFileOut f = new SegmentFileOut(file, tmp, ch, columns);
        try {
            f.write(SegmentFormat.MAGIC, 0, 4);
            LittleEndian.putInt(f.intBytes, 0, SegmentFormat.FORMAT_VERSION);
            f.write(f.intBytes, 0, 4);
        } catch (IOException | RuntimeException e) {
            f.abort();
            throw e;
        }
        return f;
    }

    /** Fires {@code segment.write}, {@code segment.fsync} and {@code segment.rename} for {@code tabletId}. */
    void faults(DebugPoints points, long tablet) {
        this.faults = points;
        this.tabletId = tablet;
    }

    Path file() {
        return file;
    }

    /** Bytes written to the file so far. */
    long position() {
        return position;
    }

    /** Starts a column's page index (a column is indexed once, before its first page). */
    void startColumn(int column) {
        index[column] = new PageIndex(16);
    }

    /** Whether the file still takes pages: not finished, closed or failed. */
    boolean writable() {
        return !closed && !finished && !failed;
    }

    boolean failed() {
        return failed;
    }

    /** Marks the file failed: it takes no more pages and is never finished. */
    void fail() {
        failed = true;
    }

    boolean finished() {
        return finished;
    }

    /** Compresses, checksums, appends and indexes one encoded page of {@code column}. */
    void storePage(int column, int pageRows, byte[] raw, int rawLength) throws IOException {
        int bound = LZ4.maxCompressedLength(rawLength);
        if (compressed.length < bound) {
            compressed = new byte[Math.max(bound, Math.min(2 * compressed.length,
                    LZ4.maxCompressedLength(SegmentFormat.TARGET_PAGE_BYTES + 1024)))];
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
        LittleEndian.putInt(intBytes, 0, c);
        write(intBytes, 0, 4);
        index[column].add(offset, len, rawLength, pageRows, c);
    }

    private void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        position += len;
    }

    /**
     * Writes the footer (every column's page index, key bounds) and the trailer, fsyncs, renames
     * the file to its final name and fsyncs the directory.
     *
     * @param minKey  the encoded first key (ignored when {@code rows} is 0)
     * @param lastKey row 0 holds the last key (ignored when {@code rows} is 0)
     */
    SegmentMeta finish(Schema schema, long rows, byte[] minKey, RowBatch lastKey) throws IOException {
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

    /** Closes the channel; the file stays for {@link #abort} or the orphan sweep. Never throws. */
    void closeQuietly() {
        closed = true;
        try {
            channel.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing to do: the file is being discarded
        }
    }

    /** Closes and deletes the file (temp or, once finished, final). Never throws. */
    void abort() {
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
}
