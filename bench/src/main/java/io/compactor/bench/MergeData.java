package io.compactor.bench;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/**
 * The rows every peer of {@code bench merge} compacts, generated the same way in every JVM (the
 * Paimon peer runs in a child JVM): {@code rowsets} sorted runs of {@code rowsPerRowset} rows,
 * keys distinct within a run and uniform in {@code [0, 5 x rowsPerRowset)}, so the runs overlap;
 * values BIGINT, BIGINT, DOUBLE and a 16-byte VARCHAR derived from key and run.
 */
record MergeData(int rowsets, int rowsPerRowset, long seed) {
    static final int VARCHAR_BYTES = 16;
    private static final int VARCHAR_POOL = 4096;

    static final Schema SCHEMA = new Schema(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("v1", ColumnType.BIGINT, false, 0), new Column("v2", ColumnType.BIGINT, false, 0),
            new Column("v3", ColumnType.DOUBLE, false, 0), new Column("v4", ColumnType.VARCHAR, false, 16)),
            1, KeysType.UNIQUE_KEYS);

    long keySpace() {
        return 5L * rowsPerRowset;
    }

    long totalRows() {
        return (long) rowsets * rowsPerRowset;
    }

    /** One key-sorted batch per run. */
    List<RowBatch> generate() {
        byte[][] pool = new byte[VARCHAR_POOL][];
        for (int i = 0; i < VARCHAR_POOL; i++) {
            pool[i] = String.format("val-%012d", i * 7919L).getBytes(StandardCharsets.US_ASCII);
        }
        Random rnd = new Random(seed);
        List<RowBatch> out = new ArrayList<>(rowsets);
        long space = keySpace();
        for (int r = 0; r < rowsets; r++) {
            BitSet keys = new BitSet((int) space);
            int n = 0;
            while (n < rowsPerRowset) {
                int k = (int) (rnd.nextDouble() * space);
                if (!keys.get(k)) {
                    keys.set(k);
                    n++;
                }
            }
            RowBatch b = new RowBatch(SCHEMA, rowsPerRowset);
            for (int k = keys.nextSetBit(0); k >= 0; k = keys.nextSetBit(k + 1)) {
                int row = b.addRow();
                b.setLong(row, 0, k);
                b.setLong(row, 1, k * 31L + r);
                b.setLong(row, 2, mix(k, r));
                b.setDouble(row, 3, (mix(k, r) & 0xFFFFF) / 1024.0);
                b.setBytes(row, 4, pool[(int) ((mix(k, r) >>> 20) % VARCHAR_POOL)]);
            }
            out.add(b);
        }
        return out;
    }

    private static long mix(long k, int r) {
        long x = k * 0x9E3779B97F4A7C15L + r;
        x ^= x >>> 29;
        return x * 0xBF58476D1CE4E5B9L;
    }
}
