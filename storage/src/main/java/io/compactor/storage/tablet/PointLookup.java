package io.compactor.storage.tablet;

import io.compactor.storage.mow.PrimaryKeyIndex;
import io.compactor.storage.mow.PrimaryKeyIndexCache;
import io.compactor.storage.mow.SegmentKey;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * A merge-on-write point lookup (Doris's {@code lookup_row_key}): rowsets newest first (segments of
 * an overlapping rowset newest first), each segment pruned by its min/max key, the key found in the
 * segment's cached primary-key index, and the first row the delete bitmap does not mark is the
 * answer; only that one row is read. A merge-on-write tablet shows at most one live row per key,
 * so nothing needs merging. The key indexes come from the node's Caffeine cache, so a warm lookup
 * reads no key page at all.
 */
final class PointLookup {
    private PointLookup() {
    }

    static RowBatch get(Schema schema, TabletSnapshot snapshot, RowBatch key, PrimaryKeyIndexCache keys)
            throws IOException {
        boolean fast = PrimaryKeyIndex.singleLongKey(schema);
        long longKey = fast ? key.getLong(0, 0) : 0;
        byte[] encoded = KeyCodec.encodeKey(key, 0);
        List<RowsetMeta> rowsets = snapshot.meta().rowsets();
        long tabletId = snapshot.meta().tabletId();
        for (int i = rowsets.size() - 1; i >= 0; i--) {
            RowsetMeta r = rowsets.get(i);
            for (int seg = r.numSegments() - 1; seg >= 0; seg--) {
                SegmentMeta s = r.segments().get(seg);
                if (s.rows() == 0 || Arrays.compareUnsigned(encoded, s.minKey()) < 0
                        || Arrays.compareUnsigned(encoded, s.maxKey()) > 0) {
                    continue;
                }
                Path file = snapshot.dataDir().segmentPath(tabletId, r.rowsetId(), seg);
                PrimaryKeyIndex index = keys.get(file, schema);
                int row = fast ? index.find(longKey) : index.find(encoded);
                if (row < 0) {
                    continue;
                }
                RoaringBitmap gone = snapshot.deleted().get(new SegmentKey(r.rowsetId(), seg));
                if (gone != null && gone.contains(row)) {
                    continue;
                }
                try (SegmentReader reader = SegmentReader.open(file, schema)) {
                    return reader.read(row, 1);
                }
            }
        }
        return new RowBatch(schema, 1);
    }
}
