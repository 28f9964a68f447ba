package io.compactor.actors;

import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.load;
import static io.compactor.actors.TestNode.scan;
import static io.compactor.actors.TestNode.tabletMetas;
import static io.compactor.actors.TestNode.visibleRowsets;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stream-load semantics of an embedded node: merged reads, filtering, labels, version limits, atomicity. */
class StreamLoadSemanticsTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, Object> extra) {
        node = TestNode.start(dir, extra);
    }

    private static List<String> expectedLines(Map<Long, Long> rows) {
        List<String> out = new ArrayList<>();
        new TreeMap<>(rows).forEach((id, v) -> out.add(id + "," + v + ",s" + v));
        return out;
    }

    @Test
    void uniqueKeysReadReturnsNewestRowPerKeyAcrossManyLoads() {
        start(Map.of());
        createTable(node, "u", KeysType.UNIQUE_KEYS, 4);
        Random rnd = new Random(42);
        Map<Long, Long> reference = new TreeMap<>();
        for (int load = 0; load < 30; load++) {
            Map<Long, Long> rows = new LinkedHashMap<>();
            while (rows.size() < 40) {
                rows.put((long) rnd.nextInt(200), (long) load * 1000 + rows.size());
            }
            LoadResult r = load(node, "u", csv(rows), "u-" + load);
            assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
            assertEquals(40, r.numberLoadedRows());
            reference.putAll(rows);
        }
        assertEquals(expectedLines(reference), scan(node, "u"));
        assertEquals(reference.size(), count(node, "u"));
        long probe = reference.keySet().iterator().next();
        assertEquals(List.of(probe + "," + reference.get(probe) + ",s" + reference.get(probe)),
                TestNode.lines(join(node.reads().get(DB, "u", Map.of("id", Long.toString(probe))))));
    }

    @Test
    void duplicateKeysKeepsEveryRowSortedByKey() {
        start(Map.of());
        createTable(node, "d", KeysType.DUPLICATE_KEYS, 4);
        List<String> all = new ArrayList<>();
        for (int load = 0; load < 5; load++) {
            Map<Long, Long> rows = new LinkedHashMap<>();
            for (long id = 0; id < 20; id++) {
                rows.put(id * 3 % 17, load * 100 + id);
            }
            assertEquals(LoadResult.SUCCESS, load(node, "d", csv(rows), null).status());
            rows.forEach((id, v) -> all.add(id + "," + v + ",s" + v));
        }
        List<String> scanned = scan(node, "d");
        assertEquals(all.size(), scanned.size());
        assertEquals(all.size(), count(node, "d"));
        List<Long> keys = scanned.stream().map(l -> Long.parseLong(l.substring(0, l.indexOf(',')))).toList();
        List<Long> sortedKeys = new ArrayList<>(keys);
        Collections.sort(sortedKeys);
        assertEquals(sortedKeys, keys, "scan is in key order");
        List<String> a = new ArrayList<>(all);
        List<String> b = new ArrayList<>(scanned);
        Collections.sort(a);
        Collections.sort(b);
        assertEquals(a, b, "every loaded row is kept");
    }

    /** strict_mode: true, so that a value that does not convert filters its row (Doris's default turns it NULL). */
    static final LoadOptions STRICT = LoadOptions.DEFAULTS.withRules(new io.compactor.storage.load.LoadRules(true,
            null, io.compactor.storage.load.MergeType.APPEND, null, null, false, false, java.util.List.of()));

    @Test
    void badRowsBelowMaxFilterRatioAreFilteredAndGoodRowsCommit() {
        start(Map.of());
        createTable(node, "f", KeysType.UNIQUE_KEYS, 2);
        String body = "1\t10\ta\n2\tnot-a-number\tb\n3\t30\tc\nx\t40\td\n5\t50\te\n"
                + "6\t60\tf\n7\t70\tg\n8\t80\th\n9\t90\ti\n10\t100\tj\n";
        LoadResult r = load(node, "f", body, STRICT.withMaxFilterRatio(0.3), "f1");
        assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
        assertEquals(10, r.numberTotalRows());
        assertEquals(8, r.numberLoadedRows());
        assertEquals(2, r.numberFilteredRows());
        assertEquals(8, count(node, "f"));
    }

    @Test
    void badRowsAboveMaxFilterRatioFailTheWholeLoad() {
        start(Map.of());
        createTable(node, "f", KeysType.UNIQUE_KEYS, 2);
        assertEquals(LoadResult.SUCCESS, load(node, "f", "100\t1\ta\n", "seed").status());
        String body = "1\t10\ta\n2\tbad\tb\n3\tbad\tc\n4\tbad\td\n5\t50\te\n";
        LoadResult r = load(node, "f", body, STRICT.withMaxFilterRatio(0.3), "f2");
        assertEquals(LoadResult.FAIL, r.status());
        assertTrue(r.message().contains("too many filtered rows"), r.message());
        assertEquals(3, r.numberFilteredRows());
        assertEquals(0, r.numberLoadedRows());
        assertEquals(1, count(node, "f"), "nothing of the failed load is visible");

        LoadResult strict = load(node, "f", "7\t70\ta\n8\toops\tb\n", STRICT, "f3");
        assertEquals(LoadResult.FAIL, strict.status(), "the default max_filter_ratio is 0");
        assertEquals(1, count(node, "f"));
    }

    @Test
    void reusedLabelIsANoOpEvenWithADifferentBody() {
        start(Map.of());
        createTable(node, "l", KeysType.UNIQUE_KEYS, 2);
        LoadResult first = load(node, "l", "1\t10\ta\n2\t20\tb\n", "same-label");
        assertEquals(LoadResult.SUCCESS, first.status());
        List<String> before = scan(node, "l");

        LoadResult again = load(node, "l", "1\t999\tz\n3\t30\tc\n", "same-label");
        assertEquals(LoadResult.LABEL_ALREADY_EXISTS, again.status());
        assertTrue(again.message().contains("has already been used"), again.message());
        assertEquals(first.txnId(), again.txnId(), "the answer names the committed transaction");
        assertEquals(before, scan(node, "l"));
        assertEquals(List.of("1,10,a", "2,20,b"), before);
    }

    @Test
    void loadOverMaxTabletVersionNumFailsWithE235AndNothingIsVisibleInAnyTablet() {
        // Compaction off: this is the case where it can not keep up, and the rowsets compared
        // below must change only through loads.
        start(Map.of("max_tablet_version_num", 5, "disable_auto_compaction", true));
        TableMeta t = createTable(node, "v", KeysType.UNIQUE_KEYS, 4);
        LoadResult failed = null;
        Map<Long, List<io.compactor.storage.rowset.RowsetMeta>> before = null;
        long countBefore = 0;
        for (int load = 0; load < 10 && failed == null; load++) {
            before = visibleRowsets(node, "v");
            countBefore = count(node, "v");
            Map<Long, Long> rows = new LinkedHashMap<>();
            for (long i = 0; i < 32; i++) {
                rows.put(load * 1000L + i, (long) load);
            }
            LoadResult r = load(node, "v", csv(rows), "v-" + load);
            if (!r.isSuccess()) {
                failed = r;
            }
        }
        assertTrue(failed != null, "a load beyond 5 versions must fail");
        assertEquals(LoadResult.FAIL, failed.status());
        assertTrue(failed.message().matches("(?s).*failed to init rowset builder\\. version count: 6, exceed limit: 5,"
                + " tablet: \\d+.*"), failed.message());
        assertTrue(failed.message().contains("E-235"), failed.message());
        assertEquals(before, visibleRowsets(node, "v"), "no tablet got a version from the failed load");
        assertEquals(countBefore, count(node, "v"));
        for (long tabletId : t.tabletIds()) {
            await().atMost(Duration.ofSeconds(10)).until(() -> datFiles(tabletId).size()
                    == referencedFiles(join(node.reads().tabletMeta(tabletId))));
        }

        // raising the (mutable) limit lets loads in again
        node.ops().config().update("max_tablet_version_num", "100");
        assertEquals(LoadResult.SUCCESS, load(node, "v", "424242\t1\tx\n", "after-raise").status());
    }

    @Test
    void loadWhoseWriteFailsOnOneTabletLeavesNothingVisibleOnTheOthers() throws IOException {
        start(Map.of());
        TableMeta t = createTable(node, "w", KeysType.DUPLICATE_KEYS, 4);
        long broken = t.tabletIds().get(2);
        Path brokenDir = dir.resolve("data").resolve(Long.toString(broken));
        deleteRecursively(brokenDir);
        Files.writeString(brokenDir, "a file where the tablet's directory should be");

        Map<Long, Long> rows = new LinkedHashMap<>();
        for (long i = 0; i < 200; i++) {
            rows.put(i, i);
        }
        var before = visibleRowsets(node, "w");
        LoadResult r = load(node, "w", csv(rows), "w1");
        assertEquals(LoadResult.FAIL, r.status(), r.toString());
        assertEquals(0, count(node, "w"));
        assertEquals(before, visibleRowsets(node, "w"));
        for (long tabletId : t.tabletIds()) {
            if (tabletId != broken) {
                await().atMost(Duration.ofSeconds(10)).until(() -> datFiles(tabletId).isEmpty());
            }
        }

        Files.delete(brokenDir);
        LoadResult retry = load(node, "w", csv(rows), "w2");
        assertEquals(LoadResult.SUCCESS, retry.status(), retry.toString());
        assertEquals(200, count(node, "w"));
    }

    @Test
    void tinyWriteBufferGivesMultiSegmentRowsetsThatReadBackCorrectly() {
        // no segment compaction: it could merge the load's segments back into one
        start(Map.of("write_buffer_size", 4096, "enable_segcompaction", false));
        TableMeta t = createTable(node, "m", KeysType.UNIQUE_KEYS, 1);
        Map<Long, Long> first = new LinkedHashMap<>();
        for (long i = 0; i < 3000; i++) {
            first.put((i * 7919) % 3000, i);
        }
        assertEquals(LoadResult.SUCCESS, load(node, "m", csv(first), "m1").status());
        Map<Long, Long> second = new LinkedHashMap<>();
        for (long i = 0; i < 3000; i += 3) {
            second.put(i, -i);
        }
        assertEquals(LoadResult.SUCCESS, load(node, "m", csv(second), "m2").status());

        TabletMeta meta = join(node.reads().tabletMeta(t.tabletIds().get(0)));
        for (RowsetMeta rs : meta.rowsets().subList(1, meta.rowsets().size())) {
            assertTrue(rs.numSegments() > 1, "rowset " + rs + " should have several segments");
        }
        Map<Long, Long> reference = new TreeMap<>(first);
        reference.putAll(second);
        assertEquals(expectedLines(reference), scan(node, "m"));
        assertEquals(List.of("2999," + reference.get(2999L) + ",s" + reference.get(2999L)),
                TestNode.lines(join(node.reads().get(DB, "m", Map.of("id", "2999")))));
    }

    @Test
    void concurrentLoadsAllSucceedWithContiguousVersionsPerTablet() throws Exception {
        start(Map.of());
        TableMeta t = createTable(node, "c", KeysType.UNIQUE_KEYS, 4);
        int threads = 8;
        int perThread = 20;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<LoadResult>>> futures = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int thread = th;
                futures.add(pool.submit(() -> {
                    List<LoadResult> results = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        Map<Long, Long> rows = new LinkedHashMap<>();
                        for (long k = 0; k < 10; k++) {
                            rows.put((thread * 1000L + i) * 10 + k, (long) i);
                        }
                        results.add(load(node, "c", csv(rows), "c-" + thread + "-" + i));
                    }
                    return results;
                }));
            }
            for (Future<List<LoadResult>> f : futures) {
                for (LoadResult r : f.get()) {
                    assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * perThread * 10, count(node, "c"));
        for (long tabletId : t.tabletIds()) {
            TabletMeta m = join(node.reads().tabletMeta(tabletId));
            assertEquals(List.of(), m.missingVersions(), "tablet " + tabletId);
            assertEquals(1 + threads * perThread, m.maxVersion(), "tablet " + tabletId + " got one version per load");
        }
    }

    private List<Path> datFiles(long tabletId) throws IOException {
        Path p = dir.resolve("data").resolve(Long.toString(tabletId));
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(p)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".dat")).toList();
        }
    }

    private static int referencedFiles(TabletMeta m) {
        return m.rowsets().stream().mapToInt(RowsetMeta::numSegments).sum();
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Collections.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
