package io.compactor.storage.tablet;

import io.compactor.storage.merge.SortedRunSource;
import io.compactor.storage.merge.SourceOrigin;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.RowsetId;
import io.compactor.storage.schema.RowBatch;
import java.io.IOException;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * A read source of a merge-on-write tablet that skips rows its delete bitmap marks: the reason
 * merge-on-write reads need no merge by key. Row ids of the chunks it returns are no longer
 * consecutive, so it is for reads only, never for compaction.
 */
final class DeletedRowsFilter implements SortedRunSource {
    private final SortedRunSource in;
    private final RowsetId rowsetId;
    private final Map<SegmentKey, RoaringBitmap> deleted;
    private RowBatch out;
    private int[] keep = new int[0];

    DeletedRowsFilter(SortedRunSource in, RowsetId rowsetId, Map<SegmentKey, RoaringBitmap> deleted) {
        this.in = in;
        this.rowsetId = rowsetId;
        this.deleted = deleted;
    }

    @Override
    public SourceOrigin origin() {
        return in.origin();
    }

    @Override
    public RowBatch next() throws IOException {
        while (true) {
            RowBatch b = in.next();
            if (b == null) {
                return null;
            }
            RoaringBitmap gone = deleted.get(new SegmentKey(rowsetId, in.segmentId()));
            long first = in.firstRowId();
            if (gone == null || !gone.intersects(first, first + b.size())) {
                return b;
            }
            if (out == null) {
                out = new RowBatch(b.schema(), b.size());
            }
            if (keep.length < b.size()) {
                keep = new int[b.size()];
            }
            // the visible rows between the marked ones, gathered column by column
            int n = 0;
            int next = 0;
            var marked = gone.getIntIterator();
            marked.advanceIfNeeded((int) first);
            while (next < b.size()) {
                int stop = b.size();
                if (marked.hasNext()) {
                    long m = marked.next() - first;
                    stop = (int) Math.min(m, b.size());
                }
                while (next < stop) {
                    keep[n++] = next++;
                }
                next = stop + 1;
            }
            out.clear();
            out.appendRows(b, keep, n);
            if (!out.isEmpty()) {
                return out;
            }
        }
    }

    @Override
    public int segmentId() {
        return in.segmentId();
    }

    @Override
    public long firstRowId() {
        return in.firstRowId();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
