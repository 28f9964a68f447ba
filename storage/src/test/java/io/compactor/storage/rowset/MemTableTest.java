package io.compactor.storage.rowset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentTestData;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MemTableTest {

    private static Schema schema(KeysType kt, ColumnType... keyTypes) {
        List<Column> cols = new ArrayList<>();
        for (int i = 0; i < keyTypes.length; i++) {
            cols.add(new Column("k" + i, keyTypes[i], false, 0));
        }
        cols.add(new Column("seq", ColumnType.BIGINT, false, 0));
        return new Schema(cols, keyTypes.length, kt);
    }

    /** Rows with random keys from a small domain (many duplicates); column "seq" = arrival index. */
    private static RowBatch randomRows(Schema s, int n, int domain, long seed) {
        Random rnd = new Random(seed);
        RowBatch b = new RowBatch(s, n);
        for (int i = 0; i < n; i++) {
            int r = b.addRow();
            for (int c = 0; c < s.keyCount(); c++) {
                int v = rnd.nextInt(domain) - domain / 2;
                switch (s.column(c).type().physical()) {
                    case LONG -> b.setLong(r, c, v % 3 == 0 ? (long) v << 40 : v);
                    case DOUBLE -> b.setDouble(r, c, v == 0 ? (rnd.nextBoolean() ? -0.0 : 0.0) : v / 4.0);
                    case BYTES -> b.setBytes(r, c, SegmentTestData.utf8(v < 0 ? "é" + (-v) : "a" + v));
                }
            }
            b.setLong(r, s.keyCount(), i);
        }
        return b;
    }

    /** The expected order: a stable library sort on compareKeys, then keep-last per key if unique. */
    private static int[] reference(RowBatch b, boolean unique) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < b.size(); i++) {
            idx.add(i);
        }
        idx.sort((x, y) -> b.compareKeys(x, b, y));
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < idx.size(); i++) {
            if (!unique || i == idx.size() - 1 || b.compareKeys(idx.get(i), b, idx.get(i + 1)) != 0) {
                out.add(idx.get(i));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] sorted(Schema s, RowBatch rows) {
        MemTable m = new MemTable(s);
        m.addRange(rows, 0, rows.size());
        assertEquals(rows.size(), m.rowCount());
        assertEquals(rows.size() > 0, m.estimatedBytes() > 0);
        return m.sortedOrder();
    }

    @Test
    void uniqueKeysCollapseToTheLastAppendedRow() {
        Schema s = schema(KeysType.UNIQUE_KEYS, ColumnType.BIGINT);
        RowBatch rows = new RowBatch(s, 8);
        long[][] kv = {{5, 0}, {1, 1}, {5, 2}, {3, 3}, {1, 4}, {5, 5}};
        for (long[] x : kv) {
            int r = rows.addRow();
            rows.setLong(r, 0, x[0]);
            rows.setLong(r, 1, x[1]);
        }
        assertArrayEquals(new int[] {4, 3, 5}, sorted(s, rows));
    }

    @Test
    void duplicateKeysKeepEveryRowInStableOrder() {
        Schema s = schema(KeysType.DUPLICATE_KEYS, ColumnType.BIGINT);
        RowBatch rows = new RowBatch(s, 8);
        long[] keys = {5, 1, 5, 3, 1, 5};
        for (int i = 0; i < keys.length; i++) {
            int r = rows.addRow();
            rows.setLong(r, 0, keys[i]);
            rows.setLong(r, 1, i);
        }
        assertArrayEquals(new int[] {1, 4, 3, 0, 2, 5}, sorted(s, rows));
    }

    @Test
    void randomizedOrdersMatchAStableReferenceSortForEveryKeyShape() {
        ColumnType[][] shapes = {
            {ColumnType.BIGINT},
            {ColumnType.INT, ColumnType.DATE},
            {ColumnType.DOUBLE},
            {ColumnType.VARCHAR},
            {ColumnType.BIGINT, ColumnType.VARCHAR},
            {ColumnType.VARCHAR, ColumnType.DATETIME, ColumnType.DOUBLE},
        };
        int seed = 0;
        for (ColumnType[] shape : shapes) {
            for (KeysType kt : KeysType.values()) {
                for (int n : new int[] {0, 1, 2, 31, 33, 1_000, 5_000}) {
                    Schema s = schema(kt, shape);
                    RowBatch rows = randomRows(s, n, n < 50 ? 10 : 700, seed++);
                    assertArrayEquals(reference(rows, kt == KeysType.UNIQUE_KEYS), sorted(s, rows),
                            kt + " " + List.of(shape) + " n=" + n);
                }
            }
        }
    }

    @Test
    void presortedAndReverseInputSortCorrectly() {
        Schema s = schema(KeysType.UNIQUE_KEYS, ColumnType.BIGINT);
        RowBatch asc = new RowBatch(s, 100);
        RowBatch desc = new RowBatch(s, 100);
        for (int i = 0; i < 100; i++) {
            int r = asc.addRow();
            asc.setLong(r, 0, i / 2);
            asc.setLong(r, 1, i);
            r = desc.addRow();
            desc.setLong(r, 0, Long.MAX_VALUE - i);
            desc.setLong(r, 1, i);
        }
        assertArrayEquals(reference(asc, true), sorted(s, asc));
        assertArrayEquals(reference(desc, true), sorted(s, desc));
    }

    @Test
    void extremeLongAndDoubleKeysSortNumerically() {
        Schema s = schema(KeysType.DUPLICATE_KEYS, ColumnType.DOUBLE, ColumnType.BIGINT);
        double[] ds = {Double.NaN, Double.POSITIVE_INFINITY, 1.5, -0.0, 0.0, -1.5, Double.NEGATIVE_INFINITY, -Double.MAX_VALUE};
        long[] ls = {Long.MAX_VALUE, Long.MIN_VALUE, 0, -1};
        RowBatch rows = new RowBatch(s, 64);
        int i = 0;
        for (double d : ds) {
            for (long l : ls) {
                int r = rows.addRow();
                rows.setDouble(r, 0, d);
                rows.setLong(r, 1, l);
                rows.setLong(r, 2, i++);
            }
        }
        assertArrayEquals(reference(rows, false), sorted(s, rows));
    }

    @Test
    void clearKeepsTheMemtableReusable() {
        Schema s = schema(KeysType.UNIQUE_KEYS, ColumnType.VARCHAR);
        MemTable m = new MemTable(s);
        RowBatch rows = randomRows(s, 500, 50, 3);
        m.addRange(rows, 0, 500);
        assertEquals(50, m.sortedOrder().length, "50 distinct keys");
        m.clear();
        assertTrue(m.isEmpty());
        assertEquals(0, m.estimatedBytes());
        m.add(rows, 7);
        assertArrayEquals(new int[] {0}, m.sortedOrder());
    }
}
