package io.compactor.storage.mow;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.roaringbitmap.RoaringBitmap;

/**
 * Publish-time conflict handling of a partial column update (Doris's "calc delete bitmap" at
 * publish, {@code _generate_new_block_for_partial_update}). A partial update fills the columns it
 * does not give when it writes, from the rows visible then (its basis). If other rowsets became
 * visible before it publishes and touch some of its keys, those filled values are stale: published
 * as written they would overwrite the other loads' updates. So before the load's version becomes
 * visible, every row whose key appears in a rowset outside the basis takes its columns not given
 * again from the key's row visible now (newest first, rows the delete bitmap marks skipped); a key
 * deleted meanwhile becomes a new row (those columns NULL). The columns the load gives keep its
 * values, so of two loads giving the same column the later publish wins, as in Doris.
 *
 * <p>The corrected rows go into a new rowset (all the load's rows, files fsynced), which the load
 * commits instead of the one it wrote; the caller deletes the written one once the commit is
 * durable, or the new one if the load aborts. Until then either is only an uncommitted file set, so
 * a crash leaves the old visible state (consistency rules 1-2). Pure: no actor, no shared state.
 */
public final class PartialUpdateRealign {
    private PartialUpdateRealign() {
    }

    /** Whether rowsets became visible since the basis (only then can a row conflict). */
    public static boolean needed(Set<RowsetId> basis, List<RowsetMeta> current) {
        for (RowsetMeta r : current) {
            if (!basis.contains(r.rowsetId())) {
                return true;
            }
        }
        return false;
    }

    /**
     * The load's rowset with its conflicting rows re-filled, written as rowset {@code newId}; or
     * null when no row conflicts (the written rowset is right as it is).
     *
     * @param written the rowset the load wrote (against {@code basis})
     * @param current the rowsets visible now; {@code deleted} their marks now
     * @throws IllegalArgumentException with Doris's message for a new key the load may not insert
     */
    public static PendingRowset realign(DataDir dir, long tabletId, Schema schema, PartialUpdate partial,
                                        PendingRowset written, Set<RowsetId> basis, List<RowsetMeta> current,
                                        Map<SegmentKey, RoaringBitmap> deleted, PrimaryKeyIndexCache cache,
                                        RowsetId newId, long writeBufferBytes) throws IOException {
        List<RowsetMeta> added = current.stream().filter(r -> !basis.contains(r.rowsetId())).toList();
        if (added.isEmpty()) {
            return null;
        }
        List<RowBatch> batches = new ArrayList<>();
        int changed = 0;
        Map<Path, SegmentReader> readers = new HashMap<>();
        try {
            for (Path file : written.files()) {
                RowBatch rows;
                try (SegmentReader reader = SegmentReader.open(file, schema)) {
                    rows = reader.readAll();
                }
                for (int r = 0; r < rows.size(); r++) {
                    if (touches(dir, tabletId, schema, added, cache, rows, r)) {
                        partial.refill(schema, rows, r, PartialUpdate.find(dir, tabletId, schema, current, deleted,
                                cache, rows, r, readers));
                        changed++;
                    }
                }
                batches.add(rows);
            }
        } finally {
            for (SegmentReader reader : readers.values()) {
                reader.close();
            }
        }
        if (changed == 0) {
            return null;
        }
        RowsetWriter writer = new RowsetWriter(dir, tabletId, newId, schema, writeBufferBytes, null);
        try {
            for (RowBatch rows : batches) {
                writer.addAll(rows);
            }
            return writer.build();
        } catch (IOException | RuntimeException e) {
            writer.abort();
            throw e;
        }
    }

    /** Whether row {@code r}'s key has a row (marked or not) in one of {@code rowsets}. */
    private static boolean touches(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets,
                                   PrimaryKeyIndexCache cache, RowBatch rows, int r) throws IOException {
        boolean fast = PrimaryKeyIndex.singleLongKey(schema);
        long longKey = fast ? rows.getLong(r, 0) : 0;
        byte[] encoded = KeyCodec.encodeKey(rows, r);
        for (RowsetMeta rs : rowsets) {
            for (int seg = 0; seg < rs.numSegments(); seg++) {
                SegmentMeta s = rs.segments().get(seg);
                if (s.rows() == 0 || Arrays.compareUnsigned(encoded, s.minKey()) < 0
                        || Arrays.compareUnsigned(encoded, s.maxKey()) > 0) {
                    continue;
                }
                PrimaryKeyIndex index = cache.get(dir.segmentPath(tabletId, rs.rowsetId(), seg), schema);
                if ((fast ? index.find(longKey) : index.find(encoded)) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
