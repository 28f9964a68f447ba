package io.compactor.storage.segcompaction;

import io.compactor.storage.util.StatusCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentTestData;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment compaction of one load driven synchronously (each task runs inside the flush that
 * triggered it), so layouts are deterministic. The actor runs the same state machine on its pool.
 */
class SegcompactionLoadTest {
    private static final long TABLET = 10_001;
    private static final RowsetId ROWSET = new RowsetId(42);

    @TempDir
    Path root;

    private final DebugPoints debugPoints = new DebugPoints(() -> true, Clock.systemUTC());

    /** Writes one segment per character of {@code pattern}: 'o' 50 rows, 'O' 200 rows; keys interleave. */
    private PendingRowset writeLayout(LoadSegcompaction load, Schema schema, String pattern, RowBatch expected)
            throws IOException {
        DataDir dir = new DataDir(root);
        List<RuntimeException> errors = new ArrayList<>();
        try (RowsetWriter w = new RowsetWriter(dir, TABLET, ROWSET, schema, 1L << 30, (id, meta, file) -> {
            load.segmentFlushed(id, meta, file);
            runTriggers(load);
            load.checkAfterFlush(id + 1, 0);
        })) {
            long seq = 0;
            for (int s = 0; s < pattern.length(); s++) {
                int rows = pattern.charAt(s) == 'O' ? 200 : 50;
                RowBatch b = new RowBatch(schema, rows);
                for (int i = 0; i < rows; i++) {
                    int r = b.addRow();
                    b.setLong(r, 0, (i * 7919L + s * 13L) % 1000);
                    b.setLong(r, 1, seq++);
                }
                w.addAll(b);
                w.flush();
                if (expected != null) {
                    expected.appendRange(b, 0, b.size());
                }
            }
            return load.finish(w.build());
        }
    }

    /** What the actor does: start a task when allowed, and re-evaluate after one succeeded. */
    private static void runTriggers(LoadSegcompaction load) {
        LoadSegcompaction.Task t;
        while ((t = load.nextTask()) != null) {
            Throwable error = null;
            try {
                t.run();
            } catch (Throwable e) {
                error = e;
            }
            if (!load.taskEnded(t, error)) {
                return;
            }
        }
    }

    private LoadSegcompaction load(Schema schema, SegcompactionSettings settings) {
        return new LoadSegcompaction(new DataDir(root), TABLET, ROWSET, schema, settings, debugPoints);
    }

    private static SegcompactionSettings smallBig(boolean vertical) {
        return SegcompactionSettings.defaults(true, 10).withCandidateMaxRows(100).withVertical(vertical);
    }

