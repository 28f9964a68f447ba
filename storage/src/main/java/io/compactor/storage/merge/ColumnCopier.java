package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;

/**
 * Column-subset copies between batches of one schema: one array copy per listed column, so a
 * merge moves runs of rows without touching the columns it did not read.
 */
final class ColumnCopier {
    private ColumnCopier() {
    }

    /** All column indexes of a schema, ascending. */
    static int[] allColumns(Schema schema) {
        int[] cols = new int[schema.columnCount()];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = i;
        }
        return cols;
    }

    /** The key column indexes of a schema, ascending. */
    static int[] keyColumns(Schema schema) {
        int[] cols = new int[schema.keyCount()];
        for (int i = 0; i < cols.length; i++) {
            cols[i] = i;
        }
        return cols;
    }

    /**
     * Copies {@code count} rows of the listed columns from {@code src} at {@code srcFrom} into
     * rows that already exist in {@code dst} at {@code dstFrom}. The caller recomputes the
     * destination's VARCHAR total ({@link RowBatch#recomputeVarBytes}) once it has filled it.
     */
    static void copy(RowBatch src, int srcFrom, RowBatch dst, int dstFrom, int count, int[] columns) {
        Schema schema = src.schema();
        for (int c : columns) {
            switch (schema.column(c).type().physical()) {
                case LONG -> System.arraycopy(src.longColumn(c), srcFrom, dst.longColumn(c), dstFrom, count);
                case DOUBLE -> System.arraycopy(src.doubleColumn(c), srcFrom, dst.doubleColumn(c), dstFrom, count);
                case BYTES -> System.arraycopy(src.bytesColumn(c), srcFrom, dst.bytesColumn(c), dstFrom, count);
            }
            boolean[] dstNulls = dst.nullColumn(c);
            if (dstNulls != null) {
                System.arraycopy(src.nullColumn(c), srcFrom, dstNulls, dstFrom, count);
            }
        }
    }

    /** Appends rows {@code [from, to)} of {@code src} to {@code dst}, filling only the listed columns. */
    static void append(RowBatch src, int from, int to, RowBatch dst, int[] columns) {
        int first = dst.reserveRows(to - from);
        copy(src, from, dst, first, to - from, columns);
        dst.recomputeVarBytes();
    }

    /** Memory estimate of a batch of which only {@code filledColumns} columns were filled. */
    static long estimatedBytes(RowBatch batch, int filledColumns) {
        return (long) batch.size() * filledColumns * 8L + batch.varBytes();
    }
}
