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
            out.clear();
            for (int r = 0; r < b.size(); r++) {
                if (!gone.contains((int) (first + r))) {
                    out.appendRow(b, r);
                }
            }
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
