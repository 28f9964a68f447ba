package io.compactor.http;

import io.compactor.storage.rowset.RowsetMeta;
import static io.compactor.http.HttpTestClient.tableBody;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import io.compactor.storage.DataDir;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Named debug points at every write step (segment write, fsync, rename, meta commit, file
 * delete): the operation fails with an error naming the step, nothing committed is lost, the
 * node keeps serving other tablets, and the tablet works again once the point is removed.
 * Points are scoped to one tablet with the {@code tablet_id} parameter.
 */
class FaultInjectionTest {
    @TempDir
    Path dir;
    private CompactorServer server;
    private HttpTestClient http;

    private void start() {
        server = CompactorServer.start(ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.enable_debug_points", true,
                "compactor.disable_auto_compaction", true)).withFallback(ConfigFactory.load()));
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private long create(String table, int buckets) {
        Answer a = http.put("/api/db/" + table, tableBody("DUPLICATE_KEYS", buckets));
        assertEquals(200, a.status(), a.body());
        return a.json().get("tablets").get(0).asLong();
    }

    private static String rows(int first, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = first; i < first + n; i++) {
            sb.append(i).append('\t').append(i * 7L).append('\t').append("s").append(i).append('\n');
        }
        return sb.toString();
    }

    private JsonNode load(String table, String label, String body) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, Map.of("label", label));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private void addPoint(String name, long tabletId) {
        Answer a = http.post("/api/debug_point/add/" + name + "?tablet_id=" + tabletId);
        assertEquals("OK", a.text("status"), a.body());
    }

    private void removePoint(String name) {
        assertEquals("OK", http.post("/api/debug_point/remove/" + name).text("status"));
    }

    private long count(String table) {
        return http.get("/api/db/" + table + "/_count").json().get("rows").asLong();
    }

    private String scan(String table) {
        Answer a = http.get("/api/db/" + table + "/_scan");
        assertEquals(200, a.status(), a.body());
        return a.body();
    }

    /** The tablet's segment files on disk and the ones its meta references. */
    private Set<String> filesOnDisk(long tabletId) throws IOException {
        Path tabletDir = dir.resolve("data").resolve(Long.toString(tabletId));
        if (!Files.exists(tabletDir)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(tabletDir)) {
            return s.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private Set<String> filesInMeta(long tabletId) {
        TabletMeta meta = server.node().reads().tabletMeta(tabletId).toCompletableFuture().join();
        Set<String> names = new TreeSet<>(RowsetMeta.segmentFileNames(meta.rowsets()));
        meta.staleRowsets().forEach(s -> names.addAll(RowsetMeta.segmentFileNames(java.util.List.of(s.rowset()))));
        return names;
    }

    @ParameterizedTest
    @ValueSource(strings = {"segment.write", "segment.fsync", "segment.rename", "meta.commit"})
    void loadFailsNamingTheStepKeepsCommittedDataAndSucceedsOnceRemoved(String point) throws IOException {
        start();
        long tablet = create("faulty", 1);
        create("other", 3);
        assertEquals("Success", load("faulty", "first", rows(0, 100)).get("Status").asText());
        String before = scan("faulty");

        addPoint(point, tablet);
        for (int attempt = 0; attempt < 2; attempt++) {
            JsonNode failed = load("faulty", "second", rows(100, 50));
            assertEquals("Fail", failed.get("Status").asText(), failed.toString());
            assertTrue(failed.get("Message").asText().contains(point), failed.toString());
        }
        assertEquals(100, count("faulty"));
        assertEquals(before, scan("faulty"), "committed data intact");
        assertEquals("Success", load("other", "other-1", rows(0, 30)).get("Status").asText(),
                "other tablets keep loading while the point is set");
        assertEquals(30, count("other"));
        // The failed loads leave no file behind (temp files aborted, written rowsets deleted).
        await().atMost(Duration.ofSeconds(10)).until(() -> filesOnDisk(tablet).equals(filesInMeta(tablet)));

        removePoint(point);
        JsonNode retried = load("faulty", "second", rows(100, 50));
        assertEquals("Success", retried.get("Status").asText(), retried.toString());
        assertEquals(150, count("faulty"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"segment.write", "segment.fsync", "segment.rename", "meta.commit"})
    void compactionFailsNamingTheStepKeepsItsInputsAndSucceedsOnceRemoved(String point) throws IOException {
        start();
        long tablet = create("compacted", 1);
        for (int i = 0; i < 4; i++) {
            assertEquals("Success", load("compacted", "c" + i, rows(i * 50, 50)).get("Status").asText());
        }
        String before = scan("compacted");
        int rowsetsBefore = show(tablet).get("rowsets").size();

        addPoint(point, tablet);
        Answer failed = http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=full");
        assertNotEquals("Success", failed.text("status"), failed.body());
        assertTrue(failed.text("msg").contains(point), failed.body());
        assertTrue(show(tablet).get("last full status").asText().contains(point));
        assertEquals(rowsetsBefore, show(tablet).get("rowsets").size(), "inputs stay the tablet's rowsets");
        assertEquals(before, scan("compacted"));
        assertEquals(filesInMeta(tablet), filesOnDisk(tablet), "the failed output left no file");

        removePoint(point);
        Answer ok = http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=full");
        assertEquals("Success", ok.text("status"), ok.body());
        await().atMost(Duration.ofSeconds(10)).until(() -> show(tablet).get("rowsets").size() == 1);
        assertEquals(before, scan("compacted"));
    }

    private JsonNode show(long tablet) {
        return http.get("/api/compaction/show?tablet_id=" + tablet).json();
    }

    @Test
    void failingFileDeletesOnlyLeaveOrphansThatTheRestartSweeps() throws IOException {
        start();
        long tablet = create("deletes", 1);
        assertEquals("Success", load("deletes", "d0", rows(0, 40)).get("Status").asText());
        addPoint("file.delete", tablet);
        addPoint("meta.commit", tablet);
        JsonNode failed = load("deletes", "d1", rows(40, 40));
        assertTrue(failed.get("Message").asText().contains("meta.commit"), failed.toString());
        removePoint("meta.commit");
        // Deletes still fail, and nothing that needs no delete is affected.
        assertEquals("Success", load("deletes", "d2", rows(80, 40)).get("Status").asText());
        assertEquals(80, count("deletes"));
        String before = scan("deletes");
        Set<String> referenced = filesInMeta(tablet);
        assertTrue(filesOnDisk(tablet).containsAll(referenced));

        server.close();
        server = null;
        start();
        assertEquals(before, scan("deletes"));
        assertEquals(referenced, filesOnDisk(tablet), "the start-up sweep removed the files the delete left");
        assertEquals("Success", load("deletes", "d1", rows(40, 40)).get("Status").asText());
        assertEquals(120, count("deletes"));
    }
}