    private List<String> datFiles() throws IOException {
        try (Stream<Path> s = Files.list(root.resolve("data").resolve(Long.toString(TABLET)))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<Long, List<Long>> readAll(PendingRowset rs, Schema schema) throws IOException {
        Map<Long, List<Long>> byKey = new TreeMap<>();
        for (Path f : rs.files()) {
            try (SegmentReader r = SegmentReader.open(f, schema)) {
                r.verifyAll();
                RowBatch b = r.readAll();
                for (int i = 0; i < b.size(); i++) {
                    if (i > 0) {
                        assertTrue(b.compareKeys(i - 1, b, i) <= 0, "sorted segment " + f);
                    }
                    byKey.computeIfAbsent(b.getLong(i, 0), k -> new ArrayList<>()).add(b.getLong(i, 1));
                }
            }
        }
        byKey.values().forEach(l -> l.sort(null));
        return byKey;
    }

    private static Map<Long, List<Long>> group(RowBatch b) {
        Map<Long, List<Long>> byKey = new TreeMap<>();
        for (int i = 0; i < b.size(); i++) {
            byKey.computeIfAbsent(b.getLong(i, 0), k -> new ArrayList<>()).add(b.getLong(i, 1));
        }
        byKey.values().forEach(l -> l.sort(null));
        return byKey;
    }

    @Test
    void dorisInterleavedLayoutEndsAsSevenSegments() throws IOException {
        for (boolean vertical : new boolean[]{true, false}) {
            Schema schema = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
            RowBatch expected = new RowBatch(schema, 2000);
            LoadSegcompaction load = load(schema, smallBig(vertical));
            PendingRowset rs = writeLayout(load, schema, "ooooOOoOooooooooO", expected);

            // [oooo],O,O,o,O,[oooooooo],O
            assertEquals(List.of(200L, 200L, 200L, 50L, 200L, 400L, 200L),
                    rs.segments().stream().map(s -> s.rows()).toList());
            assertEquals(2, load.merges());
            assertEquals(SegmentsOverlap.OVERLAPPING, rs.overlap());
            List<String> names = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                assertEquals(new DataDir(root).segmentPath(TABLET, ROWSET, i), rs.files().get(i));
                assertEquals(Files.size(rs.files().get(i)), rs.segments().get(i).bytes());
                names.add(DataDir.segmentFileName(ROWSET, i));
            }
            assertEquals(names.stream().sorted().toList(), datFiles(), "dense ids, nothing else left");
            assertEquals(group(expected), readAll(rs, schema));
            load.abort();
            assertEquals(List.of(), datFiles());
        }
    }

    @Test
    void uniqueKeysKeepTheNewestRowAcrossSegmentsOfTheLoad() throws IOException {
        Schema schema = SegmentTestData.longKv(KeysType.UNIQUE_KEYS);
        LoadSegcompaction load = load(schema, SegcompactionSettings.defaults(true, 10));
        DataDir dir = new DataDir(root);
        PendingRowset rs;
        try (RowsetWriter w = new RowsetWriter(dir, TABLET, ROWSET, schema, 1L << 30, (id, meta, file) -> {
            load.segmentFlushed(id, meta, file);
            runTriggers(load);
        })) {
            for (int s = 0; s < 12; s++) {
                RowBatch b = new RowBatch(schema, 100);
                for (int k = s; k < 100; k++) { // segment s holds keys s..99, value = s
                    int r = b.addRow();
                    b.setLong(r, 0, k);
                    b.setLong(r, 1, s);
                }
                w.addAll(b);
                w.flush();
            }
            rs = load.finish(w.build());
        }
        // segments 0..9 merged; 10 and 11 are pending (2 <= batch/2) and renamed.
        assertEquals(3, rs.segments().size());
        assertEquals(100, rs.segments().get(0).rows());
        Map<Long, List<Long>> seg0 = readAll(new PendingRowset(ROWSET, TABLET, rs.segments().subList(0, 1),
                SegmentsOverlap.NONOVERLAPPING, rs.files().subList(0, 1)), schema);
        for (long k = 0; k < 100; k++) {
            assertEquals(List.of(Math.min(k, 9)), seg0.get(k), "key " + k + " keeps its newest row");
        }
    }

    @Test
    void fatalFailureFailsTheLoadWithE3119AndAbortLeavesNothing() throws IOException {
        Schema schema = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        LoadSegcompaction load = load(schema, smallBig(true));
        debugPoints.add(SegmentBatchMerger.FAIL_POINT, 1, -1, Map.of());
        StatusException e = assertThrows(StatusException.class,
                () -> writeLayout(load, schema, "oooooooooooooooooooo", null));
        assertEquals(StatusCode.SEGCOMPACTION_FAILED, e.status().code());
        assertTrue(e.status().msg().startsWith("segcompaction failed: tablet_id:" + TABLET), e.status().msg());
        assertTrue(e.status().msg().contains("debug point segcompaction.fail"), e.status().msg());
        load.abort();
        assertEquals(List.of(), datFiles());
    }

    @Test
    void retryableFailureIsRetriedAtTheNextTrigger() throws IOException {
        Schema schema = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        LoadSegcompaction load = load(schema, smallBig(true));
        debugPoints.add(SegmentBatchMerger.INIT_WRITER_FAIL_POINT, 1, -1, Map.of());
        RowBatch expected = new RowBatch(schema, 1000);
        PendingRowset rs = writeLayout(load, schema, "oooooooooooo", expected);
        // first trigger (10 pending) failed to open its writer; the next flush merged 10 of 11.
        assertEquals(List.of(500L, 50L, 50L), rs.segments().stream().map(s -> s.rows()).toList());
        assertEquals(group(expected), readAll(rs, schema));
    }

    @Test
    void tooManySegmentsFailsEarlyWithE238CountingCompactedSegments() throws IOException {
        Schema schema = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        LoadSegcompaction load = load(schema, smallBig(true).withMaxSegments(3));
        StatusException e = assertThrows(StatusException.class,
                () -> writeLayout(load, schema, "o".repeat(100), null));
        assertEquals(StatusCode.TOO_MANY_SEGMENTS, e.status().code());
        // 3 merges of 10 done; the 31st raw segment makes 4 sure segments.
        assertTrue(e.status().msg().startsWith("too many segments in rowset. tablet_id:" + TABLET + ", rowset_id:"
                + ROWSET + ", max:3, _num_segment:31, _segcompacted_point:30, _num_segcompacted:3"), e.status().msg());
        load.abort();
        assertEquals(List.of(), datFiles());
    }

    @Test
    void withoutSegcompactionEveryRawSegmentCounts() throws IOException {
        Schema schema = SegmentTestData.longKv(KeysType.DUPLICATE_KEYS);
        LoadSegcompaction off = load(schema, SegcompactionSettings.defaults(false, 10));
        PendingRowset rs = writeLayout(off, schema, "o".repeat(12), null);
        assertEquals(12, rs.segments().size());
        off.abort();
        LoadSegcompaction limited = load(schema, SegcompactionSettings.defaults(false, 10).withMaxSegments(5));
        StatusException e = assertThrows(StatusException.class, () -> writeLayout(limited, schema, "o".repeat(12), null));
        assertEquals(StatusCode.TOO_MANY_SEGMENTS, e.status().code());
        assertTrue(e.status().msg().contains("_num_segment:6,"), e.status().msg());
    }

    @Test
    void settingsComeFromTheNodeConfiguration() {
        CompactorConfig c = CompactorConfig.load(com.typesafe.config.ConfigFactory.load(),
                List.of(io.compactor.storage.config.StorageKeys.ALL));
        assertEquals(SegcompactionSettings.defaults(true, 10), SegcompactionSettings.from(c));
    }
}
