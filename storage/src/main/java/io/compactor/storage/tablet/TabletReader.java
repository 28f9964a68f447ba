package io.compactor.storage.tablet;

import io.compactor.storage.merge.MergeOptions;
import io.compactor.storage.merge.MergeSink;
import io.compactor.storage.merge.RowsetMerger;
import io.compactor.storage.merge.SortedRunSource;
import io.compactor.storage.mow.PrimaryKeyIndexCache;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.Closeables;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads the merged view of one or more tablet snapshots of a table: rows in key order, and for
 * UNIQUE_KEYS only the newest row of each key (merge-on-read). Tablets of one table never share a
 * key (rows go to a tablet by key hash), so merging all their sources at once yields the table's
 * key order.
 */
public final class TabletReader {
    private TabletReader() {
    }

    /** Rows in key order, at most {@code limit}. */
    public static RowBatch scan(Schema schema, List<TabletSnapshot> snapshots, long limit) throws IOException {
        RowBatch out = new RowBatch(schema, 1024);
        merge(schema, snapshots, new MergeSink() {
            private long accepted;

            @Override
            public void accept(RowBatch batch, int from, int to) {
                long room = limit - out.size();
                if (room > 0) {
                    out.appendRange(batch, from, (int) Math.min(to, from + room));
                }
                accepted += to - from;
            }

            @Override
            public long rowsWritten() {
                return accepted;
            }
        });
        return out;
    }

    /** Number of rows in the merged view. */
    public static long count(Schema schema, List<TabletSnapshot> snapshots) throws IOException {
        if (!snapshots.isEmpty() && snapshots.stream().allMatch(TabletSnapshot::isMergeOnWrite)) {
            // Merge-on-write: every row not in the delete bitmap is visible; no merge needed.
            long total = 0;
            for (TabletSnapshot s : snapshots) {
                for (RowsetMeta r : s.meta().rowsets()) {
                    total += r.numRows();
                    for (int seg = 0; seg < r.numSegments(); seg++) {
                        RoaringBitmap gone = s.deleted().get(new SegmentKey(r.rowsetId(), seg));
                        if (gone != null) {
                            total -= gone.rangeCardinality(0, r.segments().get(seg).rows());
                        }
                    }
                }
            }
            return total;
        }
        long[] n = new long[1];
        merge(schema, snapshots, new MergeSink() {
            @Override
            public void accept(RowBatch batch, int from, int to) {
                n[0] += to - from;
            }

            @Override
            public long rowsWritten() {
                return n[0];
            }
        });
        return n[0];
    }

    /**
     * The row whose key equals row 0 of {@code key} (key columns only are compared), or an empty
     * batch. A merge-on-write snapshot is looked up by primary key through {@code keys} (no merge,
     * one row read: {@link PointLookup}); any other tablet is read by merging its rowsets.
     */
    public static RowBatch get(Schema schema, TabletSnapshot snapshot, RowBatch key, PrimaryKeyIndexCache keys)
            throws IOException {
        if (snapshot.isMergeOnWrite()) {
            return PointLookup.get(schema, snapshot, key, keys);
        }
        return get(schema, snapshot, key);
    }

    /**
     * The row whose key equals row 0 of {@code key}, found by merging every rowset (merge-on-read:
     * the newest row of the key wins), or an empty batch.
     */
    public static RowBatch get(Schema schema, TabletSnapshot snapshot, RowBatch key) throws IOException {
        RowBatch out = new RowBatch(schema, 1);
        merge(schema, List.of(snapshot), new MergeSink() {
            private long accepted;

            @Override
            public void accept(RowBatch batch, int from, int to) {
                for (int r = from; r < to; r++) {
                    if (batch.compareKeys(r, key, 0) == 0) {
                        if (schema.isUniqueKeys()) {
                            out.clear();
                        }
                        if (out.isEmpty()) {
                            out.appendRow(batch, r);
                        }
                    }
                }
                accepted += to - from;
            }

            @Override
            public long rowsWritten() {
                return accepted;
            }
        });
        return out;
    }

