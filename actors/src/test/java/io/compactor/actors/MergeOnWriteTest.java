package io.compactor.actors;

import io.compactor.storage.util.StatusCode;
import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.load;
import static io.compactor.actors.TestNode.scan;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.LoadResult;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merge-on-write unique-key tables: loads mark the rows they supersede in a delete bitmap, reads
 * skip marked rows, compaction carries marks through, full compaction repairs wrong bitmaps.
 */
class MergeOnWriteTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private Compactor node;
    /** The expected table: key -> value of the newest load. */
    private final Map<Long, Long> reference = new TreeMap<>();
    private int loads;
    /** Rows the loads stored (a key given twice in one load is stored once). */
    private long rowsLoaded;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Compactor start(boolean autoCompaction) {
        return TestNode.start(dir, Map.of("disable_auto_compaction", !autoCompaction, "enable_debug_points", true,
                "write_buffer_size", 8192));
    }

    /** An upsert of {@code n} random keys of {@code [0, keySpace)}, recorded in the reference. */
    private void upsert(String table, Random rnd, int n, int keySpace) {
        Map<Long, Long> rows = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            rows.put((long) rnd.nextInt(keySpace), loads * 100_000L + i);
        }
        LoadResult r = load(node, table, csv(rows), "l" + loads++);
        assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
        reference.putAll(rows);
        rowsLoaded += rows.size();
    }

    private List<String> expectedRows() {
        List<String> out = new ArrayList<>();
        reference.forEach((k, v) -> out.add(k + "," + v + ",s" + v));
        return out;
    }

    private void assertTableCorrect(TableMeta t) {
        assertEquals(expectedRows(), scan(node, t.name()), "one row per key, newest value");
        assertEquals(reference.size(), count(node, t.name()));
        for (long tablet : t.tabletIds()) {
            MowChecker.Result check = join(node.reads().checkTablet(tablet));
            assertEquals(0, check.duplicateKeys(), "no key visible twice in tablet " + tablet);
            assertTrue(check.bitmapConsistent(), "stored bitmap equals a recomputation in tablet " + tablet);
        }
    }

    @Test
    void upsertsAcrossManyLoadsReadTheNewestRowPerKey() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 3);
        Random rnd = new Random(7);
        for (int i = 0; i < 25; i++) {
            upsert("u", rnd, 120, 400);
        }
        assertTableCorrect(t);
        long marked = 0;
        for (long tablet : t.tabletIds()) {
            marked += join(node.reads().deleteBitmap(tablet)).cardinality();
        }
        assertEquals(rowsLoaded, marked + reference.size(), "every superseded row is marked exactly once");
    }

    @Test
    void upsertsStayCorrectWithCompactionsInBetween() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 2);
        Random rnd = new Random(11);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 6; i++) {
                upsert("u", rnd, 80, 300);
            }
            for (long tablet : t.tabletIds()) {
                Status s = join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT));
                assertTrue(s.ok() || s.is(StatusCode.CUMULATIVE_NO_SUITABLE_VERSION), s.toString());
            }
            assertTableCorrect(t);
        }
        upsert("u", rnd, 80, 300);
        for (long tablet : t.tabletIds()) {
            Status s = join(node.compaction().runAndWait(tablet, CompactionType.FULL, WAIT));
            assertEquals(Status.OK, s, "full compaction of [0-1], [2-x] and one more rowset");
        }
        assertTableCorrect(t);
    }

    @Test
    void loadCommittedDuringCompactionLeavesNoDuplicateAfterItCommits() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 1);
        long tablet = t.tabletIds().get(0);
        Random rnd = new Random(3);
        for (int i = 0; i < 6; i++) {
            upsert("u", rnd, 100, 150);
        }
        node.ops().debugPoints().add("compaction.merge.block", -1, -1, Map.of());
        var done = node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT).toCompletableFuture();
        await().atMost(WAIT).until(() -> join(node.compaction().status(tablet)).running()
                .contains(CompactionType.CUMULATIVE));
        // These loads supersede rows of the rowsets being merged; they commit while it runs.
        upsert("u", rnd, 100, 150);
        upsert("u", rnd, 100, 150);
        assertFalse(done.isDone(), "the compaction is still held");
        node.ops().debugPoints().remove("compaction.merge.block");
        assertEquals(Status.OK, join(done));
        var meta = join(node.reads().tabletMeta(tablet));
        assertTrue(meta.rowsets().stream().anyMatch(r -> r.version().start() == 2 && r.version().end() == 7),
                "the compaction output [2-7] committed: " + meta.rowsets());
        assertTableCorrect(t);
    }

    @Test
    void restartKeepsTheDeleteBitmap() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 2);
        Random rnd = new Random(5);
        for (int i = 0; i < 8; i++) {
            upsert("u", rnd, 60, 100);
        }
        Map<Long, io.compactor.api.DeleteBitmapInfo> before = new LinkedHashMap<>();
        for (long tablet : t.tabletIds()) {
            before.put(tablet, join(node.reads().deleteBitmap(tablet)));
        }
        node.close();
        node = start(false);
        for (long tablet : t.tabletIds()) {
            io.compactor.api.DeleteBitmapInfo after = join(node.reads().deleteBitmap(tablet));
            assertEquals(before.get(tablet).count(), after.count());
            assertEquals(before.get(tablet).cardinality(), after.cardinality());
        }
        assertTableCorrect(t);
    }

    @Test
    void fullCompactionRemovesDuplicateKeysLeftBySkippedMarks() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 2);
        Random rnd = new Random(9);
        for (int i = 0; i < 4; i++) {
            upsert("u", rnd, 50, 80);
        }
        node.ops().debugPoints().add("DeleteBitmap.skip_marks", -1, -1, Map.of());
        upsert("u", rnd, 50, 80);
        node.ops().debugPoints().remove("DeleteBitmap.skip_marks");
        long duplicates = 0;
        for (long tablet : t.tabletIds()) {
            MowChecker.Result r = join(node.reads().checkTablet(tablet));
            duplicates += r.duplicateKeys();
            assertFalse(r.bitmapConsistent());
        }
        assertTrue(duplicates > 0, "the injected fault leaves keys visible twice");
        assertTrue(count(node, "u") > reference.size());

        for (long tablet : t.tabletIds()) {
            assertEquals(Status.OK, join(node.compaction().runAndWait(tablet, CompactionType.FULL, WAIT)));
            var meta = join(node.reads().tabletMeta(tablet));
            assertEquals(1, meta.rowsets().size(), "one rowset [0-x] after full compaction");
            assertEquals(0, meta.rowsets().get(0).version().start());
        }
        assertTableCorrect(t);
    }

    @Test
    void loadsDuringFullCompactionGetTheirMarksRecomputedAgainstItsOutput() {
        node = start(false);
        TableMeta t = createTable(node, "u", KeysType.UNIQUE_KEYS, 1);
        long tablet = t.tabletIds().get(0);
        Random rnd = new Random(13);
        for (int i = 0; i < 5; i++) {
            upsert("u", rnd, 60, 90);
        }
        node.ops().debugPoints().add("compaction.merge.block", -1, -1, Map.of());
        var done = node.compaction().runAndWait(tablet, CompactionType.FULL, WAIT).toCompletableFuture();
        await().atMost(WAIT).until(() -> join(node.compaction().status(tablet)).running().contains(CompactionType.FULL));
        upsert("u", rnd, 60, 90);
        upsert("u", rnd, 60, 90);
        node.ops().debugPoints().remove("compaction.merge.block");
        assertEquals(Status.OK, join(done));
        assertTableCorrect(t);
    }
}
