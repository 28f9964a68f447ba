package io.compactor.actors.load;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;

/**
 * Splits a load's rows into one batch per bucket by the hash of the key columns. Column by
 * column: one pass computes every row's bucket and the bucket sizes, then each column is
 * scattered into exactly sized arrays in one tight loop (no per-row dispatch over the columns,
 * no array growth). VARCHAR values are shared, not copied: they are immutable once in a batch.
 */
public final class RowRouter {
    private RowRouter() {
    }

    /** Returns one batch per bucket (index = bucket), empty batches for buckets with no rows. */
    public static RowBatch[] route(TableMeta table, RowBatch rows) {
        int buckets = table.buckets();
        Schema schema = table.schema();
        RowBatch[] out = new RowBatch[buckets];
        if (buckets == 1) {
            out[0] = rows;
            return out;
        }
        int n = rows.size();
        int[] bucketOf = new int[n];
        int[] counts = new int[buckets];
        for (int r = 0; r < n; r++) {
            int b = Math.floorMod(rows.keyHash(r), buckets);
            bucketOf[r] = b;
            counts[b]++;
        }
        for (int b = 0; b < buckets; b++) {
            out[b] = new RowBatch(schema, counts[b]);
            out[b].reserveRows(counts[b]);
        }
        int[] pos = new int[buckets];
        for (int c = 0; c < schema.columnCount(); c++) {
            java.util.Arrays.fill(pos, 0);
            switch (schema.column(c).type().physical()) {
                case LONG -> {
                    long[] src = rows.longColumn(c);
                    long[][] dst = new long[buckets][];
                    for (int b = 0; b < buckets; b++) {
                        dst[b] = out[b].longColumn(c);
                    }
                    for (int r = 0; r < n; r++) {
                        int b = bucketOf[r];
                        dst[b][pos[b]++] = src[r];
                    }
                }
                case DOUBLE -> {
                    double[] src = rows.doubleColumn(c);
                    double[][] dst = new double[buckets][];
                    for (int b = 0; b < buckets; b++) {
                        dst[b] = out[b].doubleColumn(c);
                    }
                    for (int r = 0; r < n; r++) {
                        int b = bucketOf[r];
                        dst[b][pos[b]++] = src[r];
                    }
                }
                case BYTES -> {
                    byte[][] src = rows.bytesColumn(c);
                    byte[][][] dst = new byte[buckets][][];
                    for (int b = 0; b < buckets; b++) {
                        dst[b] = out[b].bytesColumn(c);
                    }
                    for (int r = 0; r < n; r++) {
                        int b = bucketOf[r];
                        dst[b][pos[b]++] = src[r];
                    }
                }
            }
            boolean[] srcNulls = rows.nullColumn(c);
            if (srcNulls != null) {
                java.util.Arrays.fill(pos, 0);
                boolean[][] dst = new boolean[buckets][];
                for (int b = 0; b < buckets; b++) {
                    dst[b] = out[b].nullColumn(c);
                }
                for (int r = 0; r < n; r++) {
                    int b = bucketOf[r];
                    dst[b][pos[b]++] = srcNulls[r];
                }
            }
        }
        for (RowBatch b : out) {
            if (hasBytes(schema)) {
                b.recomputeVarBytes();
            }
        }
        return out;
    }

    private static boolean hasBytes(Schema schema) {
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).type().physical() == ColumnType.Physical.BYTES) {
                return true;
            }
        }
        return false;
    }
}
