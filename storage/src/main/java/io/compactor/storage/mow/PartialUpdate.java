package io.compactor.storage.mow;

import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.roaringbitmap.RoaringBitmap;

/**
 * A partial column update of a merge-on-write table (Doris's {@code partial_columns: true}): the
 * columns a load does not give keep the values of the key's current row, looked up by primary
 * key in the rowsets visible when the load writes (newest first, rows the delete bitmap marks
 * skipped). A key with no current row is a new row: its columns not given are NULL, and a new row
 * whose such column is NOT NULL fails the load, as in Doris.
 *
 * @param provided    per schema column, whether the load gives it
 * @param newKeyError Doris's {@code partial_update_new_key_behavior: ERROR}: a new key fails the load
 */
public record PartialUpdate(boolean[] provided, boolean newKeyError) {

    /**
     * Fills the columns not given of every row of {@code rows} in place.
     *
     * @throws IllegalArgumentException with Doris's message for a new key the load may not insert
     */
    public void fill(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> basis,
                     Map<SegmentKey, RoaringBitmap> deleted, PrimaryKeyIndexCache cache, RowBatch rows)
            throws IOException {
        Map<Path, SegmentReader> readers = new HashMap<>();
        try {
            for (int r = 0; r < rows.size(); r++) {
                RowBatch current = find(dir, tabletId, schema, basis, deleted, cache, rows, r, readers);
                if (current == null) {
                    newRow(schema, rows, r);
                    continue;
                }
                for (int c = schema.keyCount(); c < schema.columnCount(); c++) {
                    if (!provided[c]) {
                        rows.copyColumns(r, current, 0, c, c + 1);
                    }
                }
            }
        } finally {
            for (SegmentReader reader : readers.values()) {
                try {
                    reader.close();
                } catch (Exception ignored) {
                    // read-only: nothing is lost
                }
            }
        }
    }

    private void newRow(Schema schema, RowBatch rows, int r) {
        if (newKeyError) {
            StringBuilder key = new StringBuilder();
            for (int c = 0; c < schema.keyCount(); c++) {
                key.append(c == 0 ? "" : ", ").append(rows.text(r, c));
            }
            throw new IllegalArgumentException("Can't append new rows in partial update when "
                    + "partial_update_new_key_behavior is ERROR. Row with key=[" + key + "] is not in table.");
        }
        for (int c = schema.keyCount(); c < schema.columnCount(); c++) {
            if (!provided[c] && !schema.column(c).nullable() && c != schema.deleteSignIndex()) {
                throw new IllegalArgumentException("the unmentioned column `" + schema.column(c).name()
                        + "` should have default value or be nullable for newly inserted rows in non-strict mode "
                        + "partial update");
            }
        }
    }

    /**
     * Publish-time re-fill (see {@link PartialUpdateRealign}): the columns not given of row {@code r}
     * take the values of {@code current}, the key's row visible now, or, when the key has no visible
     * row any more, become NULL as for a new row (with the new-row checks).
     *
     * @throws IllegalArgumentException with Doris's message for a new key the load may not insert
     */
    void refill(Schema schema, RowBatch rows, int r, RowBatch current) {
        if (current == null) {
            newRow(schema, rows, r);
        }
        for (int c = schema.keyCount(); c < schema.columnCount(); c++) {
            if (provided[c]) {
                continue;
            }
            if (current != null) {
                rows.copyColumns(r, current, 0, c, c + 1);
            } else if (schema.column(c).nullable()) {
                rows.setNull(r, c);
            }
        }
    }

    /** The key's current row (one row, every column), or null. */
    static RowBatch find(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> basis,
                                 Map<SegmentKey, RoaringBitmap> deleted, PrimaryKeyIndexCache cache, RowBatch rows,
                                 int r, Map<Path, SegmentReader> readers) throws IOException {
        boolean fast = PrimaryKeyIndex.singleLongKey(schema);
        long longKey = fast ? rows.getLong(r, 0) : 0;
        byte[] encoded = KeyCodec.encodeKey(rows, r);
        List<RowsetMeta> newestFirst = basis.stream()
                .sorted((a, b) -> b.version().compareTo(a.version())).toList();
        for (RowsetMeta rs : newestFirst) {
            for (int seg = rs.numSegments() - 1; seg >= 0; seg--) {
                SegmentMeta s = rs.segments().get(seg);
                if (s.rows() == 0 || Arrays.compareUnsigned(encoded, s.minKey()) < 0
                        || Arrays.compareUnsigned(encoded, s.maxKey()) > 0) {
                    continue;
                }
                Path file = dir.segmentPath(tabletId, rs.rowsetId(), seg);
                PrimaryKeyIndex index = cache.get(file, schema);
                int row = fast ? index.find(longKey) : index.find(encoded);
                if (row < 0) {
                    continue;
                }
                RoaringBitmap gone = deleted.get(new SegmentKey(rs.rowsetId(), seg));
                if (gone != null && gone.contains(row)) {
                    continue;
                }
                SegmentReader reader = readers.get(file);
                if (reader == null) {
                    reader = SegmentReader.open(file, schema);
                    readers.put(file, reader);
                }
                return reader.read(row, 1);
            }
        }
        return null;
    }
}
