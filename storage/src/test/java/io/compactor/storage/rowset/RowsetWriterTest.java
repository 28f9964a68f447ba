package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RowsetWriterTest {
    private static final long TABLET = 10_001;

    @TempDir
    Path root;

    private static RowBatch shuffledKv(Schema s, int n, int keyDomain, long seed) {
        Random rnd = new Random(seed);
        RowBatch b = new RowBatch(s, n);
        for (int i = 0; i < n; i++) {
            int r = b.addRow();
            b.setLong(r, 0, rnd.nextInt(keyDomain));
            b.setLong(r, 1, i);
        }
        return b;
    }

    private static List<RowBatch> readSegments(PendingRowset rs, Schema s) throws IOException {
        List<RowBatch> out = new ArrayList<>();
        for (Path f : rs.files()) {
            try (SegmentReader r = SegmentReader.open(f, s)) {
                r.verifyAll();
                out.add(r.readAll());
            }
        }
        return out;
    }

    @Test
    void tinyWriteBufferFlushesSeveralSortedOverlappingSegments() throws IOException {
        Schema s = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        DataDir dir = new DataDir(root);
        RowBatch rows = shuffledKv(s, 5_000, 1_000_000, 1);
        List<Integer> flushed = new ArrayList<>();
        PendingRowset rs;
        try (RowsetWriter w = new RowsetWriter(dir, TABLET, new RowsetId(7), s, 16 * 1024,
                (id, meta, file) -> flushed.add(id))) {
            w.addAll(rows);
            rs = w.build();
            assertEquals(5_000, w.rowsAdded());
        }
        assertTrue(rs.segments().size() > 3, "several segments: " + rs.segments().size());
        assertEquals(SegmentsOverlap.OVERLAPPING, rs.overlap());
        assertEquals(5_000, rs.numRows());
        assertEquals(rs.segments().size(), flushed.size());
        for (int i = 0; i < flushed.size(); i++) {
            assertEquals(i, flushed.get(i));
            assertEquals(dir.segmentPath(TABLET, new RowsetId(7), i), rs.files().get(i));
            assertEquals(Files.size(rs.files().get(i)), rs.segments().get(i).bytes());
        }
        Map<Long, Integer> seqs = new HashMap<>();
        for (RowBatch seg : readSegments(rs, s)) {
            for (int r = 0; r < seg.size(); r++) {
                if (r > 0) {
                    assertTrue(seg.compareKeys(r - 1, seg, r) <= 0, "segment sorted");
                }
                assertEquals(null, seqs.put(seg.getLong(r, 1), r));
            }
        }
        assertEquals(5_000, seqs.size(), "every row written once");
        RowsetMeta meta = rs.toMeta(Version.of(2), 1234, 99);
        assertTrue(meta.isSegmentsOverlapping());
        assertEquals(5_000, meta.numRows());
        assertEquals(99, meta.txnId());
    }

    @Test
    void uniqueKeysKeepNewestRowPerKeyWithinAMemtable() throws IOException {
        Schema s = SegmentTestData.longKv(KeysType.UNIQUE_KEYS);
        RowBatch rows = shuffledKv(s, 10_000, 300, 2);
        PendingRowset rs;
        long merged;
        try (RowsetWriter w = new RowsetWriter(new DataDir(root), TABLET, new RowsetId(8), s, 1L << 30, null)) {
            w.addAll(rows);
            rs = w.build();
            merged = w.mergedRows();
        }
        assertEquals(1, rs.segments().size());
        assertEquals(SegmentsOverlap.NONOVERLAPPING, rs.overlap());
        Map<Long, Long> newest = new HashMap<>();
        for (int r = 0; r < rows.size(); r++) {
            newest.put(rows.getLong(r, 0), rows.getLong(r, 1));
        }
        RowBatch seg = readSegments(rs, s).get(0);
        assertEquals(newest.size(), seg.size());
        assertEquals(10_000 - newest.size(), merged);
        for (int r = 0; r < seg.size(); r++) {
            assertEquals(newest.get(seg.getLong(r, 0)), seg.getLong(r, 1));
        }
        assertArrayEquals(KeyCodec.encodeKey(seg, 0), rs.segments().get(0).minKey());
        assertArrayEquals(KeyCodec.encodeKey(seg, seg.size() - 1), rs.segments().get(0).maxKey());
    }

    @Test
    void emptyLoadYieldsNoSegments() throws IOException {
        Schema s = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        try (RowsetWriter w = new RowsetWriter(new DataDir(root), TABLET, new RowsetId(9), s, 1024, null)) {
            PendingRowset rs = w.build();
            assertEquals(0, rs.segments().size());
            assertEquals(0, rs.toMeta(Version.of(3), 0, 1).numRows());
            assertThrows(IllegalStateException.class, () -> w.add(new RowBatch(s, 1), 0));
        }
    }

    @Test
    void abortDeletesEverySegmentWritten() throws IOException {
        Schema s = SegmentTestData.allTypes(KeysType.DUPLICATE_KEYS);
        DataDir dir = new DataDir(root);
        RowBatch rows = SegmentTestData.sortedAllTypes(s, 2_000, 1, 4);
        RowsetWriter w = new RowsetWriter(dir, TABLET, new RowsetId(10), s, 8 * 1024, null);
        for (int r = 0; r < rows.size(); r++) {
            w.add(rows, r);
        }
        assertTrue(w.segmentCount() > 1);
        PendingRowset rs = w.build();
        rs.files().forEach(f -> assertTrue(Files.exists(f)));
        w.abort();
        rs.files().forEach(f -> assertFalse(Files.exists(f), f + " deleted"));
        try (var listing = Files.list(dir.tabletDir(TABLET))) {
            assertEquals(0, listing.count(), "no temp files left");
        }
    }

    @Test
    void invalidWriteBufferIsRejected() {
        Schema s = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RowsetWriter(new DataDir(root), TABLET, new RowsetId(1), s, 0, null));
        assertTrue(e.getMessage().contains("0"));
    }
}
