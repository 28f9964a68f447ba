package io.compactor.storage.schema;

/** {@link RowBatch#appendRows}: a gather of rows of one batch onto the end of another, one tight loop per column. */
final class RowGather {
    private RowGather() {
    }

    static int appendRows(RowBatch dst, RowBatch src, int[] rows, int count) {
        int first = dst.reserveRows(count);
        Schema schema = dst.schema();
        for (int c = 0; c < schema.columnCount(); c++) {
            if (!dst.hasColumn(c)) {
                continue;
            }
            switch (schema.column(c).type().physical()) {
                case LONG -> {
                    long[] s = src.longColumn(c);
                    long[] d = dst.longColumn(c);
                    for (int i = 0; i < count; i++) {
                        d[first + i] = s[rows[i]];
                    }
                }
                case DOUBLE -> {
                    double[] s = src.doubleColumn(c);
                    double[] d = dst.doubleColumn(c);
                    for (int i = 0; i < count; i++) {
                        d[first + i] = s[rows[i]];
                    }
                }
                case BYTES -> {
                    byte[][] s = src.bytesColumn(c);
                    byte[][] d = dst.bytesColumn(c);
                    long added = 0;
                    for (int i = 0; i < count; i++) {
                        byte[] v = s[rows[i]];
                        d[first + i] = v;
                        added += v.length;
                    }
                    dst.addVarBytes(added);
                }
            }
            boolean[] d = dst.nullColumn(c);
            if (d != null) {
                boolean[] s = src.nullColumn(c);
                for (int i = 0; i < count; i++) {
                    d[first + i] = s != null && s[rows[i]];
                }
            }
        }
        return first;
    }
}
