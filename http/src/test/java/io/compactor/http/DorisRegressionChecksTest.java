package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checks Doris's own regression suites make on BE answers, by text as they make them
 * ({@code regression-test/suites/compaction/*}, {@code plugins/plugin_compaction.groovy}, the
 * framework's {@code update_all_be_config}): the compaction status JSON as RapidJSON prints it
 * ({@code "last full status": ""} until a full compaction ran), the run and run_status answers,
 * update_config's list answer, and the health answer byte for byte.
 */
class DorisRegressionChecksTest {
    @TempDir
    Path dir;
    private CompactorServer server;
    private HttpTestClient http;

    private void start() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0)).withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private long tablet() {
        Answer a = http.put("/api/db/t", HttpTestClient.tableBody("UNIQUE_KEYS", 1).replace("\"replication_num\":1",
                "\"replication_num\":1,\"properties\":{\"disable_auto_compaction\":\"true\"}"));
        assertEquals(200, a.status(), a.body());
        for (int i = 0; i < 3; i++) {
            Answer l = http.put("/api/db/t/_stream_load", i + "\t" + i + "\tx\n", Map.of());
            assertEquals("Success", l.json().get("Status").asText(), l.body());
        }
        return a.json().get("tablets").get(0).asLong();
    }

    @Test
    void compactionStatusJsonMatchesTheRegressionSuitesByText() {
        start();
        long tablet = tablet();
        String show = http.get("/api/compaction/show?tablet_id=" + tablet).body();
        // test_full_compaction_status.groovy: every status and time key exists before any run
        for (String kind : new String[] {"cumulative", "base", "full"}) {
            assertTrue(show.contains("\"last " + kind + " status\": \"\""), show);
            for (String what : new String[] {"failure", "success", "schedule"}) {
                assertTrue(show.contains("\"last " + kind + " " + what + " time\": \"1970-01-01"), kind + " " + what
                        + " in " + show);
            }
        }
        assertFalse(show.contains("\" : "), "RapidJSON prints \"key\": value: " + show);
        assertTrue(show.startsWith("{\n    \"cumulative policy type\": \"size_based\",\n"), show);
        // plugin_compaction.groovy: the run answer's status, lower-cased, is "success"
        Answer run = http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=full");
        assertEquals("success", run.json().get("status").asText().toLowerCase(java.util.Locale.ROOT), run.body());
        assertTrue(run.body().contains("\"msg\": \"compaction task is successfully triggered. Table id: 0. Tablet id: "
                + tablet + "\""), run.body());
        // ... then polls run_status until run_status is false and the success time changed
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode s = http.get("/api/compaction/run_status?tablet_id=" + tablet).json();
            return !s.get("run_status").asBoolean();
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/api/compaction/show?tablet_id="
                + tablet).body().contains("\"last full status\": \"[OK]\""));
        String after = http.get("/api/compaction/show?tablet_id=" + tablet).body();
        assertTrue(after.contains("\"last cumulative status\": \"\""), after);
        assertFalse(after.contains("\"last full success time\": \"1970-01-01"), after);
    }

    @Test
    void updateConfigAnswersTheListUpdateAllBeConfigParses() throws Exception {
        start();
        // update_all_be_config: result.size() == 1 and result[0].status == "OK"
        Answer ok = http.post("/api/update_config?disable_auto_compaction=true");
        assertEquals(200, ok.status());
        JsonNode list = ok.json();
        assertEquals(1, list.size(), ok.body());
        assertEquals("OK", list.get(0).get("status").asText());
        assertEquals("disable_auto_compaction", list.get(0).get("config_name").asText());
        assertEquals("", list.get(0).get("msg").asText());
        JsonNode bad = http.post("/api/update_config?no_such_key=1").json();
        assertEquals("BAD", bad.get(0).get("status").asText());
        assertEquals("set no_such_key=1 failed, reason: [NOT_FOUND]'no_such_key' is not found",
                bad.get(0).get("msg").asText());
        JsonNode immutable = http.post("/api/update_config?storage_root_path=x").json();
        assertEquals("set storage_root_path=x failed, reason: [NOT_IMPLEMENTED_ERROR]'storage_root_path' is not "
                + "support to modify", immutable.get(0).get("msg").asText());
        JsonNode wrongType = http.post("/api/update_config?disable_auto_compaction=maybe").json();
        assertEquals("set disable_auto_compaction=maybe failed, reason: [INVALID_ARGUMENT]convert 'maybe' as bool "
                + "failed", wrongType.get(0).get("msg").asText());
        // persist=true survives a restart (be_custom.conf)
        JsonNode persisted = http.post("/api/update_config?max_cumu_compaction_threads=3&persist=true").json();
        assertEquals("OK", persisted.get(0).get("status").asText(), persisted.toString());
        assertTrue(Files.readString(dir.resolve("be_custom.conf")).contains("max_cumu_compaction_threads=3"));
        server.close();
        server = null;
        start();
        JsonNode shown = http.get("/api/show_config?conf_item=max_cumu_compaction_threads").json();
        assertEquals("[[\"max_cumu_compaction_threads\",\"int64_t\",\"3\",\"true\"]]", shown.toString());
        assertEquals("false", http.get("/api/show_config?conf_item=disable_auto_compaction").json().get(0).get(2)
                .asText(), "a change without persist does not survive the restart");
    }

    @Test
    void operatorEndpointsAnswerDorisShapesAndUnknownPathsAre404() {
        start();
        long tablet = tablet();
        JsonNode header = http.get("/api/meta/header/" + tablet).json();
        assertEquals(tablet, header.get("tablet_id").asLong());
        assertEquals(4, header.get("rs_metas").size(), "[0-1] and three loads: " + header);
        assertTrue(header.has("cumulative_layer_point"), header.toString());
        assertEquals("NOT_FOUND", http.get("/api/meta/header/999999").json().get("status").asText());
        JsonNode tablets = http.get("/api/tablets_json?limit=all").json();
        assertEquals("OK", tablets.get("msg").asText());
        assertEquals(1, tablets.get("count").asInt());
        assertEquals(tablet, tablets.get("data").get("tablets").get(0).get("tablet_id").asLong());
        JsonNode dist = http.get("/api/tablets_distribution?group_by=partition").json();
        assertEquals(1, dist.get("count").asInt(), dist.toString());
        assertEquals(1, dist.get("data").get("tablets_distribution").get(0).get("disks").get(0).get("tablets_num")
                .asInt());
        JsonNode agg = http.get("/api/delete_bitmap/count_agg_cache?tablet_id=" + tablet).json();
        assertTrue(agg.has("delete_bitmap_count") && agg.has("cardinality") && agg.has("size"), agg.toString());
        assertEquals("compactor", http.get("/api/be_version_info").json().get("data").get("beVersionInfo")
                .get("dorisBuildVersionPrefix").asText());
        Answer unknown = http.get("/api/delete_bitmap/count_everything");
        assertEquals(404, unknown.status(), unknown.body());
        assertEquals("no endpoint /api/delete_bitmap/count_everything", unknown.json().get("msg").asText());
    }

    @Test
    void healthAnswersDorisBytes() {
        start();
        Answer a = http.get("/api/health");
        assertEquals(200, a.status());
        assertEquals("{\"status\": \"OK\",\"msg\": \"OK\"}", a.body());
    }
}
