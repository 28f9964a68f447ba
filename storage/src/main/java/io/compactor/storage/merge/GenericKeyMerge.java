package io.compactor.storage.merge;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The merge path for any key: several columns, DOUBLE or VARCHAR keys. Keys are compared column
 * by column on the batches' primitive arrays, never encoded. The order check across chunk
 * boundaries keeps the last key of a source's previous chunk in a one-row batch.
 */
final class GenericKeyMerge extends KWayMerge {
    private final ColumnType.Physical[] keyKinds;
    private final int[] keyColumns;
    private final RowBatch boundary;

    GenericKeyMerge(Schema schema, long tabletId, List<? extends SortedRunSource> sources, int[] columns,
                    MergeSink sink, RowIdConversion conversion, RowSourceBuffer rowSources, boolean dropDeleted) {
        super(schema, tabletId, sources, columns, sink, conversion, rowSources, dropDeleted);
        keyKinds = new ColumnType.Physical[schema.keyCount()];
        for (int c = 0; c < keyKinds.length; c++) {
            keyKinds[c] = schema.column(c).type().physical();
        }
        keyColumns = ColumnCopier.keyColumns(schema);
        boundary = new RowBatch(schema, 1);
    }

    @Override
    void loaded(int s) {
    }

    @Override
    void exhausted(int s) {
    }

    @Override
    boolean less(int a, int b) {
        if (done[a]) {
            return false;
        }
        if (done[b]) {
            return true;
        }
        int c = compare(batch[a], pos[a], batch[b], pos[b]);
        if (c == 0 && seq >= 0) {
            c = compareSequence(batch[a], pos[a], batch[b], pos[b]);
        }
        return c < 0 || (c == 0 && rank[a] < rank[b]);
    }

    private int compare(RowBatch a, int ra, RowBatch b, int rb) {
        for (int c = 0; c < keyKinds.length; c++) {
            int cmp = switch (keyKinds[c]) {
                case LONG -> Long.compare(a.longColumn(c)[ra], b.longColumn(c)[rb]);
                case DOUBLE -> Double.compare(a.doubleColumn(c)[ra], b.doubleColumn(c)[rb]);
                case BYTES -> Arrays.compareUnsigned(a.bytesColumn(c)[ra], b.bytesColumn(c)[rb]);
            };
            if (cmp != 0) {
                return cmp;
            }
        }
        return 0;
    }

    /** Sequence values of two rows of one key: NULL is the smallest. */
    private int compareSequence(RowBatch a, int ra, RowBatch b, int rb) {
        boolean na = a.isNull(ra, seq);
        boolean nb = b.isNull(rb, seq);
        if (na || nb) {
            return na == nb ? 0 : na ? -1 : 1;
        }
        return Long.compare(a.getLong(ra, seq), b.getLong(rb, seq));
    }

    @Override
    void loop() throws IOException {
        final int[] tree = this.tree;
        final boolean unique = this.unique;
        while (true) {
            final int w = tree[0];
            if (done[w]) {
                return;
            }
            int p = pos[w];
            RowBatch b = batch[w];
            // In UNIQUE mode the pending row, i.e. the previous row popped, is the run's last row.
            if (unique && runBatch != null && runTo > runFrom) {
                if (compare(runBatch, runTo - 1, b, p) == 0) {
                    dropPending();
                } else {
                    settlePending();
                }
            }
            if (rowSources != null) {
                rowSources.append(w);
            }
            appendToRun(w, p);

            if (++p < end[w]) {
                if (compare(b, p, b, p - 1) < 0) {
                    throw unsorted(w, p, describe(b, p), describe(b, p - 1));
                }
                pos[w] = p;
            } else {
                boundary.clear();
                ColumnCopier.append(b, p - 1, p, boundary, keyColumns);
                release(w);
                if (fetch(w)) {
                    if (compare(batch[w], 0, boundary, 0) < 0) {
                        throw unsorted(w, 0, describe(batch[w], 0), describe(boundary, 0));
                    }
                }
            }

            int winner = w;
            for (int n = (w + k) >>> 1; n > 0; n >>>= 1) {
                int o = tree[n];
                if (less(o, winner)) {
                    tree[n] = winner;
                    winner = o;
                }
            }
            tree[0] = winner;
        }
    }

    private String describe(RowBatch b, int row) {
        StringBuilder sb = new StringBuilder("(");
        for (int c = 0; c < keyKinds.length; c++) {
            if (c > 0) {
                sb.append(", ");
            }
            switch (keyKinds[c]) {
                case LONG -> sb.append(b.longColumn(c)[row]);
                case DOUBLE -> sb.append(b.doubleColumn(c)[row]);
                case BYTES -> sb.append('\'').append(new String(b.bytesColumn(c)[row], StandardCharsets.UTF_8))
                        .append('\'');
            }
        }
        return sb.append(')').toString();
    }
}
