package io.compactor.storage.merge;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The k-way merge engine behind {@link RowsetMerger} and the key pass of {@link VerticalMerger}.
 *
 * <p><b>Order.</b> A loser tree over source indexes orders rows by (key, recency rank), oldest
 * first among equal keys; within a source, by position. DUPLICATE_KEYS emits every row in that
 * order. UNIQUE_KEYS emits only the last row of each run of equal keys, i.e. the newest: each
 * popped row is held as pending, and dropped (counted as merged) when the next popped row has
 * the same key. Popping oldest-first keeps one rule for rows of different sources and rows
 * repeated inside one source (where the later row is the newer).
 *
 * <p><b>Batch-wise output.</b> Consecutive rows popped from the same chunk of the same source
 * extend one run, handed to the sink as a single range; a non-overlapping input therefore flows
 * through in whole chunks.
 *
 * <p><b>Chunk lifetime.</b> A source may refill its batch on {@code next()}, so before a source
 * is advanced to its next chunk the run that points into its current chunk is flushed; the
 * pending UNIQUE row, which may still be merged away, is first copied into a one-row holder.
 *
 * <p>Subclasses provide the hot loop, specialised by key shape, without per-row allocation.
 */
abstract class KWayMerge {
    static final int DONE_RANK = Integer.MAX_VALUE;

    final long tabletId;
    final boolean unique;
    final int[] columns;
    final MergeSink sink;
    final RowIdConversion conversion;
    final RowSourceBuffer rowSources;

    final int k;
    final SortedRunSource[] sources;
    final int[] rank;
    final int[] rowsetIndex;
    final RowBatch[] batch;
    final int[] pos;
    final int[] end;
    final int[] segment;
    final long[] rowIdBase;
    final long[] rowsRead;
    final long[] heldBytes;
    final boolean[] done;
    final int[] tree;

    int runSource = -1;
    RowBatch runBatch;
    int runFrom;
    int runTo;
    int runSegment;
    long runRowIdBase;
    final RowBatch holder;

    long outputRows;
    long mergedRows;
    long filteredRows;
    /** Schema index of the delete sign when deleted keys are dropped, else -1. */
    final int dropSign;
    /** Schema index of the sequence column, or -1: among rows of one key the larger value wins. */
    final int seq;
    private long heldTotal;
    private long peakHeld;

    KWayMerge(Schema schema, long tabletId, List<? extends SortedRunSource> sources, int[] columns, MergeSink sink,
              RowIdConversion conversion, RowSourceBuffer rowSources, boolean dropDeleted) {
        this.tabletId = tabletId;
        this.unique = schema.isUniqueKeys();
        this.dropSign = unique && dropDeleted ? schema.deleteSignIndex() : -1;
        this.seq = unique ? schema.sequenceIndex() : -1;
        this.columns = columns;
        this.sink = sink;
        this.conversion = conversion;
        this.rowSources = rowSources;
        this.k = sources.size();
        if (rowSources != null && k > RowSourceBuffer.MAX_SOURCES) {
            throw new IllegalArgumentException("tablet " + tabletId + ": vertical merge supports at most "
                    + RowSourceBuffer.MAX_SOURCES + " sources, got " + k);
        }
        this.sources = sources.toArray(new SortedRunSource[0]);
        this.rank = recencyRanks(this.sources);
        this.rowsetIndex = new int[k];
        for (int s = 0; s < k; s++) {
            rowsetIndex[s] = this.sources[s].origin().rowsetIndex();
        }
        this.batch = new RowBatch[k];
        this.pos = new int[k];
        this.end = new int[k];
        this.segment = new int[k];
        this.rowIdBase = new long[k];
        this.rowsRead = new long[k];
        this.heldBytes = new long[k];
        this.done = new boolean[k];
        this.tree = new int[Math.max(1, k)];
        this.holder = RowBatch.projection(schema, 1, columns);
    }

    /** The engine for a schema: a primitive fast path for a single LONG-physical key column. */
    static KWayMerge create(Schema schema, long tabletId, List<? extends SortedRunSource> sources, int[] columns,
                            MergeSink sink, RowIdConversion conversion, RowSourceBuffer rowSources) {
        return create(schema, tabletId, sources, columns, sink, conversion, rowSources, false);
    }

    /**
     * The engine for a schema; {@code dropDeleted} drops keys whose newest row has the delete sign
     * (the columns must then include it, and the sequence column when the schema has one).
     */
    static KWayMerge create(Schema schema, long tabletId, List<? extends SortedRunSource> sources, int[] columns,
                            MergeSink sink, RowIdConversion conversion, RowSourceBuffer rowSources,
                            boolean dropDeleted) {
        boolean sequenced = schema.isUniqueKeys() && schema.sequenceIndex() >= 0;
        if (!sequenced && schema.keyCount() == 1 && schema.column(0).type().physical() == ColumnType.Physical.LONG) {
            return new LongKeyMerge(schema, tabletId, sources, columns, sink, conversion, rowSources, dropDeleted);
        }
        return new GenericKeyMerge(schema, tabletId, sources, columns, sink, conversion, rowSources, dropDeleted);
    }

    /** The schema columns a merge must read besides {@code columns}: the sequence and the dropped-on delete sign. */
    static int[] withMergeColumns(Schema schema, int[] columns, boolean dropDeleted) {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        for (int c : columns) {
            all.add(c);
        }
        if (schema.isUniqueKeys() && schema.sequenceIndex() >= 0) {
            all.add(schema.sequenceIndex());
        }
        if (schema.isUniqueKeys() && dropDeleted && schema.deleteSignIndex() >= 0) {
            all.add(schema.deleteSignIndex());
        }
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The previous key's last row (the run's last row) is final: a new key was popped, or the
     * merge ended. If its key is deleted and deleted keys are dropped, it goes.
     */
    final void settlePending() {
        if (dropSign < 0 || runBatch == null || runTo <= runFrom) {
            return;
        }
        if (runBatch.getLong(runTo - 1, dropSign) != 0) {
            runTo--;
            filteredRows++;
            if (rowSources != null) {
                rowSources.markLastSkipped();
            }
        }
    }

