package io.compactor.storage.merge;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The sequence of row sources a vertical merge's key-group pass produced: for every input row in
 * merge order, which source it came from (low 15 bits) and whether it was merged away (high bit),
 * as Doris's {@code RowSourcesBuffer} holds them. The value-group passes replay it.
 *
 * <p>Entries stay in memory up to {@code maxMemoryBytes}
 * ({@code vertical_compaction_max_row_source_memory_mb}); beyond that, the buffer moves them to a
 * temp file and keeps only one block in memory. The file is opened {@code DELETE_ON_CLOSE}: on
 * Unix it is unlinked right after opening, as Doris does, so it vanishes with the process;
 * elsewhere it is deleted on {@link #close()}.
 *
 * <p>Lifecycle: {@link #append} and {@link #markLastSkipped} while merging, then {@link #reader()}
 * for each replay. Not thread-safe.
 */
public final class RowSourceBuffer implements Closeable {
    /** Most sources a merge may have: the source index must fit in 15 bits. */
    public static final int MAX_SOURCES = 0x7FFF;
    /** Default in-memory limit, Doris's {@code vertical_compaction_max_row_source_memory_mb} = 1024. */
    public static final long DEFAULT_MAX_MEMORY_BYTES = 1024L << 20;

    private static final int SKIP_FLAG = 0x8000;
    private static final int MAX_BLOCK_ENTRIES = 32 * 1024;
    private static final int MIN_BLOCK_ENTRIES = 64;

    private final long maxMemoryBytes;
    private final Path spillDir;
    private final String spillPrefix;
    private final int blockEntries;
    private final List<short[]> fullBlocks = new ArrayList<>();
    private short[] block;
    private int fill;
    private long count;
    private FileChannel spill;
    private Path spillFile;
    private long spilledEntries;
    private long peakMemoryBytes;

    /**
     * @param maxMemoryBytes entries kept in memory before spilling, in bytes (2 per entry)
     * @param spillDir       directory for the temp file (the tablet's directory in Doris)
     * @param spillPrefix    temp file name prefix, e.g. {@code compaction_row_source_<tablet>_full}
     */
    public RowSourceBuffer(long maxMemoryBytes, Path spillDir, String spillPrefix) {
        if (maxMemoryBytes < 1) {
            throw new IllegalArgumentException("maxMemoryBytes must be >= 1, got " + maxMemoryBytes);
        }
        this.maxMemoryBytes = maxMemoryBytes;
        this.spillDir = spillDir;
        this.spillPrefix = spillPrefix;
        long perBlock = Math.max(MIN_BLOCK_ENTRIES, Math.min(MAX_BLOCK_ENTRIES, maxMemoryBytes / 4));
        this.blockEntries = (int) perBlock;
        this.block = new short[blockEntries];
        this.peakMemoryBytes = 2L * blockEntries;
    }

    /** Appends the next row's source index, not merged away. */
    public void append(int source) {
        if (fill == block.length) {
            rotateBlock();
        }
        block[fill++] = (short) source;
        count++;
    }

    /** Marks the row appended last as merged away (an older duplicate of the row that follows). */
    public void markLastSkipped() {
        if (fill == 0) {
            throw new IllegalStateException("no row source to mark");
        }
        block[fill - 1] |= (short) SKIP_FLAG;
    }

    /** Entries appended so far. */
    public long size() {
        return count;
    }

    public boolean spilled() {
        return spill != null;
    }

    /** The most memory the entries took at once. */
    public long peakMemoryBytes() {
        return peakMemoryBytes;
    }

    /** Source index of an entry. */
    public static int source(short entry) {
        return entry & MAX_SOURCES;
    }

    /** Whether an entry's row was merged away. */
    public static boolean isSkipped(short entry) {
        return (entry & SKIP_FLAG) != 0;
    }

    private void rotateBlock() {
        try {
            if (spill == null && 2L * blockEntries * (fullBlocks.size() + 2) > maxMemoryBytes) {
                openSpill();
                for (short[] b : fullBlocks) {
                    writeBlock(b, b.length);
                }
                fullBlocks.clear();
            }
            if (spill != null) {
                writeBlock(block, fill);
                fill = 0;
            } else {
                fullBlocks.add(block);
                block = new short[blockEntries];
                fill = 0;
                peakMemoryBytes = Math.max(peakMemoryBytes, 2L * blockEntries * (fullBlocks.size() + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill row sources to " + spillDir, e);
        }
    }

    private void openSpill() throws IOException {
        Files.createDirectories(spillDir);
        spillFile = Files.createTempFile(spillDir, spillPrefix, ".tmp");
        spill = FileChannel.open(spillFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE);
    }

    private void writeBlock(short[] entries, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        buf.asShortBuffer().put(entries, 0, n);
        long pos = spilledEntries * 2;
        while (buf.hasRemaining()) {
            pos += spill.write(buf, pos);
        }
        spilledEntries += n;
    }

    /** A new reader from the first entry; entries appended later are not seen by it. */
    public Reader reader() {
        return new Reader(count);
    }

    /** Sequential reader over the entries: spilled ones first, then those in memory. */
    public final class Reader {
        private final long total;
        private long next;
        private final ByteBuffer io;

        private Reader(long total) {
            this.total = total;
            this.io = spill == null ? null : ByteBuffer.allocate(2 * blockEntries).order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Entries not read yet. */
        public long remaining() {
            return total - next;
        }

        /** Reads up to {@code max} entries into {@code dst}; returns how many (0 at the end). */
        public int read(short[] dst, int max) throws IOException {
            int n = (int) Math.min(Math.min(max, dst.length), total - next);
            int done = 0;
            while (done < n) {
                done += readSome(dst, done, n - done);
            }
            next += n;
            return n;
        }

        private int readSome(short[] dst, int off, int want) throws IOException {
            long at = next + off;
            if (at < spilledEntries) {
                int n = (int) Math.min(Math.min(want, spilledEntries - at), io.capacity() / 2);
                io.clear().limit(n * 2);
                long pos = at * 2;
                while (io.hasRemaining()) {
                    int r = spill.read(io, pos + io.position());
                    if (r < 0) {
                        throw new IOException("row source spill file " + spillFile + " ended at entry "
                                + (at + io.position() / 2) + ", expected " + spilledEntries);
                    }
                }
                io.flip();
                io.asShortBuffer().get(dst, off, n);
                return n;
            }
            long inMemory = at - spilledEntries;
            int blockIndex = (int) (inMemory / blockEntries);
            int inBlock = (int) (inMemory % blockEntries);
            short[] src = blockIndex < fullBlocks.size() ? fullBlocks.get(blockIndex) : block;
            int avail = (blockIndex < fullBlocks.size() ? blockEntries : fill) - inBlock;
            int n = Math.min(want, avail);
            System.arraycopy(src, inBlock, dst, off, n);
            return n;
        }
    }

    /** Frees the entries and deletes the spill file, if any. */
    @Override
    public void close() throws IOException {
        fullBlocks.clear();
        if (spill != null) {
            spill.close();
            Files.deleteIfExists(spillFile);
            spill = null;
        }
    }
}
