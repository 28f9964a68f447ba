package io.compactor.storage.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A segment written column group by column group reads back like one written row by row. */
class VerticalSegmentWriterTest {
    private static final Schema SCHEMA = Schema.of(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("a", ColumnType.VARCHAR, true, 16), new Column("b", ColumnType.DOUBLE, false, 0),
            new Column("c", ColumnType.INT, true, 0)), List.of("k"), KeysType.DUPLICATE_KEYS);

    @TempDir
    Path dir;

    private static RowBatch rows(int n) {
        RowBatch b = new RowBatch(SCHEMA, n);
        for (int i = 0; i < n; i++) {
            int r = b.addRow();
            b.setLong(r, 0, i * 3L);
            if (i % 7 == 0) {
                b.setNull(r, 1);
            } else {
                b.setBytes(r, 1, ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
            b.setDouble(r, 2, i / 3.0);
            if (i % 5 == 0) {
                b.setNull(r, 3);
            } else {
                b.setLong(r, 3, -i);
            }
        }
        return b;
    }

    @Test
    void groupByGroupFileEqualsRowWiseFile() throws IOException {
        RowBatch data = rows(10_000);
        Path rowWise = dir.resolve("r.dat");
        try (SegmentWriter w = SegmentWriter.create(rowWise, SCHEMA)) {
            w.appendRange(data, 0, data.size());
            w.finish();
        }
        Path vertical = dir.resolve("v.dat");
        SegmentMeta meta;
        try (VerticalSegmentWriter w = VerticalSegmentWriter.create(vertical, SCHEMA)) {
            for (int[] group : List.of(new int[]{0}, new int[]{1, 3}, new int[]{2})) {
                w.startGroup(group);
                // uneven pieces, as a merge hands them over
                for (int from = 0; from < data.size(); from += 777) {
                    w.appendRange(data, from, Math.min(data.size(), from + 777));
                }
                w.finishGroup();
            }
            meta = w.finish();
        }
        assertEquals(10_000, meta.rows());
        assertFalse(Files.exists(dir.resolve("v.dat.tmp")));
        try (SegmentReader a = SegmentReader.open(rowWise, SCHEMA); SegmentReader b = SegmentReader.open(vertical, SCHEMA)) {
            b.verifyChecksums();
            RowBatch x = a.readAll();
            RowBatch y = b.readAll();
            for (int r = 0; r < x.size(); r++) {
                for (int c = 0; c < SCHEMA.columnCount(); c++) {
                    assertEquals(x.value(r, c), y.value(r, c), "row " + r + " column " + c);
                }
            }
            assertTrue(java.util.Arrays.equals(a.minKey(), b.minKey()) && java.util.Arrays.equals(a.maxKey(), b.maxKey()));
        }
    }

    @Test
    void protocolViolationsFailAndLeaveNoFile() throws IOException {
        RowBatch data = rows(100);
        Path f = dir.resolve("bad.dat");
        VerticalSegmentWriter first = VerticalSegmentWriter.create(f, SCHEMA);
        assertThrows(IllegalArgumentException.class, () -> first.startGroup(new int[]{1}), "keys must come first");
        first.abort();
        assertFalse(Files.exists(dir.resolve("bad.dat.tmp")));

        VerticalSegmentWriter w = VerticalSegmentWriter.create(f, SCHEMA);
        w.startGroup(new int[]{0});
        w.appendRange(data, 0, 100);
        w.finishGroup();
        w.startGroup(new int[]{1, 2});
        w.appendRange(data, 0, 99);
        IllegalStateException shortGroup = assertThrows(IllegalStateException.class, w::finishGroup);
        assertTrue(shortGroup.getMessage().contains("got 99 rows, the key group 100"), shortGroup.getMessage());
        w.close();
        assertFalse(Files.exists(dir.resolve("bad.dat.tmp")));

        VerticalSegmentWriter missing = VerticalSegmentWriter.create(f, SCHEMA);
        missing.startGroup(new int[]{0});
        missing.appendRange(data, 0, 100);
        missing.finishGroup();
        IllegalStateException e = assertThrows(IllegalStateException.class, missing::finish);
        assertTrue(e.getMessage().contains("column 'a' was never written"), e.getMessage());
        missing.close();
        assertFalse(Files.exists(f));
    }
}
