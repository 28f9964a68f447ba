package io.compactor.storage.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vertical compaction on disk (column groups written one after the other into each output
 * segment) produces exactly the files' contents, segment split and row-id map of horizontal
 * compaction.
 */
class VerticalCompactionTest {
    private static final long TABLET = 31;

    @TempDir
    Path root;
    private long nextId = 1;

    private static Schema schema(KeysType keys) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("k", ColumnType.BIGINT, false, 0));
        cols.add(new Column("name", ColumnType.VARCHAR, true, 24));
        cols.add(new Column("n", ColumnType.INT, false, 0));
        cols.add(new Column("x", ColumnType.DOUBLE, true, 0));
        cols.add(new Column("d", ColumnType.DATE, false, 0));
        cols.add(new Column("t", ColumnType.DATETIME, true, 0));
        cols.add(new Column("tag", ColumnType.VARCHAR, false, 8));
        cols.add(new Column("big", ColumnType.BIGINT, false, 0));
        return Schema.of(cols, List.of("k"), keys);
    }

    private RowsetMeta rowset(DataDir dir, Schema schema, Random rnd, long version, int rows) throws IOException {
        TreeMap<Long, Integer> keys = new TreeMap<>();
        while (keys.size() < rows) {
            keys.put((long) rnd.nextInt(rows * 3), keys.size());
        }
        RowBatch b = new RowBatch(schema, rows);
        for (long k : keys.keySet()) {
            int r = b.addRow();
            b.setLong(r, 0, k);
            if (rnd.nextInt(5) == 0) {
                b.setNull(r, 1);
            } else {
                b.setBytes(r, 1, ("n" + rnd.nextInt(100000)).getBytes(StandardCharsets.UTF_8));
            }
            b.setLong(r, 2, rnd.nextInt());
            if (rnd.nextInt(4) == 0) {
                b.setNull(r, 3);
            } else {
                b.setDouble(r, 3, rnd.nextGaussian());
            }
            b.setLong(r, 4, 18000 + rnd.nextInt(400));
            if (rnd.nextBoolean()) {
                b.setNull(r, 5);
            } else {
                b.setLong(r, 5, 1_600_000_000_000L + rnd.nextInt(1 << 30));
            }
            b.setBytes(r, 6, ("t" + version).getBytes(StandardCharsets.UTF_8));
            b.setLong(r, 7, rnd.nextLong());
        }
        RowsetId id = new RowsetId(nextId++);
        SortedRowsetWriter w = new SortedRowsetWriter(dir, TABLET, id, schema, Long.MAX_VALUE, null);
        w.appendRange(b, 0, b.size());
        PendingRowset p = w.build();
        return p.toMeta(Version.of(version), 0, version);
    }

    private static List<List<Object>> rows(DataDir dir, Schema schema, RowsetMeta out) throws IOException {
        List<List<Object>> all = new ArrayList<>();
        for (int s = 0; s < out.numSegments(); s++) {
            try (SegmentReader r = SegmentReader.open(dir.segmentPath(TABLET, out.rowsetId(), s), schema)) {
                r.verifyChecksums();
                RowBatch b = r.readAll();
                for (int i = 0; i < b.size(); i++) {
                    List<Object> row = new ArrayList<>();
                    for (int c = 0; c < schema.columnCount(); c++) {
                        row.add(b.value(i, c));
                    }
                    all.add(row);
                }
            }
        }
        return all;
    }

    @ParameterizedTest
    @EnumSource(KeysType.class)
    void verticalOutputEqualsHorizontalSegmentForSegment(KeysType keys) throws IOException {
        DataDir dir = new DataDir(root);
        Schema schema = schema(keys);
        Random rnd = new Random(99 + keys.ordinal());
        List<RowsetMeta> inputs = new ArrayList<>();
        for (int v = 2; v < 6; v++) {
            inputs.add(rowset(dir, schema, rnd, v, 3000 + rnd.nextInt(3000)));
        }
        long inputBytes = inputs.stream().mapToLong(RowsetMeta::totalBytes).sum();
        // small output segments, so the groups of several segments are written in turn
        long segmentBytes = inputBytes / 5;
        CompactionOutput h = RowsetCompactor.compact(dir, TABLET, schema, inputs, new RowsetId(nextId++),
                new CompactionSettings(false, 3, 1 << 20, segmentBytes, true));
        CompactionOutput v = RowsetCompactor.compact(dir, TABLET, schema, inputs, new RowsetId(nextId++),
                new CompactionSettings(true, 3, 1 << 20, segmentBytes, true));
        RowsetMeta hm = h.rowset().toMeta(new Version(2, 5), 0, 0);
        RowsetMeta vm = v.rowset().toMeta(new Version(2, 5), 0, 0);

        assertTrue(vm.numSegments() > 2, "expected several output segments, got " + vm.numSegments());
        assertEquals(hm.numSegments(), vm.numSegments());
        for (int s = 0; s < hm.numSegments(); s++) {
            assertEquals(hm.segments().get(s).rows(), vm.segments().get(s).rows(), "segment " + s);
            assertEquals(hm.segments().get(s).minKey().length, vm.segments().get(s).minKey().length);
        }
        assertEquals(rows(dir, schema, hm), rows(dir, schema, vm));
        assertEquals(h.stats().mergedRows(), v.stats().mergedRows());
        assertTrue(v.stats().vertical());
        for (int i = 0; i < inputs.size(); i++) {
            for (int row = 0; row < inputs.get(i).numRows(); row++) {
                assertEquals(h.conversion().map(i, 0, row), v.conversion().map(i, 0, row), "rowset " + i + " row " + row);
            }
        }
        try (Stream<Path> files = Files.list(dir.tabletDir(TABLET))) {
            assertEquals(0, files.filter(f -> f.toString().endsWith(".tmp")).count(), "no temp file is left");
        }
    }
}
