package io.compactor.storage.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SortedRowsetWriter;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A merge counts into its {@link CompactionProgress} as it reads (the percent only grows and stays
 * under 100 until the commit) and stops at a checkpoint once cancelled, leaving no output file.
 */
class CompactionProgressMergeTest {
    private static final long TABLET = 77;
    private static final int ROWS_PER_INPUT = 10_000;

    @TempDir
    Path root;
    private long nextId = 1;

    private static Schema schema() {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("k", ColumnType.BIGINT, false, 0));
        for (int i = 0; i < 7; i++) {
            cols.add(new Column("v" + i, ColumnType.BIGINT, false, 0));
        }
        return Schema.of(cols, List.of("k"), KeysType.DUPLICATE_KEYS);
    }

    private List<RowsetMeta> inputs(DataDir dir, Schema schema) throws IOException {
        List<RowsetMeta> out = new ArrayList<>();
        for (int v = 2; v < 5; v++) {
            RowBatch b = new RowBatch(schema, ROWS_PER_INPUT);
            for (int i = 0; i < ROWS_PER_INPUT; i++) {
                int r = b.addRow();
                for (int c = 0; c < schema.columnCount(); c++) {
                    b.setLong(r, c, c == 0 ? i * 3L + v : i * c);
                }
            }
            SortedRowsetWriter w = new SortedRowsetWriter(dir, TABLET, new RowsetId(nextId++), schema, Long.MAX_VALUE,
                    null);
            w.appendRange(b, 0, b.size());
            PendingRowset p = w.build();
            out.add(p.toMeta(Version.of(v), 0, v));
        }
        return out;
    }

    private Set<String> files(DataDir dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.tabletDir(TABLET))) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void percentOnlyGrowsAndReaches100OnlyAtTheCommit(boolean vertical) throws IOException {
        DataDir dir = new DataDir(root);
        Schema schema = schema();
        List<RowsetMeta> inputs = inputs(dir, schema);
        CompactionProgress progress = new CompactionProgress(1, TABLET, 9, "cumulative", "TEST",
                System::currentTimeMillis);
        List<CompactionProgress.Snapshot> seen = new ArrayList<>();
        progress.holdWhile(() -> {
            seen.add(progress.snapshot()); // on the merge thread, at every checkpoint
            return false;
        });
        assertEquals(0.0, progress.snapshot().percent());
        RowsetCompactor.compact(dir, TABLET, schema, inputs, new RowsetId(nextId++),
                new CompactionSettings(vertical, 3, 1 << 20, Long.MAX_VALUE, false), progress);

        int passes = vertical ? 1 + 3 : 1; // key group, then 7 value columns in groups of 3
        assertTrue(seen.size() > 3 * passes, "checkpoints: " + seen.size());
        for (int i = 1; i < seen.size(); i++) {
            CompactionProgress.Snapshot a = seen.get(i - 1);
            CompactionProgress.Snapshot b = seen.get(i);
            assertTrue(b.percent() >= a.percent() && b.rowsRead() >= a.rowsRead()
                    && b.rowsWritten() >= a.rowsWritten() && b.bytesWritten() >= a.bytesWritten(), a + " then " + b);
            assertTrue(b.percent() < 100.0, b.toString());
        }
        CompactionProgress.Snapshot merged = progress.snapshot();
        assertEquals(3L * ROWS_PER_INPUT * passes, merged.rowsRead());
        assertEquals(3L * ROWS_PER_INPUT, merged.rowsWritten());
        assertTrue(merged.bytesWritten() > 0);
        assertEquals(vertical ? passes : 0, merged.groups());
        assertEquals(vertical ? passes : 0, merged.group());
        assertTrue(merged.percent() < 100.0 && merged.percent() >= 99.9, "merged, not committed: " + merged);
        assertEquals("[2-4]", merged.inputs().versions());

        assertTrue(progress.beginCommit());
        assertFalse(progress.cancel("late"), "a cancel after the commit began changes nothing");
        assertTrue(progress.snapshot().percent() < 100.0);
        progress.committed();
        assertEquals(100.0, progress.snapshot().percent());
        assertEquals(0, progress.snapshot().etaMs());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aCancelledMergeStopsAtItsNextCheckpointAndLeavesNoOutputFile(boolean vertical) throws IOException {
        DataDir dir = new DataDir(root);
        Schema schema = schema();
        List<RowsetMeta> inputs = inputs(dir, schema);
        Set<String> before = files(dir);
        CompactionProgress progress = new CompactionProgress(2, TABLET, 9, "base", "TEST", () -> 1234L);
        AtomicInteger checkpoints = new AtomicInteger();
        progress.holdWhile(() -> {
            if (checkpoints.incrementAndGet() == (vertical ? 40 : 5)) { // mid-merge (mid group pass if vertical)
                assertTrue(progress.cancel("operator"));
            }
            return false;
        });
        StatusException e = assertThrows(StatusException.class, () -> RowsetCompactor.compact(dir, TABLET, schema,
                inputs, new RowsetId(nextId++), new CompactionSettings(vertical, 3, 1 << 20, Long.MAX_VALUE, false),
                progress));
        assertEquals(StatusCode.CANCELLED, e.status().code());
        assertTrue(e.getMessage().contains("cancelled by operator"), e.getMessage());
        assertEquals(before, files(dir), "the output files and the row-source spill are gone");
        CompactionProgress.Snapshot s = progress.snapshot();
        assertEquals(CompactionProgress.State.CANCELLED, s.state());
        assertEquals("operator", s.cancelledBy());
        assertEquals(1234L, s.cancelledAtMs());
        assertTrue(s.rowsRead() > 0 && s.rowsRead() < 3L * ROWS_PER_INPUT * (vertical ? 4 : 1), s.toString());
        assertFalse(progress.beginCommit(), "a cancelled compaction never commits");
        assertFalse(progress.cancel("again"), "the first cancel wins");
    }
}
