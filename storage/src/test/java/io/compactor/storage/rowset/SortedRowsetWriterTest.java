package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentTestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SortedRowsetWriterTest {
    private static final Schema ALL = SegmentTestData.allTypes(KeysType.UNIQUE_KEYS);

    @TempDir
    Path root;

    @Test
    void splitsAtMaxSegmentRowsIntoNonOverlappingSegments() throws IOException {
        DataDir dir = new DataDir(root);
        RowBatch rows = SegmentTestData.sortedAllTypes(ALL, 2_500, 2, 8);
        PendingRowset rs;
        try (SortedRowsetWriter w = new SortedRowsetWriter(dir, 5, new RowsetId(42), ALL, 1_000, null)) {
            w.appendRange(rows, 0, 700);
            w.append(rows, 700);
            w.appendRange(rows, 701, 2_500);
            assertEquals(2_500, w.rowCount());
            rs = w.build();
        }
        assertEquals(SegmentsOverlap.NONOVERLAPPING, rs.overlap());
        assertEquals(3, rs.segments().size());
        assertEquals(1_000, rs.segments().get(0).rows());
        assertEquals(1_000, rs.segments().get(1).rows());
        assertEquals(500, rs.segments().get(2).rows());
        int offset = 0;
        for (int i = 0; i < 3; i++) {
            try (SegmentReader r = SegmentReader.open(rs.files().get(i), ALL)) {
                RowBatch seg = r.readAll();
                SegmentTestData.assertRowsEqual(rows, offset, seg);
                offset += seg.size();
            }
            if (i > 0) {
                assertTrue(Arrays.compareUnsigned(rs.segments().get(i - 1).maxKey(), rs.segments().get(i).minKey()) < 0);
            }
        }
        RowsetMeta meta = rs.toMeta(new Version(2, 9), 1, 0);
        assertFalse(meta.isSegmentsOverlapping());
        assertEquals(1, meta.compactionScore());
    }

    @Test
    void keyOrderIsCheckedAcrossSegmentBoundaries() throws IOException {
        RowBatch rows = SegmentTestData.sortedAllTypes(ALL, 20, 1, 8);
        DataDir dir = new DataDir(root);
        try (SortedRowsetWriter w = new SortedRowsetWriter(dir, 5, new RowsetId(43), ALL, 10, null)) {
            w.appendRange(rows, 5, 15);
            assertEquals(1, w.segmentCount());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.append(rows, 3));
            assertTrue(e.getMessage().contains("rowset " + new RowsetId(43)), e.getMessage());
        }
        try (var files = Files.list(dir.tabletDir(5))) {
            assertEquals(0, files.count(), "closing an unbuilt writer removes its files");
        }
    }

    @Test
    void noRowsBuildsAnEmptyRowset() throws IOException {
        try (SortedRowsetWriter w = new SortedRowsetWriter(new DataDir(root), 5, new RowsetId(44), ALL, 10, null)) {
            PendingRowset rs = w.build();
            assertEquals(0, rs.segments().size());
            assertEquals(SegmentsOverlap.NONOVERLAPPING, rs.overlap());
        }
    }
}
