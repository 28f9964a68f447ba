package io.compactor.actors;

import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.load;
import static io.compactor.actors.TestNode.scan;
import static io.compactor.actors.TestNode.tabletMetas;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.util.StatusCode;
import io.compactor.api.LoadResult;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.StatusException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What survives a restart, and table DDL: drop and alter properties. */
class RestartAndDdlTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private void restart() {
        restart(Map.of("write_buffer_size", 4096));
    }

    private void restart(Map<String, Object> config) {
        node.close();
        node = null;
        node = TestNode.start(dir, config);
    }

    /** The test compares metas across a restart: compaction must not change them in between. */
    private static final Map<String, Object> NO_AUTO_COMPACTION = Map.of("write_buffer_size", 4096,
            "disable_auto_compaction", true);

    @Test
    void restartKeepsTablesRowsetsAndData() {
        node = TestNode.start(dir, NO_AUTO_COMPACTION);
        TableMeta u = createTable(node, "u", KeysType.UNIQUE_KEYS, 4);
        TableMeta d = createTable(node, "d", KeysType.DUPLICATE_KEYS, 2);
        for (int load = 0; load < 6; load++) {
            Map<Long, Long> rows = new LinkedHashMap<>();
            for (long i = 0; i < 300; i++) {
                rows.put((i * 13 + load * 50) % 500, load * 10_000 + i);
            }
            assertEquals(LoadResult.SUCCESS, load(node, "u", csv(rows), "u" + load).status());
            assertEquals(LoadResult.SUCCESS, load(node, "d", csv(rows), "d" + load).status());
        }
        Map<Long, TabletMeta> uMetas = tabletMetas(node, "u");
        Map<Long, TabletMeta> dMetas = tabletMetas(node, "d");
        List<String> uRows = scan(node, "u");
        List<String> dRows = scan(node, "d");

        restart(NO_AUTO_COMPACTION);

        assertEquals(List.of(u.tableId(), d.tableId()), node.tables().list().stream().map(TableMeta::tableId).toList());
        assertEquals(u.tabletIds(), node.tables().get(DB, "u").tabletIds());
        assertEquals(u.schema(), node.tables().get(DB, "u").schema());
        assertEquals(uMetas, tabletMetas(node, "u"), "same rowsets, versions and segments after restart");
        assertEquals(dMetas, tabletMetas(node, "d"));
        assertEquals(uRows, scan(node, "u"));
        assertEquals(dRows, scan(node, "d"));
        assertEquals(0, node.ops().recoveryReport().orphanFilesRemoved(), "a clean shutdown leaves no orphan");

        LoadResult reused = load(node, "u", "1\t1\tx\n", "u0");
        assertEquals(LoadResult.LABEL_ALREADY_EXISTS, reused.status(), "labels survive a restart");
        LoadResult next = load(node, "u", "1\t1\tx\n", "u-after-restart");
        assertEquals(LoadResult.SUCCESS, next.status());
        for (TabletMeta m : tabletMetas(node, "u").values()) {
            assertEquals(List.of(), m.missingVersions());
            assertEquals(uMetas.get(m.tabletId()).maxVersion() + 1, m.maxVersion(), "versions continue after restart");
        }
    }

    @Test
    void dropTableRemovesTheTableAndEventuallyItsFiles() {
        node = TestNode.start(dir, Map.of());
        TableMeta t = createTable(node, "gone", KeysType.DUPLICATE_KEYS, 3);
        createTable(node, "kept", KeysType.DUPLICATE_KEYS, 1);
        Map<Long, Long> rows = new LinkedHashMap<>();
        for (long i = 0; i < 100; i++) {
            rows.put(i, i);
        }
        assertEquals(LoadResult.SUCCESS, load(node, "gone", csv(rows), "g1").status());
        assertEquals(LoadResult.SUCCESS, load(node, "kept", csv(rows), "k1").status());
        for (long id : t.tabletIds()) {
            assertTrue(Files.isDirectory(tabletDir(id)), "tablet dir exists before the drop");
        }

        join(node.tables().drop(DB, "gone"));

        assertNull(node.tables().get(DB, "gone"));
        assertEquals(List.of("kept"), node.tables().list().stream().map(TableMeta::name).toList());
        await().atMost(Duration.ofSeconds(20)).until(() -> t.tabletIds().stream()
                .noneMatch(id -> Files.exists(tabletDir(id))));
        StatusException unknown = statusOf(() -> node.reads().count(DB, "gone").toCompletableFuture().join());
        assertEquals(StatusCode.NOT_FOUND, unknown.status().code());
        LoadResult loadIntoDropped = load(node, "gone", "1\t1\tx\n", "g2");
        assertEquals(LoadResult.FAIL, loadIntoDropped.status());

        restart();
        assertNull(node.tables().get(DB, "gone"));
        assertEquals(100, count(node, "kept"));
        assertEquals(DB + ".kept", node.tables().list().get(0).db() + "." + node.tables().list().get(0).name());
    }

    @Test
    void dropOfAnUnknownTableIsNotFound() {
        node = TestNode.start(dir, Map.of());
        StatusException e = statusOf(() -> node.tables().drop(DB, "nope").toCompletableFuture().join());
        assertEquals(StatusCode.NOT_FOUND, e.status().code());
        assertTrue(e.status().msg().contains("Unknown table 'nope'"), e.status().msg());
    }

    @Test
    void alteredPropertiesPersistAcrossRestart() {
        node = TestNode.start(dir, Map.of());
        createTable(node, "p", KeysType.DUPLICATE_KEYS, 1);
        TableMeta altered = join(node.tables().alter(DB, "p", Map.of("compaction_policy", "time_series",
                "time_series_compaction_goal_size_mbytes", "2048", "disable_auto_compaction", "true")));
        assertEquals("time_series", altered.properties().toMap().get("compaction_policy"));

        restart();

        Map<String, String> props = node.tables().get(DB, "p").properties().toMap();
        assertEquals("time_series", props.get("compaction_policy"));
        assertEquals("2048", props.get("time_series_compaction_goal_size_mbytes"));
        assertEquals("true", props.get("disable_auto_compaction"));
    }

    @Test
    void invalidPropertyChangesAreRejectedWithDorisMessagesAndChangeNothing() {
        node = TestNode.start(dir, Map.of());
        createTable(node, "p", KeysType.UNIQUE_KEYS, 1);
        Map<String, String> before = node.tables().get(DB, "p").properties().toMap();

        assertAlterFails(Map.of("compaction_policy", "time_series", "time_series_compaction_goal_size_mbytes", "5"),
                "time_series_compaction_goal_size_mbytes can not be less than 10: 5");
        assertAlterFails(Map.of("compaction_policy", "time_series",
                "time_series_compaction_time_threshold_seconds", "59"),
                "time_series_compaction_time_threshold_seconds can not be less than 60: 59");
        assertAlterFails(Map.of("compaction_policy", "leveled"),
                "Table compaction policy only support for time_series or size_based");
        assertAlterFails(Map.of("time_series_compaction_file_count_threshold", "100"),
                "only time series compaction policy support for time series config");
        assertAlterFails(Map.of("enable_single_replica_compaction", "true"),
                "enable_single_replica_compaction property is not supported for merge-on-write table");
        assertAlterFails(Map.of("no_such_property", "1"), "Unknown table property: no_such_property");

        assertEquals(before, node.tables().get(DB, "p").properties().toMap());
        restart();
        assertEquals(before, node.tables().get(DB, "p").properties().toMap());
    }

    private void assertAlterFails(Map<String, String> changes, String message) {
        StatusException e = statusOf(() -> node.tables().alter(DB, "p", changes).toCompletableFuture().join());
        assertEquals(StatusCode.INVALID_ARGUMENT, e.status().code());
        assertEquals(message, e.status().msg());
    }

    private Path tabletDir(long tabletId) {
        return dir.resolve("data").resolve(Long.toString(tabletId));
    }

    private static StatusException statusOf(Runnable r) {
        CompletionException e = assertThrows(CompletionException.class, r::run);
        Throwable cause = e.getCause();
        assertTrue(cause instanceof StatusException, "expected a StatusException, got " + cause);
        assertFalse(((StatusException) cause).status().ok());
        return (StatusException) cause;
    }
}
