package io.compactor.storage.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/** Schemas, deterministic batches and cell-by-cell comparison for segment and rowset tests. */
public final class SegmentTestData {
    private SegmentTestData() {
    }

    /** Key BIGINT k, then one column of every type, nullable where allowed. */
    public static Schema allTypes(KeysType keysType) {
        return new Schema(List.of(
                new Column("k", ColumnType.BIGINT, false, 0),
                new Column("i", ColumnType.INT, true, 0),
                new Column("d", ColumnType.DOUBLE, true, 0),
                new Column("s", ColumnType.VARCHAR, true, 64),
                new Column("dt", ColumnType.DATE, false, 0),
                new Column("ts", ColumnType.DATETIME, true, 0),
                new Column("v1", ColumnType.VARCHAR, false, 0)), 1, keysType);
    }

    /** Key (BIGINT k), value (BIGINT v). */
    public static Schema longKv(KeysType keysType) {
        return new Schema(List.of(
                new Column("k", ColumnType.BIGINT, false, 0),
                new Column("v", ColumnType.BIGINT, false, 0)), 1, keysType);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Appends an all-types row with key {@code k} and values derived from {@code seed}. */
    public static void addAllTypesRow(RowBatch b, long k, Random rnd) {
        int r = b.addRow();
        b.setLong(r, 0, k);
        if (rnd.nextInt(7) == 0) {
            b.setNull(r, 1);
        } else {
            b.setLong(r, 1, rnd.nextInt());
        }
        if (rnd.nextInt(5) == 0) {
            b.setNull(r, 2);
        } else {
            b.setDouble(r, 2, rnd.nextGaussian() * 1e6);
        }
        switch (rnd.nextInt(6)) {
            case 0 -> b.setNull(r, 3);
            case 1 -> b.setBytes(r, 3, new byte[0]);
            case 2 -> b.setBytes(r, 3, utf8("héllo wörld ✓ 日本語 " + rnd.nextInt(100)));
            default -> b.setBytes(r, 3, utf8("s" + rnd.nextInt(1_000_000)));
        }
        b.setLong(r, 4, 18_000 + rnd.nextInt(3000));
        if (rnd.nextInt(9) == 0) {
            b.setNull(r, 5);
        } else {
            b.setLong(r, 5, 1_700_000_000_000_000L + rnd.nextInt(1_000_000_000));
        }
        byte[] v = new byte[rnd.nextInt(40)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) rnd.nextInt(256);
        }
        b.setBytes(r, 6, v);
    }

    /** A batch of {@code n} all-types rows with keys {@code 0, step, 2*step, ...}. */
    public static RowBatch sortedAllTypes(Schema schema, int n, long step, long seed) {
        Random rnd = new Random(seed);
        RowBatch b = new RowBatch(schema, n);
        for (int i = 0; i < n; i++) {
            addAllTypesRow(b, i * step, rnd);
        }
        return b;
    }

    /** Asserts row {@code ra} of {@code a} equals row {@code rb} of {@code b} in every column. */
    public static void assertRowEquals(RowBatch a, int ra, RowBatch b, int rb) {
        Schema s = a.schema();
        for (int c = 0; c < s.columnCount(); c++) {
            String where = "row " + ra + "/" + rb + " column " + s.column(c).name();
            assertEquals(a.isNull(ra, c), b.isNull(rb, c), where + " null flag");
            if (a.isNull(ra, c)) {
                continue;
            }
            switch (s.column(c).type().physical()) {
                case LONG -> assertEquals(a.getLong(ra, c), b.getLong(rb, c), where);
                case DOUBLE -> assertEquals(Double.doubleToRawLongBits(a.getDouble(ra, c)),
                        Double.doubleToRawLongBits(b.getDouble(rb, c)), where);
                case BYTES -> assertArrayEquals(a.getBytes(ra, c), b.getBytes(rb, c), where);
            }
        }
    }

    /** Asserts {@code actual} holds exactly rows {@code [from, from + actual.size())} of {@code expected}. */
    public static void assertRowsEqual(RowBatch expected, int from, RowBatch actual) {
        for (int r = 0; r < actual.size(); r++) {
            assertRowEquals(expected, from + r, actual, r);
        }
    }
}
