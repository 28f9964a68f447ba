package io.compactor.storage.segment;

import static io.compactor.storage.segment.SegmentTestData.assertRowsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch that keeps VARCHAR columns packed ({@link RowBatch#packVarchar}) reads a segment as a
 * plain batch does: every accessor sees the same values, whether the column stays packed or is
 * turned into one array per value half way.
 */
class PackedVarcharReadTest {
    private static final Schema ALL = SegmentTestData.allTypes(KeysType.DUPLICATE_KEYS);

    @TempDir
    Path dir;

    private Path segment(RowBatch batch) throws IOException {
        Path file = dir.resolve("p.dat");
        try (SegmentWriter w = SegmentWriter.create(file, ALL, 300)) {
            w.appendRange(batch, 0, batch.size());
            w.finish();
        }
        return file;
    }

    private static int varcharColumn() {
        for (int c = 0; c < ALL.columnCount(); c++) {
            if (ALL.column(c).type().physical() == io.compactor.storage.schema.ColumnType.Physical.BYTES) {
                return c;
            }
        }
        throw new AssertionError("the all-types schema has no VARCHAR column");
    }

    /** VARCHAR bytes of rows {@code [from, from + n)} of {@code b}, every VARCHAR column. */
    private static long varBytes(RowBatch b, int from, int n) {
        long sum = 0;
        for (int c = 0; c < ALL.columnCount(); c++) {
            if (ALL.column(c).type().physical() == io.compactor.storage.schema.ColumnType.Physical.BYTES) {
                for (int row = from; row < from + n; row++) {
                    sum += b.getBytes(row, c).length;
                }
            }
        }
        return sum;
    }

    @Test
    void packedBatchesReadTheSameRowsAcrossPagesAndReuse() throws IOException {
        RowBatch expected = SegmentTestData.sortedAllTypes(ALL, 5_000, 3, 7);
        int v = varcharColumn();
        try (SegmentReader r = SegmentReader.open(segment(expected), ALL)) {
            assertEquals(true, r.pageCount(v) > 3, "batches must span pages");
            SegmentCursor cursor = SegmentCursor.open(r, 1024);
            RowBatch packed = new RowBatch(ALL, 16);
            packed.packVarchar();
            long position = 0;
            byte[] scratch = new byte[1024];
            while (true) {
                long first = cursor.position();
                if (!cursor.next(packed)) {
                    break;
                }
                for (int row = 0; row < packed.size(); row++) {
                    byte[] want = expected.getBytes((int) first + row, v);
                    assertEquals(want.length, packed.bytesLength(row, v));
                    packed.copyBytes(row, v, scratch, 3);
                    assertArrayEquals(want, Arrays.copyOfRange(scratch, 3, 3 + want.length));
                    assertEquals(expected.value((int) first + row, v), packed.value(row, v));
                }
                assertEquals(varBytes(expected, (int) first, packed.size()), packed.varBytes());
                // a range of values copied out at once, from the packed form and from arrays
                byte[] range = new byte[64 * 1024];
                int got = packed.copyBytes(10, 500, v, range, 1);
                byte[] want = new byte[64 * 1024];
                int wanted = expected.copyBytes((int) first + 10, (int) first + 500, v, want, 1);
                assertEquals(wanted, got);
                assertArrayEquals(Arrays.copyOfRange(want, 1, 1 + wanted), Arrays.copyOfRange(range, 1, 1 + got));
                // gathers and copies out of a packed batch see the same values
                RowBatch copy = new RowBatch(ALL, 1);
                copy.appendRange(packed, 0, packed.size());
                assertRowsEqual(expected, (int) first, copy);
                // and so does the batch itself once turned into arrays (every second batch)
                if (position % 2 == 0) {
                    assertRowsEqual(expected, (int) first, packed);
                }
                position++;
            }
            assertEquals(5, position);
        }
    }

    @Test
    void writesToAPackedColumnKeepEveryOtherValue() throws IOException {
        RowBatch expected = SegmentTestData.sortedAllTypes(ALL, 700, 1, 9);
        int v = varcharColumn();
        try (SegmentReader r = SegmentReader.open(segment(expected), ALL)) {
            RowBatch b = new RowBatch(ALL, 16);
            b.packVarchar();
            r.readColumns(0, 400, null, b);
            long before = b.varBytes();
            b.setBytes(5, v, new byte[] {1, 2});
            assertEquals(varBytes(expected, 0, 400), before);
            assertEquals(before - expected.getBytes(5, v).length + 2, b.varBytes());
            assertArrayEquals(new byte[] {1, 2}, b.getBytes(5, v));
            assertArrayEquals(expected.getBytes(6, v), b.getBytes(6, v));
            // rows read after the column became arrays land as arrays
            r.readColumns(400, 300, null, b);
            expected.setBytes(5, v, new byte[] {1, 2});
            assertRowsEqual(expected, 0, b);
            b.removeLastRow();
            assertEquals(699, b.size());
            b.recomputeVarBytes();
            assertEquals(varBytes(expected, 0, 699), b.varBytes());
            // cleared and refilled: packed again, from row 0
            b.clear();
            r.readColumns(100, 50, null, b);
            assertEquals(expected.value(100, v), b.value(0, v));
            assertRowsEqual(expected, 100, b);
        }
    }
}
