package io.compactor.storage.merge;

import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.util.List;

/**
 * The merge fast path for one LONG-physical key column (INT, BIGINT, DATE, DATETIME): each
 * source's head key is cached in a {@code long[]}, so a loser-tree match is two array reads and
 * a primitive compare. An exhausted source gets key {@code Long.MAX_VALUE} and a rank above every
 * live source, so it loses every match without a separate check.
 */
final class LongKeyMerge extends KWayMerge {
    private final long[] headKey;
    private final long[][] keyColumn;
    private final int[] effRank;

    LongKeyMerge(Schema schema, long tabletId, List<? extends SortedRunSource> sources, int[] columns, MergeSink sink,
                 RowIdConversion conversion, RowSourceBuffer rowSources, boolean dropDeleted) {
        super(schema, tabletId, sources, columns, sink, conversion, rowSources, dropDeleted);
        headKey = new long[k];
        keyColumn = new long[k][];
        effRank = rank.clone();
    }

    @Override
    void loaded(int s) {
        keyColumn[s] = batch[s].longColumn(0);
        headKey[s] = keyColumn[s][0];
    }

    @Override
    void exhausted(int s) {
        keyColumn[s] = null;
        headKey[s] = Long.MAX_VALUE;
        effRank[s] = DONE_RANK;
    }

    @Override
    boolean less(int a, int b) {
        long ka = headKey[a];
        long kb = headKey[b];
        return ka < kb || (ka == kb && effRank[a] < effRank[b]);
    }

    @Override
    void loop() throws IOException {
        final int[] tree = this.tree;
        final long[] headKey = this.headKey;
        final int[] effRank = this.effRank;
        final int[] pos = this.pos;
        final int[] end = this.end;
        final long[][] keyColumn = this.keyColumn;
        final boolean unique = this.unique;
        final RowSourceBuffer rowSources = this.rowSources;
        final int k = this.k;
        long prevKey = 0;
        boolean havePrev = false;
        while (true) {
            final int w = tree[0];
            if (effRank[w] == DONE_RANK) {
                return;
            }
            int p = pos[w];
            final long key = headKey[w];
            if (unique) {
                if (havePrev && key == prevKey) {
                    dropPending();
                } else if (havePrev && dropSign >= 0) {
                    settlePending();
                }
                prevKey = key;
                havePrev = true;
            }
            if (rowSources != null) {
                rowSources.append(w);
            }
            appendToRun(w, p);

            if (++p < end[w]) {
                long next = keyColumn[w][p];
                if (next < key) {
                    throw unsorted(w, p, Long.toString(next), Long.toString(key));
                }
                pos[w] = p;
                headKey[w] = next;
            } else {
                release(w);
                if (fetch(w)) {
                    loaded(w);
                    if (headKey[w] < key) {
                        throw unsorted(w, 0, Long.toString(headKey[w]), Long.toString(key));
                    }
                } else {
                    exhausted(w);
                }
            }

            int winner = w;
            long wk = headKey[w];
            int wr = effRank[w];
            for (int n = (w + k) >>> 1; n > 0; n >>>= 1) {
                int o = tree[n];
                long ok = headKey[o];
                if (ok < wk || (ok == wk && effRank[o] < wr)) {
                    tree[n] = winner;
                    winner = o;
                    wk = ok;
                    wr = effRank[o];
                }
            }
            tree[0] = winner;
        }
    }
}
