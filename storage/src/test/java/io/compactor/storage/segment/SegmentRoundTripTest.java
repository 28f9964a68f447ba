package io.compactor.storage.segment;

import static io.compactor.storage.segment.SegmentTestData.assertRowsEqual;
import static io.compactor.storage.segment.SegmentTestData.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentRoundTripTest {
    private static final Schema ALL = SegmentTestData.allTypes(KeysType.DUPLICATE_KEYS);

    @TempDir
    Path dir;

    private SegmentMeta write(Path file, RowBatch batch, int pageRows) throws IOException {
        try (SegmentWriter w = SegmentWriter.create(file, batch.schema(), pageRows)) {
            w.appendRange(batch, 0, batch.size());
            assertEquals(batch.size(), w.rowCount());
            return w.finish();
        }
    }

    @Test
    void everyTypeRoundTripsAcrossManyPages() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 10_000, 3, 42);
        Path file = dir.resolve("a.dat");
        SegmentMeta meta = write(file, batch, 512);

        assertEquals(10_000, meta.rows());
        assertEquals(Files.size(file), meta.bytes());
        assertFalse(Files.exists(dir.resolve("a.dat.tmp")), "temp file renamed away");
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            assertEquals(10_000, r.rowCount());
            assertTrue(r.pageCount(0) >= 10_000 / 512, "many pages");
            assertArrayEquals(KeyCodec.encodeKey(batch, 0), r.minKey());
            assertArrayEquals(KeyCodec.encodeKey(batch, 9_999), r.maxKey());
            assertArrayEquals(meta.minKey(), r.minKey());
            assertArrayEquals(meta.maxKey(), r.maxKey());
            RowBatch all = r.readAll();
            assertEquals(10_000, all.size());
            assertRowsEqual(batch, 0, all);
            r.verifyAll();
        }
    }

    @Test
    void extremeValuesEmptyStringsAndMultibyteTextRoundTrip() throws IOException {
        RowBatch b = new RowBatch(ALL, 8);
        long[] keys = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};
        double[] doubles = {Double.NaN, -0.0, 0.0, Double.NEGATIVE_INFINITY, Double.MAX_VALUE};
        String[] texts = {"", "\u0000nul", "日本語テキスト", "emoji 😀 𝄞", "x".repeat(70_000)};
        for (int i = 0; i < keys.length; i++) {
            int r = b.addRow();
            b.setLong(r, 0, keys[i]);
            b.setLong(r, 1, i % 2 == 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE);
            b.setDouble(r, 2, doubles[i]);
            b.setBytes(r, 3, utf8(texts[i]));
            b.setLong(r, 4, i == 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
            b.setNull(r, 5);
            b.setBytes(r, 6, utf8(texts[keys.length - 1 - i]));
        }
        Path file = dir.resolve("x.dat");
        write(file, b, 4096);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            RowBatch out = r.readAll();
            assertRowsEqual(b, 0, out);
            assertEquals("日本語テキスト", out.value(2, 3));
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(out.getDouble(1, 2)));
            assertTrue(Double.isNaN(out.getDouble(0, 2)));
            assertEquals(70_000, out.getBytes(4, 3).length);
        }
    }

    @Test
    void singleRowAndEmptySegmentsRoundTrip() throws IOException {
        RowBatch one = SegmentTestData.sortedAllTypes(ALL, 1, 1, 7);
        Path file = dir.resolve("one.dat");
        write(file, one, 4096);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            assertRowsEqual(one, 0, r.readAll());
            assertArrayEquals(r.minKey(), r.maxKey());
        }
        Path empty = dir.resolve("empty.dat");
        SegmentMeta meta = write(empty, new RowBatch(ALL, 1), 4096);
        assertEquals(0, meta.rows());
        try (SegmentReader r = SegmentReader.open(empty, ALL)) {
            assertEquals(0, r.rowCount());
            assertEquals(0, r.readAll().size());
            assertNull(SegmentCursor.open(r, 10).next());
            r.verifyAll();
        }
    }

    @Test
    void readWindowsAcrossPageBoundaries() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 3_000, 1, 5);
        Path file = dir.resolve("w.dat");
        write(file, batch, 100);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            Random rnd = new Random(9);
            long[][] windows = {{0, 1}, {99, 2}, {100, 100}, {50, 1000}, {2_999, 1}, {0, 3_000}, {1234, 0}};
            for (long[] w : windows) {
                assertRowsEqual(batch, (int) w[0], r.read(w[0], (int) w[1]));
            }
            for (int i = 0; i < 50; i++) {
                int from = rnd.nextInt(3_000);
                int count = rnd.nextInt(3_000 - from + 1);
                RowBatch out = r.read(from, count);
                assertEquals(count, out.size());
                assertRowsEqual(batch, from, out);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> r.read(2_990, 11));
        }
    }

    @Test
    void readColumnsAppendsOnlyListedColumns() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 1_000, 2, 11);
        Path file = dir.resolve("c.dat");
        write(file, batch, 128);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            RowBatch into = r.read(0, 10);
            r.readColumns(500, 300, new int[] {0, 3}, into);
            assertEquals(310, into.size());
            assertRowsEqual(batch, 0, r.read(0, 10));
            for (int i = 0; i < 300; i++) {
                int row = 10 + i;
                assertEquals(batch.getLong(500 + i, 0), into.getLong(row, 0));
                assertEquals(batch.isNull(500 + i, 3), into.isNull(row, 3));
                assertArrayEquals(batch.getBytes(500 + i, 3), into.getBytes(row, 3));
                assertEquals(0, into.getLong(row, 1));
                assertFalse(into.isNull(row, 2));
                assertEquals(0, into.getBytes(row, 6).length);
            }
        }
    }

    @Test
    void cursorReturnsEveryRowOnceInBatches() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 2_500, 1, 3);
        Path file = dir.resolve("cur.dat");
        write(file, batch, 256);
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            SegmentCursor cursor = SegmentCursor.open(r, 300);
            int seen = 0;
            for (RowBatch b = cursor.next(); b != null; b = cursor.next()) {
                assertTrue(b.size() <= 300);
                assertRowsEqual(batch, seen, b);
                seen += b.size();
            }
            assertEquals(2_500, seen);
            SegmentCursor keysOnly = SegmentCursor.open(r, 1000, new int[] {0});
            RowBatch reuse = new RowBatch(ALL, 1000);
            long sum = 0;
            while (keysOnly.next(reuse)) {
                for (int i = 0; i < reuse.size(); i++) {
                    sum += reuse.getLong(i, 0);
                }
            }
            assertEquals(2_499L * 2_500 / 2, sum);
        }
    }

    @Test
    void longPagesUsePackedAndPlainEncodings() throws IOException {
        Schema kv = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        RowBatch b = new RowBatch(kv, 4_000);
        for (int i = 0; i < 4_000; i++) {
            int r = b.addRow();
            b.setLong(r, 0, i < 2_000 ? 77 : 1_000_000_000_000L + i);
            b.setLong(r, 1, i % 3 == 0 ? Long.MIN_VALUE : Long.MAX_VALUE - i);
        }
        Path file = dir.resolve("l.dat");
        SegmentMeta meta = write(file, b, 1_000);
        assertTrue(meta.bytes() < 4_000 * 16, "constant and narrow pages are packed");
        try (SegmentReader r = SegmentReader.open(file, kv)) {
            assertRowsEqual(b, 0, r.readAll());
        }
    }

    @Test
    void rowsOutOfKeyOrderAreRejected() throws IOException {
        Schema kv = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        RowBatch b = new RowBatch(kv, 4);
        for (long k : new long[] {5, 5, 4}) {
            int r = b.addRow();
            b.setLong(r, 0, k);
            b.setLong(r, 1, 0);
        }
        try (SegmentWriter w = SegmentWriter.create(dir.resolve("o.dat"), kv)) {
            w.appendRange(b, 0, 2);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.append(b, 2));
            assertTrue(e.getMessage().contains("o.dat"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> w.appendRows(b, new int[] {2, 0}, 0, 2));
            assertEquals(2, w.rowCount());
        }
        assertFalse(Files.exists(dir.resolve("o.dat.tmp")), "closing an unfinished writer deletes its file");
        assertFalse(Files.exists(dir.resolve("o.dat")));
    }

    @Test
    void appendRowsWritesAGatheredOrder() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 100, 1, 1);
        int[] evens = new int[50];
        for (int i = 0; i < 50; i++) {
            evens[i] = i * 2;
        }
        Path file = dir.resolve("g.dat");
        try (SegmentWriter w = SegmentWriter.create(file, ALL, 16)) {
            w.appendRows(batch, evens, 0, 50);
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(file, ALL)) {
            RowBatch out = r.readAll();
            assertEquals(50, out.size());
            for (int i = 0; i < 50; i++) {
                SegmentTestData.assertRowEquals(batch, i * 2, out, i);
            }
        }
    }

    @Test
    void existingSegmentIsNeverOverwrittenAndAbortDeletes() throws IOException {
        RowBatch batch = SegmentTestData.sortedAllTypes(ALL, 10, 1, 1);
        Path file = dir.resolve("e.dat");
        write(file, batch, 4096);
        assertThrows(FileAlreadyExistsException.class, () -> SegmentWriter.create(file, ALL));
        SegmentWriter w = SegmentWriter.create(dir.resolve("f.dat"), ALL);
        w.appendRange(batch, 0, 10);
        w.finish();
        assertTrue(Files.exists(dir.resolve("f.dat")));
        w.abort();
        assertFalse(Files.exists(dir.resolve("f.dat")), "abort after finish removes the finished file");
    }
}