    /** rank[s] = position of source s when sorted oldest first; ties keep list order. */
    static int[] recencyRanks(SortedRunSource[] sources) {
        Integer[] order = new Integer[sources.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer, SourceOrigin>comparing(i -> sources[i].origin(),
                SourceOrigin::compareRecency).thenComparing(i -> i));
        int[] rank = new int[sources.length];
        for (int r = 0; r < order.length; r++) {
            rank[order[r]] = r;
        }
        return rank;
    }

    /** Runs the merge to the end; the caller checks the counts and closes the sources. */
    final MergeStats run() throws IOException {
        for (int s = 0; s < k; s++) {
            if (fetch(s)) {
                loaded(s);
            } else {
                exhausted(s);
            }
        }
        if (k > 0) {
            buildTree();
            loop();
            settlePending();
            flushRun();
        }
        long input = 0;
        for (long r : rowsRead) {
            input += r;
        }
        return new MergeStats(input, outputRows, mergedRows, rowsRead, peakHeld + ColumnCopier.estimatedBytes(holder,
                columns.length), false, false, filteredRows);
    }

    /** Pops rows until every source is exhausted. */
    abstract void loop() throws IOException;

    /** Whether the head row of source a goes before the head row of source b. */
    abstract boolean less(int a, int b);

    /** Called after source s loaded a new chunk, to refresh cached head data. */
    abstract void loaded(int s);

    /** Called once source s has no more rows. */
    abstract void exhausted(int s);

    private void buildTree() {
        int[] winners = new int[2 * k];
        for (int s = 0; s < k; s++) {
            winners[k + s] = s;
        }
        for (int n = k - 1; n >= 1; n--) {
            int a = winners[2 * n];
            int b = winners[2 * n + 1];
            if (less(b, a)) {
                winners[n] = b;
                tree[n] = a;
            } else {
                winners[n] = a;
                tree[n] = b;
            }
        }
        tree[0] = k == 1 ? 0 : winners[1];
    }

    /** Loads the next non-empty chunk of source s; false once the source is exhausted. */
    final boolean fetch(int s) throws IOException {
        SortedRunSource src = sources[s];
        while (true) {
            RowBatch b = src.next();
            if (b == null) {
                done[s] = true;
                batch[s] = null;
                pos[s] = 0;
                end[s] = 0;
                hold(s, 0);
                return false;
            }
            int n = b.size();
            if (n == 0) {
                continue;
            }
            batch[s] = b;
            pos[s] = 0;
            end[s] = n;
            segment[s] = src.segmentId();
            rowIdBase[s] = src.firstRowId();
            rowsRead[s] += n;
            hold(s, ColumnCopier.estimatedBytes(b, columns.length));
            return true;
        }
    }

    private void hold(int s, long bytes) {
        heldTotal += bytes - heldBytes[s];
        heldBytes[s] = bytes;
        if (heldTotal > peakHeld) {
            peakHeld = heldTotal;
        }
    }

    /**
     * Lets go of source w's current chunk before it is refilled: flushes the run pointing into
     * it, moving a pending UNIQUE row into the holder.
     */
    final void release(int w) throws IOException {
        if (runBatch == null || runBatch != batch[w] || runTo <= runFrom) {
            return;
        }
        if (!unique) {
            flushRun();
            return;
        }
        int last = runTo - 1;
        RowBatch src = runBatch;
        int seg = runSegment;
        long base = runRowIdBase;
        runTo = last;
        flushRun();
        holder.clear();
        ColumnCopier.append(src, last, last + 1, holder, columns);
        runSource = w;
        runBatch = holder;
        runFrom = 0;
        runTo = 1;
        runSegment = seg;
        runRowIdBase = base + last;
    }

    /** Appends popped row p of source w to the current run, or starts a new run. */
    final void appendToRun(int w, int p) throws IOException {
        if (runTo == p && runBatch == batch[w] && runSource == w) {
            runTo = p + 1;
            return;
        }
        flushRun();
        runSource = w;
        runBatch = batch[w];
        runFrom = p;
        runTo = p + 1;
        runSegment = segment[w];
        runRowIdBase = rowIdBase[w];
    }

    /** The pending row (last of the run) is an older duplicate of the row just popped. */
    final void dropPending() {
        if (runTo <= runFrom) {
            throw new IllegalStateException("tablet " + tabletId + ": no pending row to merge away");
        }
        runTo--;
        mergedRows++;
        if (rowSources != null) {
            rowSources.markLastSkipped();
        }
    }

    final void flushRun() throws IOException {
        int n = runTo - runFrom;
        if (n > 0) {
            sink.accept(runBatch, runFrom, runTo);
            if (conversion != null) {
                conversion.recordRange(rowsetIndex[runSource], runSegment, runRowIdBase + runFrom, n, outputRows);
            }
            outputRows += n;
        }
        runBatch = null;
        runFrom = 0;
        runTo = 0;
    }

    final MergeCorruptionException unsorted(int s, int row, String key, String previous) {
        SourceOrigin o = sources[s].origin();
        return new MergeCorruptionException("tablet " + tabletId + ": input rowset " + o.rowsetIndex() + " (version "
                + o.version() + ") segment " + segment[s] + " is not sorted by key: row " + (rowIdBase[s] + row)
                + " has key " + key + " after key " + previous);
    }
}
