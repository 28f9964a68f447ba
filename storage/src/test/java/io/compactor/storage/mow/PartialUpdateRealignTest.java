package io.compactor.storage.mow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.roaringbitmap.RoaringBitmap;

/**
 * The publish-time re-fill of a partial update on its own (no actor): a load that gives column
 * {@code a} and was written against the base rowset is re-filled from a rowset published after
 * it; keys no later rowset touches keep what the write filled, a key deleted meanwhile becomes a
 * new row, and nothing is rewritten when no key conflicts.
 */
class PartialUpdateRealignTest {
    private static final long TABLET = 5;
    private static final Schema SCHEMA = Schema.of(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("a", ColumnType.BIGINT, true, 0), new Column("b", ColumnType.BIGINT, true, 0),
            new Column("s", ColumnType.VARCHAR, true, 16)), List.of("k"), KeysType.UNIQUE_KEYS);
    /** Gives the key and {@code a}. */
    private static final PartialUpdate GIVES_A = new PartialUpdate(new boolean[]{true, true, false, false}, false);

    @TempDir
    Path root;
    private DataDir dir;
    private final PrimaryKeyIndexCache cache = new PrimaryKeyIndexCache(1 << 20);
    private long nextId = 1;
    private RowsetMeta base;

    @BeforeEach
    void baseRows() throws IOException {
        dir = new DataDir(root);
        base = write(batch(new Object[][]{{1L, 10L, 100L, "x"}, {2L, 20L, 200L, "y"}, {3L, 30L, 300L, "z"}}))
                .toMeta(Version.of(2), 0, 2);
    }

    private static RowBatch batch(Object[][] rows) {
        RowBatch b = new RowBatch(SCHEMA, rows.length);
        for (Object[] row : rows) {
            int r = b.addRow();
            for (int c = 0; c < row.length; c++) {
                if (row[c] == null) {
                    b.setNull(r, c);
                } else if (row[c] instanceof Long l) {
                    b.setLong(r, c, l);
                } else {
                    b.setBytes(r, c, ((String) row[c]).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return b;
    }

    private PendingRowset write(RowBatch rows) throws IOException {
        try (RowsetWriter w = new RowsetWriter(dir, TABLET, new RowsetId(nextId++), SCHEMA, 1 << 20, null)) {
            w.addAll(rows);
            return w.build();
        }
    }

    /** The partial load as the write leaves it: keys and {@code a} given, the rest filled from {@code basis}. */
    private PendingRowset partialLoad(List<RowsetMeta> basis, Map<SegmentKey, RoaringBitmap> deleted)
            throws IOException {
        RowBatch rows = batch(new Object[][]{{1L, 11L, null, null}, {2L, 21L, null, null}, {4L, 41L, null, null}});
        GIVES_A.fill(dir, TABLET, SCHEMA, basis, deleted, cache, rows);
        return write(rows);
    }

    /** A later load of whole rows and the marks it puts on older rows. */
    private RowsetMeta publish(long version, Object[][] rows, List<RowsetMeta> older, DeleteBitmap bitmap)
            throws IOException {
        PendingRowset p = write(batch(rows));
        bitmap.merge(new DeleteBitmapCalculator(dir, TABLET, SCHEMA, cache).calculate(p.rowsetId(), p.segments(),
                older, bitmap.aggregate(), true).withVersion(version));
        return p.toMeta(Version.of(version), 0, version);
    }

    private static List<String> rows(PendingRowset r) throws IOException {
        List<String> out = new ArrayList<>();
        for (Path f : r.files()) {
            try (SegmentReader reader = SegmentReader.open(f, SCHEMA)) {
                RowBatch b = reader.readAll();
                for (int i = 0; i < b.size(); i++) {
                    out.add(b.text(i, 0) + "," + b.text(i, 1) + "," + b.text(i, 2) + "," + b.text(i, 3));
                }
            }
        }
        return out;
    }

    @Test
    void conflictingKeysTakeTheColumnsNotGivenFromTheRowsVisibleAtPublish() throws IOException {
        PendingRowset written = partialLoad(List.of(base), Map.of());
        List<String> filledAtWrite = rows(written);
        assertEquals(List.of("1,11,100,x", "2,21,200,y", "4,41,\\N,\\N"), filledAtWrite);

        DeleteBitmap bitmap = new DeleteBitmap();
        RowsetMeta later = publish(3, new Object[][]{{1L, 0L, 101L, "x2"}, {2L, 0L, 0L, "deleted"},
                {4L, 0L, 400L, "w"}}, List.of(base), bitmap);
        bitmap.mark(later.rowsetId(), 0, 3, 1); // key 2's row there is a delete: marked itself, as a DELETE load does
        RowsetId corrected = new RowsetId(100);
        PendingRowset out = PartialUpdateRealign.realign(dir, TABLET, SCHEMA, GIVES_A, written,
                Set.of(base.rowsetId()), List.of(base, later), bitmap.aggregate(), cache, corrected, 1 << 20);

        assertEquals(corrected, out.rowsetId());
        assertEquals(List.of("1,11,101,x2", "2,21,\\N,\\N", "4,41,400,w"), rows(out),
                "given column kept; the others from the later row; a deleted key is a new row");
        assertEquals(filledAtWrite, rows(written), "the written rowset is left to the caller");
    }

    @Test
    void nothingIsRewrittenWhenNoLaterRowsetTouchesTheLoadsKeys() throws IOException {
        PendingRowset written = partialLoad(List.of(base), Map.of());
        assertNull(PartialUpdateRealign.realign(dir, TABLET, SCHEMA, GIVES_A, written, Set.of(base.rowsetId()),
                List.of(base), Map.of(), cache, new RowsetId(100), 1 << 20), "nothing published since the basis");
        assertFalse(PartialUpdateRealign.needed(Set.of(base.rowsetId()), List.of(base)));

        DeleteBitmap bitmap = new DeleteBitmap();
        RowsetMeta other = publish(3, new Object[][]{{3L, 33L, 333L, "other"}}, List.of(base), bitmap);
        assertTrue(PartialUpdateRealign.needed(Set.of(base.rowsetId()), List.of(base, other)));
        assertNull(PartialUpdateRealign.realign(dir, TABLET, SCHEMA, GIVES_A, written, Set.of(base.rowsetId()),
                List.of(base, other), bitmap.aggregate(), cache, new RowsetId(100), 1 << 20), "key 3 is not the load's");
        assertFalse(Files.exists(dir.segmentPath(TABLET, new RowsetId(100), 0)));
    }

    @Test
    void aKeyDeletedMeanwhileFailsALoadThatMayNotInsertNewKeys() throws IOException {
        PartialUpdate noNewKeys = new PartialUpdate(GIVES_A.provided(), true);
        PendingRowset written = partialLoad(List.of(base), Map.of());
        DeleteBitmap bitmap = new DeleteBitmap();
        RowsetMeta later = publish(3, new Object[][]{{2L, 0L, 0L, "gone"}}, List.of(base), bitmap);
        Map<SegmentKey, RoaringBitmap> deleted = new HashMap<>(bitmap.aggregate());
        deleted.put(new SegmentKey(later.rowsetId(), 0), RoaringBitmap.bitmapOf(0)); // the delete's own row
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PartialUpdateRealign.realign(
                dir, TABLET, SCHEMA, noNewKeys, written, Set.of(base.rowsetId()), List.of(base, later), deleted, cache,
                new RowsetId(100), 1 << 20));
        assertEquals("Can't append new rows in partial update when partial_update_new_key_behavior is ERROR. Row with "
                + "key=[2] is not in table.", e.getMessage());
    }
}
