package io.compactor.actors.compaction;

import io.compactor.actors.TestNode;
import io.compactor.actors.node.Node;
import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.loadScores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.api.TabletCompactionStatus;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restart after compactions keeps the compacted rowsets and the cumulative point, drops the
 * stale inputs, and leaves no file that no rowset references (nor misses one that it does).
 */
class CompactionRestartTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    /** What identifies a committed rowset (SegmentMeta holds arrays, so records are not compared). */
    private record RowsetView(long rowsetId, String version, long rows, int segments, long bytes, String overlap,
                              int level, long createdMs) {
        static RowsetView of(RowsetMeta r) {
            return new RowsetView(r.rowsetId().value(), r.version().toString(), r.numRows(), r.numSegments(),
                    r.totalBytes(), r.overlap().name(), r.compactionLevel(), r.creationTimeMs());
        }
    }

    private record TabletView(long cumulativePoint, List<RowsetView> rowsets) {
    }

    @Test
    void restartKeepsCompactedRowsetsAndCumulativePointAndLeavesNoOrphanFiles() throws IOException {
        Map<String, Object> cfg = Map.of();
        node = TestNode.start(dir, cfg);
        TableMeta ts = TestNode.createScoreTable(node, "ts", KeysType.DUPLICATE_KEYS, 1,
                Map.of("disable_auto_compaction", "true", "compaction_policy", "time_series",
                        "time_series_compaction_file_count_threshold", "10"));
        TableMeta sb = TestNode.createScoreTable(node, "sb", KeysType.UNIQUE_KEYS, 2,
                Map.of("disable_auto_compaction", "true"));
        long tsTablet = ts.tabletIds().get(0);

        // time_series: 10 loads reach the file count threshold; the output is promoted (cp moves).
        for (int i = 0; i < 10; i++) {
            loadScores(node, "ts", i * 50L, i * 50L + 50);
        }
        assertEquals(Status.OK, compact(tsTablet, CompactionType.CUMULATIVE));
        // size_based, merge-on-write: cumulative, then full, then more loads on top.
        for (int i = 0; i < 6; i++) {
            loadScores(node, "sb", i * 10L, i * 10L + 40); // overlapping keys: upserts
        }
        for (long t : sb.tabletIds()) {
            assertEquals(Status.OK, compact(t, CompactionType.CUMULATIVE));
        }
        loadScores(node, "sb", 100, 120);
        loadScores(node, "sb", 110, 130);
        for (long t : sb.tabletIds()) {
            assertEquals(Status.OK, compact(t, CompactionType.FULL));
        }
        loadScores(node, "sb", 200, 210);
        loadScores(node, "sb", 205, 215);

        Map<Long, TabletView> before = new HashMap<>();
        List<Long> tablets = new ArrayList<>(sb.tabletIds());
        tablets.add(tsTablet);
        for (long t : tablets) {
            TabletCompactionStatus st = join(node.compaction().status(t));
            before.put(t, view(st));
            assertTrue(!st.meta().staleRowsets().isEmpty(), "compaction inputs are stale until swept");
            // Before the restart: on disk exactly the visible and stale rowsets' files, nothing else.
            assertEquals(referencedFiles(st, true), filesOnDisk(t), "tablet " + t + " before restart");
        }
        TabletView tsBefore = before.get(tsTablet);
        assertEquals(12, tsBefore.cumulativePoint(), "time_series promotes [2-11]: " + tsBefore);
        assertEquals(List.of("[0-1]", "[2-11]"), tsBefore.rowsets().stream().map(RowsetView::version).toList());
        for (long t : sb.tabletIds()) {
            assertEquals(List.of("[0-9]", "[10-10]", "[11-11]"),
                    before.get(t).rowsets().stream().map(RowsetView::version).toList());
            assertEquals(10, before.get(t).cumulativePoint(), "full compaction moved the point past [0-9]");
        }
        long tsRows = join(node.reads().count(DB, "ts"));
        String sbScan = text(join(node.reads().scan(DB, "sb", Long.MAX_VALUE)));
        String tsScan = text(join(node.reads().scan(DB, "ts", Long.MAX_VALUE)));

        node.close();
        node = TestNode.start(dir, cfg);

        var recovery = node.ops().recoveryReport();
        assertEquals(3, recovery.tablets());
        assertTrue(recovery.staleRowsetsDropped() > 0, recovery::toString);
        for (long t : tablets) {
            TabletCompactionStatus st = join(node.compaction().status(t));
            assertEquals(before.get(t), view(st), "tablet " + t + " after restart");
            assertEquals(List.of(), st.meta().staleRowsets(), "stale rowsets are dropped at start");
            assertEquals(referencedFiles(st, false), filesOnDisk(t), "tablet " + t + ": no orphan, nothing missing");
        }
        assertEquals(tsRows, join(node.reads().count(DB, "ts")));
        assertEquals(tsScan, text(join(node.reads().scan(DB, "ts", Long.MAX_VALUE))));
        assertEquals(sbScan, text(join(node.reads().scan(DB, "sb", Long.MAX_VALUE))));
        assertEquals(90 + 30 + 15, join(node.reads().count(DB, "sb")), "keys 0..89, 100..129 and 200..214");

        // Compaction goes on from the recovered point.
        for (int i = 0; i < 10; i++) {
            loadScores(node, "ts", 1000L + i, 1001L + i);
        }
        assertEquals(Status.OK, compact(tsTablet, CompactionType.CUMULATIVE));
        TabletCompactionStatus st = join(node.compaction().status(tsTablet));
        assertEquals(List.of("[0-1]", "[2-11]", "[12-21]"),
                st.meta().rowsets().stream().map(r -> r.version().toString()).toList());
        assertEquals(22, st.meta().cumulativePoint());
    }

    private Status compact(long tablet, CompactionType type) {
        return join(node.compaction().runAndWait(tablet, type, WAIT));
    }

    private static TabletView view(TabletCompactionStatus st) {
        return new TabletView(st.meta().cumulativePoint(),
                st.meta().rowsets().stream().map(RowsetView::of).toList());
    }

    private static Set<String> referencedFiles(TabletCompactionStatus st, boolean withStale) {
        List<RowsetMeta> all = new ArrayList<>(st.meta().rowsets());
        if (withStale) {
            st.meta().staleRowsets().stream().map(StaleRowset::rowset).forEach(all::add);
        }
        return new TreeSet<>(RowsetMeta.segmentFileNames(all));
    }

    private Set<String> filesOnDisk(long tablet) throws IOException {
        Path tabletDir = node.unwrap(Node.class).engine().dataDirs().get(0).tabletPath(tablet);
        if (!Files.exists(tabletDir)) {
            return new TreeSet<>();
        }
        try (Stream<Path> files = Files.list(tabletDir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static String text(RowBatch rows) {
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < rows.schema().columnCount(); c++) {
                sb.append(c == 0 ? "" : "\t").append(rows.text(r, c));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
