package io.compactor.storage.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SortedRowsetWriter;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Doris's ordered-data compaction: key-ordered, tidy inputs are linked instead of merged. */
class OrderedDataCompactionTest {
    private static final Schema SCHEMA = Schema.of(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("v", ColumnType.VARCHAR, true, 16)), List.of("k"), KeysType.DUPLICATE_KEYS);
    private static final long TABLET = 7;

    @TempDir
    Path root;
    private long nextId = 1;

    private RowsetMeta rowset(DataDir dir, long version, long firstKey, int rows) throws IOException {
        RowBatch b = new RowBatch(SCHEMA, rows);
        for (int i = 0; i < rows; i++) {
            int r = b.addRow();
            b.setLong(r, 0, firstKey + i);
            b.setBytes(r, 1, ("v" + (firstKey + i)).getBytes());
        }
        RowsetId id = new RowsetId(nextId++);
        SortedRowsetWriter w = new SortedRowsetWriter(dir, TABLET, id, SCHEMA, Long.MAX_VALUE, null);
        w.appendRange(b, 0, b.size());
        PendingRowset p = w.build();
        return p.toMeta(Version.of(version), 0, version);
    }

    private static CompactionSettings settings(boolean ordered, long minSegmentBytes) {
        return new CompactionSettings(false, 5, 1 << 20, 1L << 30, false, ordered, minSegmentBytes);
    }

    private static List<Long> keys(DataDir dir, RowsetMeta out) throws IOException {
        TabletMeta meta = TabletMeta.create(TABLET, 1, 0, dir.path()).addRowset(
                new RowsetMeta(new RowsetId(999_999), TABLET, new Version(0, 1), List.of(), out.overlap(), 0, 0, 0))
                .addRowset(out.withVersion(new Version(2, 2)));
        RowBatch rows = TabletReader.scan(SCHEMA, List.of(new TabletSnapshot(meta, SCHEMA, dir, () -> { })), 1_000_000);
        List<Long> k = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            k.add(rows.getLong(r, 0));
        }
        return k;
    }

    @Test
    void keyOrderedInputsAreLinkedNotRewritten() throws IOException {
        DataDir dir = new DataDir(root);
        List<RowsetMeta> inputs = List.of(rowset(dir, 2, 0, 100), rowset(dir, 3, 100, 50), rowset(dir, 4, 1000, 10));
        CompactionOutput out = RowsetCompactor.compact(dir, TABLET, SCHEMA, inputs, new RowsetId(50), settings(true, 0));
        assertEquals(3, out.rowset().segments().size());
        assertEquals(0, out.stats().mergedRows());
        assertEquals(160, out.stats().outputRows());
        for (int i = 0; i < 3; i++) {
            assertTrue(Files.isSameFile(dir.segmentPath(TABLET, new RowsetId(50), i),
                    dir.segmentPath(TABLET, inputs.get(i).rowsetId(), 0)), "segment " + i + " is a hard link");
        }
        RowsetMeta meta = out.rowset().toMeta(new Version(2, 4), 0, 0);
        List<Long> expected = new ArrayList<>();
        for (long k = 0; k < 150; k++) {
            expected.add(k);
        }
        for (long k = 1000; k < 1010; k++) {
            expected.add(k);
        }
        assertEquals(expected, keys(dir, meta));
        // deleting the inputs' files (stale sweep) leaves the output intact
        for (RowsetMeta in : inputs) {
            dir.deleteRowsetFiles(TABLET, in.rowsetId(), in.numSegments());
        }
        assertEquals(expected, keys(dir, meta));
    }

    @Test
    void overlappingKeyRangesAreMerged() throws IOException {
        DataDir dir = new DataDir(root);
        List<RowsetMeta> inputs = List.of(rowset(dir, 2, 0, 100), rowset(dir, 3, 50, 100));
        CompactionOutput out = RowsetCompactor.compact(dir, TABLET, SCHEMA, inputs, new RowsetId(50), settings(true, 0));
        assertEquals(1, out.rowset().segments().size(), "merged into one segment");
        assertFalse(Files.isSameFile(dir.segmentPath(TABLET, new RowsetId(50), 0),
                dir.segmentPath(TABLET, inputs.get(0).rowsetId(), 0)));
        assertEquals(200, out.stats().outputRows());
    }

    @Test
    void smallSegmentsOrTheSwitchOffMeanAMerge() throws IOException {
        DataDir dir = new DataDir(root);
        List<RowsetMeta> inputs = List.of(rowset(dir, 2, 0, 10), rowset(dir, 3, 10, 10));
        assertFalse(OrderedDataCompaction.tidy(inputs, 1 << 20), "segments below the minimum size are not tidy");
        assertTrue(OrderedDataCompaction.tidy(inputs, 0));
        CompactionOutput off = RowsetCompactor.compact(dir, TABLET, SCHEMA, inputs, new RowsetId(60), settings(false, 0));
        assertEquals(1, off.rowset().segments().size());
        CompactionOutput small = RowsetCompactor.compact(dir, TABLET, SCHEMA, inputs, new RowsetId(61),
                settings(true, 1 << 20));
        assertEquals(1, small.rowset().segments().size());
    }
}
