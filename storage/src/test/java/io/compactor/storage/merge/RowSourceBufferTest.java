package io.compactor.storage.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowSourceBufferTest {
    @TempDir
    Path dir;

    private static int[] fill(RowSourceBuffer buffer, int n, long seed) {
        Random rnd = new Random(seed);
        int[] expected = new int[n];
        for (int i = 0; i < n; i++) {
            int source = rnd.nextInt(RowSourceBuffer.MAX_SOURCES + 1);
            buffer.append(source);
            expected[i] = source;
            if (rnd.nextInt(4) == 0) {
                buffer.markLastSkipped();
                expected[i] |= 1 << 16;
            }
        }
        return expected;
    }

    private static void assertReadsBack(RowSourceBuffer buffer, int[] expected, int piece) throws IOException {
        RowSourceBuffer.Reader reader = buffer.reader();
        short[] dst = new short[piece];
        int at = 0;
        int n;
        while ((n = reader.read(dst, piece)) > 0) {
            for (int i = 0; i < n; i++, at++) {
                assertEquals(expected[at] & 0xFFFF, RowSourceBuffer.source(dst[i]), "entry " + at);
                assertEquals((expected[at] >>> 16) != 0, RowSourceBuffer.isSkipped(dst[i]), "entry " + at);
            }
        }
        assertEquals(expected.length, at);
        assertEquals(0, reader.remaining());
    }

    @Test
    void keepsEntriesInMemoryUnderTheLimit() throws IOException {
        try (RowSourceBuffer buffer = new RowSourceBuffer(1 << 20, dir, "rs_")) {
            int[] expected = fill(buffer, 100_000, 1);
            assertFalse(buffer.spilled());
            assertReadsBack(buffer, expected, 4096);
            assertReadsBack(buffer, expected, 7);
            assertEquals(100_000, buffer.size());
            assertTrue(buffer.peakMemoryBytes() >= 200_000);
        }
        assertEquals(0, filesIn(dir));
    }

    @Test
    void spillsBeyondTheLimitAndDeletesTheFileOnClose() throws IOException {
        RowSourceBuffer buffer = new RowSourceBuffer(1024, dir, "compaction_row_source_7_full_");
        int[] expected = fill(buffer, 50_001, 2);
        assertTrue(buffer.spilled());
        assertTrue(filesIn(dir) <= 1, "on Unix the spill file is unlinked right after it is opened");
        assertTrue(buffer.peakMemoryBytes() <= 1024, "peak " + buffer.peakMemoryBytes());
        assertReadsBack(buffer, expected, 1000);
        assertReadsBack(buffer, expected, 333);
        buffer.close();
        assertEquals(0, filesIn(dir));
    }

    @Test
    void fewSourcesArePackedSmallerAndReadBackTheSameInMemoryAndSpilled() throws IOException {
        for (int sources : new int[] {1, 5, 8, 9, 128, 129}) {
            for (long limit : new long[] {1 << 20, 256}) {
                try (RowSourceBuffer buffer = new RowSourceBuffer(limit, dir, "rs_", sources)) {
                    Random rnd = new Random(sources);
                    int[] expected = new int[30_001];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = rnd.nextInt(sources);
                        buffer.append(expected[i]);
                        if (rnd.nextInt(3) == 0) {
                            buffer.markLastSkipped();
                            expected[i] |= 1 << 16;
                        }
                    }
                    assertEquals(sources <= 8 ? 4 : sources <= 128 ? 8 : 16, buffer.bitsPerEntry());
                    assertEquals(limit == 256, buffer.spilled(), "sources " + sources);
                    assertReadsBack(buffer, expected, 4096);
                    assertReadsBack(buffer, expected, 7);
                }
            }
        }
        assertEquals(0, filesIn(dir));
    }

    @Test
    void aSourceBeyondThePackingIsRefused() {
        RowSourceBuffer buffer = new RowSourceBuffer(1 << 20, dir, "rs_", 5);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> buffer.append(8));
        assertTrue(e.getMessage().contains("row source 8 does not fit"), e.getMessage());
    }

    @Test
    void emptyBufferReadsNothing() throws IOException {
        try (RowSourceBuffer buffer = new RowSourceBuffer(10, dir, "rs_")) {
            assertEquals(0, buffer.reader().read(new short[8], 8));
        }
    }

    private static long filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }
}
