package io.compactor.storage.mow;

import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentCursor;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * The full correctness check of a merge-on-write tablet ({@code /api/check_tablet}): counts keys
 * that are visible more than once, and recomputes the delete bitmap from scratch (walking rows
 * newest first, every older occurrence of a key must be deleted) to compare with the stored one.
 * Reads every row; a verification tool, not a hot path.
 */
public final class MowChecker {
    private MowChecker() {
    }

    /**
     * @param rows                 visible rows
     * @param duplicateKeys        keys visible more than once
     * @param expectedDeletedRows  rows the recomputed bitmap deletes
     * @param bitmapConsistent     the stored bitmap equals the recomputation
     */
    public record Result(long rows, long duplicateKeys, long expectedDeletedRows, boolean bitmapConsistent) {
    }

    public static Result check(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets,
                               Map<SegmentKey, RoaringBitmap> stored) throws IOException {
        List<RowsetMeta> newestFirst = new ArrayList<>(rowsets);
        newestFirst.sort(Comparator.comparing(RowsetMeta::version).reversed());
        Set<Object> seenAll = new HashSet<>();
        Set<Object> seenVisible = new HashSet<>();
        Set<Object> duplicated = new HashSet<>();
        Map<SegmentKey, RoaringBitmap> expected = new HashMap<>();
        boolean fast = PrimaryKeyIndex.singleLongKey(schema);
        int[] keyCols = new int[schema.keyCount()];
        for (int i = 0; i < keyCols.length; i++) {
            keyCols[i] = i;
        }
        long visible = 0;
        long expectedDeleted = 0;
        for (RowsetMeta r : newestFirst) {
            for (int seg = r.numSegments() - 1; seg >= 0; seg--) {
                if (r.segments().get(seg).rows() == 0) {
                    continue;
                }
                SegmentKey sk = new SegmentKey(r.rowsetId(), seg);
                RoaringBitmap gone = stored.get(sk);
                try (SegmentReader reader = SegmentReader.open(dir.segmentPath(tabletId, r.rowsetId(), seg), schema)) {
                    SegmentCursor cursor = SegmentCursor.open(reader, 4096, keyCols);
                    RowBatch batch = new RowBatch(schema, 4096);
                    int rowId = 0;
                    while (cursor.next(batch)) {
                        for (int i = 0; i < batch.size(); i++, rowId++) {
                            Object key = fast ? (Object) batch.getLong(i, 0)
                                    : ByteBuffer.wrap(KeyCodec.encodeKey(batch, i));
                            if (!seenAll.add(key)) {
                                expected.computeIfAbsent(sk, k -> new RoaringBitmap()).add(rowId);
                                expectedDeleted++;
                            }
                            if (gone == null || !gone.contains(rowId)) {
                                visible++;
                                if (!seenVisible.add(key)) {
                                    duplicated.add(key);
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Result(visible, duplicated.size(), expectedDeleted, sameBitmaps(expected, stored, rowsets));
    }

    private static boolean sameBitmaps(Map<SegmentKey, RoaringBitmap> expected, Map<SegmentKey, RoaringBitmap> stored,
                                       List<RowsetMeta> rowsets) {
        Set<SegmentKey> keys = new HashSet<>(expected.keySet());
        Set<io.compactor.storage.RowsetId> ids = new HashSet<>();
        for (RowsetMeta r : rowsets) {
            ids.add(r.rowsetId());
        }
        for (SegmentKey k : stored.keySet()) {
            if (ids.contains(k.rowsetId())) {
                keys.add(k);
            }
        }
        for (SegmentKey k : keys) {
            RoaringBitmap a = expected.getOrDefault(k, new RoaringBitmap());
            RoaringBitmap b = stored.getOrDefault(k, new RoaringBitmap());
            if (!a.equals(b)) {
                return false;
            }
        }
        return true;
    }
}
