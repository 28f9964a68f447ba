package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.util.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/**
 * One column group's pass of a vertical merge: reads only the group's columns from every source
 * and replays the key pass's row sources, copying the columns of every row not merged away into
 * the output batch. Consecutive entries from the same source are copied as one range.
 */
final class GroupReplayer implements Closeable {
    private final long tabletId;
    private final int groupIndex;
    private final int[] columns;
    private final SortedRunSource[] sources;
    private final RowBatch[] batch;
    private final int[] pos;
    private final int[] end;
    private final long[] rowsRead;

    GroupReplayer(long tabletId, int groupIndex, int[] columns, List<SourceFactory> inputs) throws IOException {
        this.tabletId = tabletId;
        this.groupIndex = groupIndex;
        this.columns = columns;
        int k = inputs.size();
        this.sources = new SortedRunSource[k];
        this.batch = new RowBatch[k];
        this.pos = new int[k];
        this.end = new int[k];
        this.rowsRead = new long[k];
        try {
            for (int s = 0; s < k; s++) {
                sources[s] = inputs.get(s).open(columns);
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Replays {@code n} row-source entries, writing the group's columns of the surviving rows to
     * {@code out} from row {@code outRow} on. Returns how many rows it wrote.
     */
    int replay(short[] entries, int n, RowBatch out, int outRow) throws IOException {
        int start = outRow;
        int i = 0;
        while (i < n) {
            short e = entries[i];
            int s = RowSourceBuffer.source(e);
            if (s >= sources.length) {
                throw new MergeCorruptionException("tablet " + tabletId + ": row source names source " + s
                        + " but the merge has " + sources.length + " sources");
            }
            if (pos[s] == end[s]) {
                load(s);
            }
            if (e < 0) {
                pos[s]++;
                i++;
                continue;
            }
            int limit = i + Math.min(end[s] - pos[s], n - i);
            int j = i + 1;
            while (j < limit && entries[j] == e) {
                j++;
            }
            int len = j - i;
            ColumnCopier.copy(batch[s], pos[s], out, outRow, len, columns);
            pos[s] += len;
            outRow += len;
            i = j;
        }
        return outRow - start;
    }

    private void load(int s) throws IOException {
        RowBatch b;
        do {
            b = sources[s].next();
            if (b == null) {
                throw new MergeCorruptionException("tablet " + tabletId + ": column group " + groupIndex
                        + " of input rowset " + sources[s].origin().rowsetIndex() + " (source " + s + ") ended after "
                        + rowsRead[s] + " rows, but the key merge took more rows from it");
            }
        } while (b.isEmpty());
        batch[s] = b;
        pos[s] = 0;
        end[s] = b.size();
        rowsRead[s] += b.size();
    }

    /** Fails unless every source was read to its end. */
    void verifyDrained() throws IOException {
        for (int s = 0; s < sources.length; s++) {
            long extra = end[s] - pos[s];
            RowBatch b;
            while ((b = sources[s].next()) != null) {
                extra += b.size();
            }
            if (extra > 0) {
                throw new MergeCorruptionException("tablet " + tabletId + ": column group " + groupIndex
                        + " of input rowset " + sources[s].origin().rowsetIndex() + " (source " + s + ") has " + extra
                        + " rows more than the key merge read");
            }
        }
    }

    /** Memory held by the current chunks of the group's sources. */
    long heldBytes() {
        long n = 0;
        for (RowBatch b : batch) {
            if (b != null) {
                n += ColumnCopier.estimatedBytes(b, columns.length);
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(java.util.Arrays.asList(sources));
    }
}
