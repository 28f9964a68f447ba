package io.compactor.http;

import io.compactor.actors.node.Node;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.TimeFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Doris compaction HTTP API's answers (reference §1.2–§1.5): every validation message of
 * run / show / run_status, ALREADY_EXIST for a duplicate request, the "nothing suitable" codes,
 * the show object of a fresh tablet, the profile records, and the table-property validation
 * messages of the time_series keys.
 */
class CompactionApiTest {
    private static final String DB = "db";

    @TempDir
    Path dir;

    private CompactorServer server;
    private CompactionHttpClient http;
    private CountDownLatch blocker;

    private void start(Map<String, Object> extra) {
        server = CompactorServer.start(CompactionHttpClient.config(dir, extra));
        http = new CompactionHttpClient(server.port());
    }

    @AfterEach
    void stop() {
        if (blocker != null) {
            blocker.countDown();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Occupies the only compaction thread (the test config sizes the dispatcher to 1) so that a
     * granted compaction stays running until {@link #blocker} is released. No hook in main code:
     * the task simply queues behind ours on the same executor.
     */
    private void holdCompactionThread() {
        blocker = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Executor compaction = server.node().unwrap(Node.class).system().dispatchers()
                .lookup(DispatcherSelector.fromConfig("compactor.compaction-dispatcher"));
        CountDownLatch b = blocker;
        compaction.execute(() -> {
            started.countDown();
            try {
                b.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> oneCompactionThread() {
        return Map.of("compaction-dispatcher.thread-pool-executor.fixed-pool-size", 1);
    }

    private static void assertDoris(JsonNode n, String status, String msg) {
        assertEquals(status, n.get("status").asText(), n::toString);
        assertEquals(msg, n.get("msg").asText(), n::toString);
    }

    private static String rows(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(i).append('\t').append("name").append(i).append('\t').append(i % 100).append('\n');
        }
        return sb.toString();
    }

    private CompactionHttpClient.CreatedTable manualTable(String name, int buckets) {
        return http.createTable(DB, name, "DUPLICATE_KEYS", buckets, Map.of("disable_auto_compaction", "true"));
    }

    @Test
    void runRejectsBadParametersWithDorisMessages() {
        start(Map.of());
        long tablet = manualTable("t", 1).tablets().get(0);

        assertDoris(http.post("/api/compaction/run?compact_type=cumulative"), "INTERNAL_ERROR",
                "tablet id and table id can not be empty at the same time!");
        assertDoris(http.post("/api/compaction/run?tablet_id=" + tablet + "&table_id=1&compact_type=cumulative"),
                "INTERNAL_ERROR", "tablet id and table id can not be set at the same time!");
        assertDoris(http.post("/api/compaction/run?tablet_id=abc&compact_type=cumulative"), "INTERNAL_ERROR",
                "convert tablet_id failed, stoull");
        assertDoris(http.post("/api/compaction/run?table_id=-3&compact_type=full"), "INTERNAL_ERROR",
                "convert table_id failed, stoull");
        assertDoris(http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=minor"),
                "NOT_IMPLEMENTED_ERROR", "The compaction type 'minor' is not supported");
        assertDoris(http.post("/api/compaction/run?tablet_id=" + tablet), "NOT_IMPLEMENTED_ERROR",
                "The compaction type '' is not supported");
        assertDoris(http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=base&remote=yes"),
                "NOT_IMPLEMENTED_ERROR", "The remote = 'yes' is not supported");
        assertDoris(http.post("/api/compaction/run?tablet_id=987654321&compact_type=cumulative"), "NOT_FOUND",
                "Tablet not found. tablet_id=987654321");
        assertDoris(http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=cumulative&remote=true"),
                "NOT_IMPLEMENTED_ERROR", "tablet should do compaction locally");
    }

    @Test
    void showAndRunStatusRejectMissingOrUnknownTablets() {
        start(Map.of());
        assertDoris(http.get("/api/compaction/show"), "INTERNAL_ERROR", "check param failed: missing tablet_id");
        assertDoris(http.get("/api/compaction/show?tablet_id=987654321"), "NOT_FOUND",
                "Tablet not found. tablet_id=987654321");
        assertDoris(http.get("/api/compaction/run_status?tablet_id=987654321"), "INTERNAL_ERROR",
                "fail to get 987654321");

        JsonNode all = http.get("/api/compaction/run_status");
        assertEquals(List.of("BaseCompaction", "CumulativeCompaction", "FullCompaction"), fieldNames(all));
    }

    @Test
    void showOfANewTabletHasEveryDorisKeyWithEpochTimes() {
        start(Map.of());
        long tablet = manualTable("t", 1).tablets().get(0);
        JsonNode show = http.show(tablet);

        String epoch = TimeFormat.millis(0);
        for (String what : List.of("failure", "success", "schedule")) {
            for (String type : List.of("cumulative", "base", "full")) {
                assertEquals(epoch, show.get("last " + type + " " + what + " time").asText(), type + " " + what);
            }
        }
        for (String type : List.of("cumulative", "base", "full")) {
            assertEquals("", show.get("last " + type + " status").asText(), "Doris: \"\" until the kind ran");
        }
        assertEquals("size_based", show.get("cumulative policy type").asText());
        List<String> keys = fieldNames(show);
        assertEquals(List.of("cumulative policy type", "cumulative point", "last cumulative failure time",
                "last base failure time", "last full failure time", "last cumulative success time",
                "last base success time", "last full success time", "last cumulative schedule time",
                "last base schedule time", "last full schedule time", "last cumulative status", "last base status",
                "last full status", "rowsets", "missing_rowsets", "stale_rowsets", "stale version path"),
                keys.subList(0, 18));
        List<String> rowsets = http.rowsets(tablet);
        assertEquals(1, rowsets.size());
        assertTrue(rowsets.get(0).matches("\\[0-1\\] 0 DATA (NONOVERLAPPING|OVERLAPPING|OVERLAP_UNKNOWN) \\S+ 0"),
                rowsets.get(0));
        JsonNode rs = http.runStatus(tablet);
        assertEquals("Success", rs.get("status").asText());
        assertFalse(rs.get("run_status").asBoolean());
        assertEquals("compaction task for this tablet is not running", rs.get("msg").asText());
        assertEquals(tablet, rs.get("tablet_id").asLong());
        assertEquals("", rs.get("compact_type").asText());
    }

    @Test
    void cumulativeWithNothingSuitableAnswersE2000AndShowKeepsTheStatus() {
        start(Map.of());
        long tablet = manualTable("t", 1).tablets().get(0);
        http.load(DB, "t", rows(0, 10));

        JsonNode answer = http.run(tablet, "cumulative");
        assertEquals("E-2000", answer.get("status").asText(), answer::toString);
        assertFalse(answer.get("msg").asText().isEmpty());
        JsonNode show = http.show(tablet);
        assertTrue(show.get("last cumulative status").asText().startsWith("[E-2000]"), show::toString);
        assertFalse(show.get("last cumulative schedule time").asText().equals(TimeFormat.millis(0)));
        assertEquals(2, http.rowsets(tablet).size(), "nothing was compacted");
    }

    @Test
    void fullWithNothingToDoAnswersE2008() {
        start(Map.of());
        long tablet = manualTable("t", 1).tablets().get(0);

        JsonNode answer = http.run(tablet, "full");
        assertEquals("E-2008", answer.get("status").asText(), answer::toString);
        assertTrue(http.show(tablet).get("last full status").asText().startsWith("[E-2008]"));
    }

    @Test
    void secondRequestForATabletWhoseCompactionRunsAnswersAlreadyExist() {
        start(oneCompactionThread());
        CompactionHttpClient.CreatedTable t = manualTable("t", 1);
        long tablet = t.tablets().get(0);
        for (int i = 0; i < 6; i++) {
            http.load(DB, "t", rows(i * 10, i * 10 + 10));
        }
        holdCompactionThread();

        // Granted and picked, its merge waits behind our task: still running after the 2 s wait.
        JsonNode first = http.run(tablet, "cumulative");
        assertDoris(first, "Success",
                "compaction task is successfully triggered. Table id: 0. Tablet id: " + tablet);
        JsonNode status = http.runStatus(tablet);
        assertTrue(status.get("run_status").asBoolean(), status::toString);
        assertEquals("compaction task for this tablet is running", status.get("msg").asText());
        assertEquals("cumulative", status.get("compact_type").asText());
        JsonNode registry = http.get("/api/compaction/run_status");
        assertTrue(registry.get("CumulativeCompaction").toString().contains("\"" + tablet + "\""), registry::toString);

        assertDoris(http.run(tablet, "cumulative"), "ALREADY_EXIST",
                "compaction task has already been submitted, tablet_id=" + tablet + ", compaction_type=cumulative");

        blocker.countDown();
        await().atMost(CompactionHttpClient.WAIT).until(() -> !http.runStatus(tablet).get("run_status").asBoolean());
        assertEquals(2, http.rowsets(tablet).size(), "[0-1] and the compacted [2-7]");
        assertEquals(60, http.count(DB, "t"));
    }

    @Test
    void tableRunSubmitsFullCompactionsAndAnswersAlreadyExistWhileTheyAreQueued() {
        start(Map.of("compaction-dispatcher.thread-pool-executor.fixed-pool-size", 1,
                "max_base_compaction_threads", 1));
        CompactionHttpClient.CreatedTable t = manualTable("t", 3);
        for (int i = 0; i < 3; i++) {
            http.load(DB, "t", rows(i * 30, i * 30 + 30));
        }
        holdCompactionThread();

        // compact_type is only validated: a full compaction is submitted for every tablet.
        assertDoris(http.post("/api/compaction/run?table_id=" + t.tableId() + "&compact_type=cumulative"), "Success",
                "compaction task is successfully triggered. Table id: " + t.tableId() + ". Tablet id: 0");
        JsonNode again = http.post("/api/compaction/run?table_id=" + t.tableId() + "&compact_type=full");
        assertEquals("ALREADY_EXIST", again.get("status").asText(), again::toString);
        assertTrue(again.get("msg").asText().startsWith("compaction task has already been submitted, tablet_id="));
        assertTrue(again.get("msg").asText().endsWith(", compaction_type=full"));
        JsonNode registry = http.get("/api/compaction/run_status");
        Set<String> queued = new LinkedHashSet<>();
        registry.get("FullCompaction").forEach(ids -> ids.forEach(id -> queued.add(id.asText())));
        assertEquals(t.tablets().stream().map(String::valueOf).collect(java.util.stream.Collectors.toSet()), queued);

        blocker.countDown();
        await().atMost(CompactionHttpClient.WAIT).until(() -> {
            for (long tablet : t.tablets()) {
                if (http.rowsets(tablet).size() != 1) {
                    return false;
                }
            }
            return true;
        });
        for (long tablet : t.tablets()) {
            assertTrue(http.rowsets(tablet).get(0).startsWith("[0-4] "), () -> http.rowsets(tablet).toString());
        }
        assertEquals(90, http.count(DB, "t"));
    }

    @Test
    void profileHasTheDorisFieldsOfAFinishedCompaction() {
        start(Map.of());
        long tablet = manualTable("t", 1).tablets().get(0);
        for (int i = 0; i < 5; i++) {
            http.load(DB, "t", rows(i * 10, i * 10 + 10));
        }
        http.triggerAndWait(tablet, "cumulative");

        JsonNode answer = http.get("/api/compaction/profile?tablet_id=" + tablet);
        assertEquals("Success", answer.get("status").asText());
        JsonNode profiles = answer.get("compaction_profiles");
        assertEquals(1, profiles.size(), profiles::toString);
        JsonNode p = profiles.get(0);
        assertEquals(List.of("compaction_id", "compaction_type", "tablet_id", "table_id", "partition_id",
                "trigger_method", "compaction_score", "scheduled_time", "start_time", "end_time", "cost_time_ms",
                "success", "input_rowsets_count", "input_row_num", "input_data_size", "input_index_size",
                "input_total_size", "input_segments_num", "input_version_range", "merged_rows", "filtered_rows",
                "output_rows", "output_row_num", "output_data_size", "output_index_size", "output_total_size",
                "output_segments_num", "output_version", "merge_latency_ms", "bytes_read_from_local",
                "bytes_read_from_remote", "peak_memory_bytes", "is_vertical", "permits", "vertical_total_groups",
                "vertical_completed_groups", "status"), fieldNames(p));
        assertEquals("SUCCESS", p.get("status").asText());
        assertEquals("cumulative", p.get("compaction_type").asText());
        assertEquals(tablet, p.get("tablet_id").asLong());
        assertTrue(p.get("success").asBoolean());
        assertEquals(5, p.get("input_rowsets_count").asInt());
        assertEquals(50, p.get("input_row_num").asLong());
        assertEquals(50, p.get("output_rows").asLong());
        assertEquals("[2-6]", p.get("output_version").asText());
        assertEquals("[2-6]", p.get("input_version_range").asText());
        assertEquals("MANUAL", p.get("trigger_method").asText());

        // Filters: a failed-only query finds nothing; a bad parameter is HTTP 400.
        assertEquals(0, http.get("/api/compaction/profile?tablet_id=" + tablet + "&success=false")
                .get("compaction_profiles").size());
        assertEquals(1, http.get("/api/compaction/profile?compact_type=cumulative&top_n=1")
                .get("compaction_profiles").size());
        assertEquals(400, http.send("GET", "/api/compaction/profile?top_n=x", null).code());
    }

    @Test
    void compactionScoreRejectsABadTopN() {
        start(Map.of());
        CompactionHttpClient.Answer a = http.send("GET", "/api/compaction_score?top_n=-1", null);
        assertEquals(400, a.code(), a.body());
        assertTrue(a.body().contains("invalid argument: top_n=-1"), a.body());
    }

    @Test
    void timeSeriesPropertiesAreValidatedWithDorisMessages() {
        start(Map.of());
        assertCreateFails(Map.of("compaction_policy", "time_series", "time_series_compaction_goal_size_mbytes", "5"),
                "time_series_compaction_goal_size_mbytes can not be less than 10: 5");
        assertCreateFails(Map.of("compaction_policy", "time_series",
                "time_series_compaction_file_count_threshold", "5"),
                "time_series_compaction_file_count_threshold can not be less than 10: 5");
        assertCreateFails(Map.of("compaction_policy", "time_series",
                "time_series_compaction_time_threshold_seconds", "5"),
                "time_series_compaction_time_threshold_seconds can not be less than 60: 5");
        assertCreateFails(Map.of("compaction_policy", "time_series",
                "time_series_compaction_empty_rowsets_threshold", "1"),
                "time_series_compaction_empty_rowsets_threshold can not be less than 2");
        assertCreateFails(Map.of("compaction_policy", "time_series", "time_series_compaction_level_threshold", "3"),
                "time_series_compaction_level_threshold can not less than 1 or greater than 2");
        assertCreateFails(Map.of("compaction_policy", "ok"), "compaction_policy must be time_series or size_based");
        assertCreateFails(Map.of("time_series_compaction_goal_size_mbytes", "2048"),
                "only time series compaction policy support for time series config");

        // A valid time_series table, then ALTER ... SET (PUT _properties).
        http.createTable(DB, "ts", "DUPLICATE_KEYS", 1, Map.of("compaction_policy", "time_series",
                "time_series_compaction_goal_size_mbytes", "2048",
                "time_series_compaction_file_count_threshold", "5000",
                "time_series_compaction_time_threshold_seconds", "86400"));
        JsonNode props = http.get("/api/" + DB + "/ts").get("properties");
        assertEquals("time_series", props.get("compaction_policy").asText());
        assertEquals("2048", props.get("time_series_compaction_goal_size_mbytes").asText());
        assertEquals("5000", props.get("time_series_compaction_file_count_threshold").asText());
        assertEquals("86400", props.get("time_series_compaction_time_threshold_seconds").asText());
        for (String[] kv : new String[][]{{"time_series_compaction_goal_size_mbytes", "1024"},
                {"time_series_compaction_file_count_threshold", "6000"},
                {"time_series_compaction_time_threshold_seconds", "3000"}}) {
            CompactionHttpClient.Answer a = http.send("PUT", "/api/" + DB + "/ts/_properties",
                    "{\"" + kv[0] + "\":\"" + kv[1] + "\"}");
            assertEquals(200, a.code(), a.body());
            assertEquals(kv[1], http.get("/api/" + DB + "/ts").get("properties").get(kv[0]).asText());
        }
        assertAlterFails("ts", "{\"time_series_compaction_goal_size_mbytes\":\"5\"}",
                "time_series_compaction_goal_size_mbytes can not be less than 10: 5");
        assertAlterFails("ts", "{\"time_series_compaction_empty_rowsets_threshold\":\"1\"}",
                "time_series_compaction_empty_rowsets_threshold can not be less than 2");

        http.createTable(DB, "plain", "DUPLICATE_KEYS", 1, Map.of());
        assertAlterFails("plain", "{\"compaction_policy\":\"ok\"}",
                "Table compaction policy only support for time_series or size_based");
        assertAlterFails("plain", "{\"time_series_compaction_file_count_threshold\":\"100\"}",
                "only time series compaction policy support for time series config");
        http.createTable(DB, "mow", "UNIQUE_KEYS", 1, Map.of());
        assertAlterFails("mow", "{\"enable_single_replica_compaction\":\"true\"}",
                "enable_single_replica_compaction property is not supported for merge-on-write table");
        // A failed ALTER changed nothing.
        assertEquals("1024", http.get("/api/" + DB + "/ts").get("properties")
                .get("time_series_compaction_goal_size_mbytes").asText());
    }

    private int created;

    private void assertCreateFails(Map<String, String> props, String msg) {
        String name = "bad" + (created++);
        StringBuilder p = new StringBuilder("{");
        props.forEach((k, v) -> p.append(p.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        p.append('}');
        CompactionHttpClient.Answer a = http.send("PUT", "/api/" + DB + "/" + name,
                "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"INT\"}],"
                        + "\"buckets\":1,\"properties\":" + p + "}");
        assertEquals(400, a.code(), a.body());
        assertEquals("Fail", a.json().get("status").asText());
        assertEquals(msg, a.json().get("msg").asText());
        assertEquals(404, http.send("GET", "/api/" + DB + "/" + name, null).code(), "no table was created");
    }

    private void assertAlterFails(String table, String body, String msg) {
        CompactionHttpClient.Answer a = http.send("PUT", "/api/" + DB + "/" + table + "/_properties", body);
        assertEquals(400, a.code(), a.body());
        assertEquals(msg, a.json().get("msg").asText());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        Iterator<String> it = n.fieldNames();
        it.forEachRemaining(out::add);
        return out;
    }
}