    /**
     * Streams the merged view of the snapshots into {@code sink}, in key order: the read path of
     * {@link #scan} and {@link #count}. Merge-on-write snapshots skip the rows their delete
     * bitmaps mark before merging and merge as duplicate keys (no key collapsing); the others are
     * merged by key, the newest row of each key winning (merge-on-read).
     */
    public static void read(Schema schema, List<TabletSnapshot> snapshots, MergeSink sink) throws IOException {
        merge(schema, snapshots, sink);
    }

    /**
     * Streams every visible row of the snapshots into {@code sink} exactly once, in no particular
     * order: what a query that aggregates or filters needs. Merge-on-write snapshots are read
     * rowset after rowset, segment after segment, and the rows their delete bitmaps mark are
     * skipped as ranges — no merge and no copy, since each row's visibility is known without
     * looking at other rowsets (Doris's merge-on-write scan). Any other snapshot has to be merged
     * by key to know which rows are visible, so this falls back to {@link #read}.
     */
    public static void readAnyOrder(Schema schema, List<TabletSnapshot> snapshots, MergeSink sink) throws IOException {
        if (snapshots.isEmpty() || !snapshots.stream().allMatch(TabletSnapshot::isMergeOnWrite)) {
            merge(schema, snapshots, sink);
            return;
        }
        for (TabletSnapshot s : snapshots) {
            List<RowsetMeta> rowsets = s.meta().rowsets();
            for (SortedRunSource source : RowsetSources.scanSources(s.dataDir(), s.meta().tabletId(), schema, rowsets)) {
                try (SortedRunSource src = source) {
                    RowsetId rowset = rowsets.get(src.origin().rowsetIndex()).rowsetId();
                    RowBatch b;
                    while ((b = src.next()) != null) {
                        RoaringBitmap gone = s.deleted().get(new SegmentKey(rowset, src.segmentId()));
                        long first = src.firstRowId();
                        if (gone == null || !gone.intersects(first, first + b.size())) {
                            sink.accept(b, 0, b.size());
                            continue;
                        }
                        // visible runs between the marked rows, handed over in place
                        int from = 0;
                        var marked = gone.getIntIterator();
                        marked.advanceIfNeeded((int) first);
                        while (marked.hasNext()) {
                            long row = marked.next() - first;
                            if (row >= b.size()) {
                                break;
                            }
                            if (row > from) {
                                sink.accept(b, from, (int) row);
                            }
                            from = (int) row + 1;
                        }
                        if (from < b.size()) {
                            sink.accept(b, from, b.size());
                        }
                    }
                }
            }
        }
    }

    private static void merge(Schema schema, List<TabletSnapshot> snapshots, MergeSink sink) throws IOException {
        List<SortedRunSource> sources = new ArrayList<>();
        boolean mow = !snapshots.isEmpty() && snapshots.stream().allMatch(TabletSnapshot::isMergeOnWrite);
        try {
            for (TabletSnapshot s : snapshots) {
                List<RowsetMeta> rowsets = s.meta().rowsets();
                for (SortedRunSource src : RowsetSources.open(s.dataDir(), s.meta().tabletId(), schema, rowsets)) {
                    sources.add(mow ? new DeletedRowsFilter(src, rowsets.get(src.origin().rowsetIndex()).rowsetId(),
                            s.deleted()) : src);
                }
            }
            // Merge-on-write rows are already unique by key once deleted rows are skipped: merge
            // them as duplicate keys, so a wrong bitmap shows up as duplicates instead of hiding.
            Schema mergeSchema = mow ? new Schema(schema.columns(), schema.keyCount(), KeysType.DUPLICATE_KEYS) : schema;
            new RowsetMerger(mergeSchema, MergeOptions.forTablet(snapshots.size() == 1
                    ? snapshots.get(0).meta().tabletId() : -1)).merge(sources, sink);
        } finally {
            Closeables.closeQuietly(sources);
        }
    }
}
