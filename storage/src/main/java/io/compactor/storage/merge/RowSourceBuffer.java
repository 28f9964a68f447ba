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
 * merge order, which source it came from and whether it was merged away, as Doris's
 * {@code RowSourcesBuffer} holds them. The value-group passes replay it.
 *
 * <p><b>Packing.</b> An entry takes as few bits as the merge's source count allows: 4 bits for up
 * to 8 sources (3 for the index, 1 for the merged-away flag), 8 for up to 128, else 16; Doris
 * always takes 16. It is the one buffer of a vertical merge that grows with the rows (all others
 * are per group and per chunk), so for the usual handful of input rowsets this quarters the merge's
 * memory growth. {@link Reader} hands entries out unpacked: source in the low 15 bits, the flag in
 * the high bit.
 *
 * <p><b>Spill.</b> Entries stay in memory up to {@code maxMemoryBytes}
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
    private static final int MAX_BLOCK_WORDS = 4 * 1024;
    private static final int MIN_BLOCK_WORDS = 4;

    private final long maxMemoryBytes;
    private final Path spillDir;
    private final String spillPrefix;
    private final int bits;
    private final int perWord;
    private final long mask;
    private final int maxSource;
    private final int blockWords;
    private final int blockEntries;
    private final List<long[]> fullBlocks = new ArrayList<>();
    private long[] block;
    private int fill;
    private long count;
    private FileChannel spill;
    private Path spillFile;
    private long spilledEntries;
    private long peakMemoryBytes;

    /** A buffer for merges of up to {@link #MAX_SOURCES} + 1 sources (16 bits an entry). */
    public RowSourceBuffer(long maxMemoryBytes, Path spillDir, String spillPrefix) {
        this(maxMemoryBytes, spillDir, spillPrefix, MAX_SOURCES + 1);
    }

    /**
     * @param maxMemoryBytes entries kept in memory before spilling, in bytes
     * @param spillDir       directory for the temp file (the tablet's directory in Doris)
     * @param spillPrefix    temp file name prefix, e.g. {@code compaction_row_source_<tablet>_full}
     * @param sources        how many sources the merge has (entries are packed to fit them)
     */
    public RowSourceBuffer(long maxMemoryBytes, Path spillDir, String spillPrefix, int sources) {
        if (maxMemoryBytes < 1) {
            throw new IllegalArgumentException("maxMemoryBytes must be >= 1, got " + maxMemoryBytes);
        }
        if (sources < 1 || sources > MAX_SOURCES + 1) {
            throw new IllegalArgumentException("sources must be between 1 and " + (MAX_SOURCES + 1) + ", got "
                    + sources);
        }
        this.maxMemoryBytes = maxMemoryBytes;
        this.spillDir = spillDir;
        this.spillPrefix = spillPrefix;
        this.bits = sources <= 8 ? 4 : sources <= 128 ? 8 : 16;
        this.perWord = 64 / bits;
        this.mask = (1L << bits) - 1;
        this.maxSource = (1 << (bits - 1)) - 1;
        this.blockWords = (int) Math.max(MIN_BLOCK_WORDS, Math.min(MAX_BLOCK_WORDS, maxMemoryBytes / 16));
        this.blockEntries = blockWords * perWord;
        this.block = new long[blockWords];
        this.peakMemoryBytes = 8L * blockWords;
    }

    /** Bits one entry takes in memory and in the spill file. */
    public int bitsPerEntry() {
        return bits;
    }

    /** Appends the next row's source index, not merged away. */
    public void append(int source) {
        if (source < 0 || source > maxSource) {
            throw new IllegalArgumentException("row source " + source + " does not fit this buffer (sources 0.."
                    + maxSource + ")");
        }
        if (fill == blockEntries) {
            rotateBlock();
        }
        block[fill / perWord] |= (long) source << ((fill % perWord) * bits);
        fill++;
        count++;
    }

    /** Marks the row appended last as merged away (an older duplicate of the row that follows). */
    public void markLastSkipped() {
        if (fill == 0) {
            throw new IllegalStateException("no row source to mark");
        }
        int last = fill - 1;
        block[last / perWord] |= 1L << ((last % perWord) * bits + bits - 1);
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

    /** Entry {@code i} of a packed block, unpacked to the public form. */
    private short unpack(long[] words, int i) {
        long e = (words[i / perWord] >>> ((i % perWord) * bits)) & mask;
        int source = (int) (e & (mask >>> 1));
        return (short) ((e >>> (bits - 1)) != 0 ? source | SKIP_FLAG : source);
    }

    private void rotateBlock() {
        try {
            if (spill == null && 8L * blockWords * (fullBlocks.size() + 2) > maxMemoryBytes) {
                openSpill();
                for (long[] b : fullBlocks) {
                    writeBlock(b);
                }
                fullBlocks.clear();
            }
            if (spill != null) {
                writeBlock(block);
                java.util.Arrays.fill(block, 0L);
            } else {
                fullBlocks.add(block);
                block = new long[blockWords];
                peakMemoryBytes = Math.max(peakMemoryBytes, 8L * blockWords * (fullBlocks.size() + 1));
            }
            fill = 0;
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

    /** Appends one full block to the spill file (spilled entries are always whole blocks). */
    private void writeBlock(long[] words) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.asLongBuffer().put(words);
        long pos = spilledEntries / perWord * 8;
        while (buf.hasRemaining()) {
            pos += spill.write(buf, pos);
        }
        spilledEntries += blockEntries;
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
        private final long[] words;
        private long wordsBlock = -1;

        private Reader(long total) {
            this.total = total;
            this.io = spill == null ? null : ByteBuffer.allocate(8 * blockWords).order(ByteOrder.LITTLE_ENDIAN);
            this.words = spill == null ? null : new long[blockWords];
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
                // one block of the file at a time, kept until the reader moves past it
                long blockNo = at / blockEntries;
                long firstEntry = blockNo * blockEntries;
                if (wordsBlock != blockNo) {
                    io.clear();
                    long pos = firstEntry / perWord * 8;
                    while (io.hasRemaining()) {
                        int r = spill.read(io, pos + io.position());
                        if (r < 0) {
                            throw new IOException("row source spill file " + spillFile + " ended at entry "
                                    + (firstEntry + io.position() * perWord / 8) + ", expected " + spilledEntries);
                        }
                    }
                    io.flip();
                    io.asLongBuffer().get(words);
                    wordsBlock = blockNo;
                }
                int inBlock = (int) (at - firstEntry);
                int n = Math.min(want, blockEntries - inBlock);
                for (int i = 0; i < n; i++) {
                    dst[off + i] = unpack(words, inBlock + i);
                }
                return n;
            }
            long inMemory = at - spilledEntries;
            int blockIndex = (int) (inMemory / blockEntries);
            int inBlock = (int) (inMemory % blockEntries);
            long[] src = blockIndex < fullBlocks.size() ? fullBlocks.get(blockIndex) : block;
            int avail = (blockIndex < fullBlocks.size() ? blockEntries : fill) - inBlock;
            int n = Math.min(want, avail);
            for (int i = 0; i < n; i++) {
                dst[off + i] = unpack(src, inBlock + i);
            }
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
