package io.compactor.actors.compaction;

import io.compactor.actors.TestNode;
import io.compactor.storage.util.StatusCode;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeMetrics;
import io.compactor.api.CreateTableSpec;
import io.compactor.api.LoadResult;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.DataDir;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.ManualClock;
import io.compactor.storage.util.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens around a compaction: actor failures, readers of replaced rowsets, several data dirs. */
class CompactionLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Schema SCHEMA = Schema.of(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("v", ColumnType.VARCHAR, true, 16)), List.of("k"), KeysType.DUPLICATE_KEYS);

    @TempDir
    Path dir;
    private Compactor node;
    private final ManualClock clock = new ManualClock(1_800_000_000_000L);

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private Compactor start(Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>(extra);
        m.put("disable_auto_compaction", true);
        m.put("enable_debug_points", true);
        return TestNode.start(dir, m, clock);
    }

    private static <T> T join(CompletionStage<T> s) {
        try {
            return s.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private TableMeta table(int buckets) {
        return join(node.tables().create(new CreateTableSpec("db", "t", SCHEMA, buckets, 1, Map.of())));
    }

    private void loads(int n) {
        for (int i = 0; i < n; i++) {
            String body = i + "\tv" + i + "\n" + (i + 1000) + "\tw" + i + "\n";
            LoadResult r = join(node.loads().streamLoad("db", "t", body.getBytes(StandardCharsets.UTF_8), LoadOptions.DEFAULTS,
                    "l" + i));
            assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
        }
    }

    @Test
    void tabletActorFailingDuringCompactionGivesBackItsSlotAndPermits() {
        node = start(Map.of());
        long tablet = table(1).tabletIds().get(0);
        loads(6);
        node.ops().debugPoints().add("tablet.crash_on_compaction", 1, -1, Map.of());
        Status crashed = join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT));
        assertEquals(StatusCode.INTERNAL_ERROR, crashed.code(), crashed.toString());
        assertTrue(crashed.msg().contains("restarted"), crashed.msg());
        NodeMetrics m = node.ops().metrics();
        await().atMost(WAIT).until(() -> m.running.get(NodeMetrics.Kind.CUMULATIVE).get() == 0
                && m.usedPermits.get() == 0);
        assertEquals(Status.OK, join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT)),
                "the restarted tablet compacts normally");
        assertEquals(12L, join(node.reads().count("db", "t")));
    }

    @Test
    void replacedRowsetFilesStayWhileAReaderHoldsThemAndGoAfter() throws Exception {
        node = start(Map.of("tablet_rowset_stale_sweep_time_sec", 600));
        long tablet = table(1).tabletIds().get(0);
        loads(6);
        TabletSnapshot reader = join(node.reads().snapshot(tablet));
        List<RowsetMeta> held = reader.meta().rowsets();
        assertEquals(Status.OK, join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT)));
        DataDir dataDir = reader.dataDir();
        List<Path> inputFiles = held.stream().filter(r -> r.numSegments() > 0)
                .map(r -> dataDir.segmentPath(tablet, r.rowsetId(), 0)).toList();
        assertFalse(inputFiles.isEmpty());

        clock.advance(Duration.ofSeconds(601));
        node.compaction().sweepStaleRowsets(tablet);
        assertFalse(join(node.reads().tabletMeta(tablet)).staleRowsets().isEmpty(), "a reader holds them: still stale");
        assertTrue(inputFiles.stream().allMatch(Files::exists), "their files stay while the reader holds them");
        assertEquals(12L, TabletReader.count(SCHEMA, List.of(reader)), "the old snapshot still reads");

        reader.close();
        node.compaction().sweepStaleRowsets(tablet);
        assertTrue(join(node.reads().tabletMeta(tablet)).staleRowsets().isEmpty(), "released and expired: removed");
        assertTrue(inputFiles.stream().noneMatch(Files::exists), "their files are gone");
        assertEquals(12L, join(node.reads().count("db", "t")));
    }

    @Test
    void staleRowsetsStayUntilTheirSweepTimeEvenWithoutReaders() {
        node = start(Map.of("tablet_rowset_stale_sweep_time_sec", 600));
        long tablet = table(1).tabletIds().get(0);
        loads(6);
        assertEquals(Status.OK, join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT)));
        clock.advance(Duration.ofSeconds(599));
        node.compaction().sweepStaleRowsets(tablet);
        assertFalse(join(node.reads().tabletMeta(tablet)).staleRowsets().isEmpty(), "kept for in-flight queries");
        clock.advance(Duration.ofSeconds(2));
        node.compaction().sweepStaleRowsets(tablet);
        assertTrue(join(node.reads().tabletMeta(tablet)).staleRowsets().isEmpty());
    }

    @Test
    void tabletsSpreadOverSeveralDataDirsAndComeBackAfterRestart() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Map<String, Object> dirs = Map.of("storage_root_path", a + ";" + b);
        node = start(dirs);
        TableMeta t = table(6);
        loads(4);
        Map<String, Integer> perDir = new HashMap<>();
        for (long id : t.tabletIds()) {
            perDir.merge(join(node.reads().tabletMeta(id)).dataDir(), 1, Integer::sum);
        }
        assertEquals(Map.of(a.toString(), 3, b.toString(), 3), perDir, "tablets spread evenly");
        node.close();
        node = start(dirs);
        assertEquals(8L, join(node.reads().count("db", "t")));
        for (long id : t.tabletIds()) {
            assertTrue(Files.isDirectory(Path.of(join(node.reads().tabletMeta(id)).dataDir()).resolve("data")));
        }
    }
}
