package io.compactor.http;

import static io.compactor.http.HttpTestClient.tableBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every table, load, read and operations endpoint of docs/API.md against one port-0 server. */
class HttpApiTest {
    @TempDir
    static Path dir;
    private static CompactorServer server;
    private static HttpTestClient http;

    @BeforeAll
    static void startServer() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.write_buffer_size", 4096)).withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static void create(String table, String keysType, int buckets) {
        Answer a = http.put("/api/db/" + table, tableBody(keysType, buckets));
        assertEquals(200, a.status(), a.body());
    }

    private static JsonNode load(String table, String body, Map<String, String> headers) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, headers);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private static long count(String table) {
        Answer a = http.get("/api/db/" + table + "/_count");
        assertEquals(200, a.status(), a.body());
        return a.json().get("rows").asLong();
    }

    @Test
    void healthAnswersOk() {
        Answer a = http.get("/api/health");
        assertEquals(200, a.status());
        assertEquals("OK", a.text("status"));
    }

    @Test
    void createTableAnswersTableIdAndTablets() {
        Answer a = http.put("/api/db/created", tableBody("UNIQUE_KEYS", 3));
        assertEquals(200, a.status(), a.body());
        assertEquals("Success", a.text("status"));
        assertTrue(a.json().get("table_id").asLong() > 0);
        assertEquals(3, a.json().get("tablets").size());
    }

    @Test
    void creatingAnExistingTableIs409() {
        create("twice", "DUPLICATE_KEYS", 1);
        Answer a = http.put("/api/db/twice", tableBody("DUPLICATE_KEYS", 1));
        assertEquals(409, a.status(), a.body());
        assertEquals("Fail", a.text("status"));
        assertTrue(a.text("msg").contains("twice"), a.body());
    }

    @Test
    void invalidSchemaIs400WithAMessageNamingTheProblem() {
        assertBadCreate("{\"columns\":[{\"name\":\"id\",\"type\":\"BLOB\"}]}", "BLOB");
        assertBadCreate("{\"keys_type\":\"AGG_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"INT\"}]}", "keys_type");
        assertBadCreate("{\"columns\":[{\"name\":\"id\",\"type\":\"INT\"}],\"key_columns\":[\"nope\"]}", "nope");
        assertBadCreate("{\"columns\":[]}", "columns");
        assertBadCreate("{\"columns\":[{\"name\":\"id\",\"type\":\"INT\"}],\"buckets\":0}", "buckets");
        assertBadCreate("not json", "JSON");
        assertBadCreate("{\"columns\":[{\"name\":\"id\",\"type\":\"INT\"}],\"properties\":{"
                + "\"compaction_policy\":\"time_series\",\"time_series_compaction_goal_size_mbytes\":\"5\"}}",
                "time_series_compaction_goal_size_mbytes can not be less than 10: 5");
        assertEquals(404, http.get("/api/db/bad").status(), "no table was created by a rejected request");
    }

    private static void assertBadCreate(String body, String expectedInMessage) {
        Answer a = http.put("/api/db/bad", body);
        assertEquals(400, a.status(), a.body());
        assertEquals("Fail", a.text("status"));
        assertTrue(a.text("msg").contains(expectedInMessage), "message should name '" + expectedInMessage + "': "
                + a.body());
    }

    @Test
    void describeShowsSchemaPropertiesAndTablets() {
        create("described", "UNIQUE_KEYS", 2);
        load("described", "1\t1\ta\n2\t2\tb\n", Map.of());
        Answer a = http.get("/api/db/described");
        assertEquals(200, a.status(), a.body());
        JsonNode n = a.json();
        assertEquals("UNIQUE_KEYS", n.get("keys_type").asText());
        assertEquals(3, n.get("columns").size());
        assertEquals("VARCHAR(32)", n.get("columns").get(2).get("type").asText());
        assertEquals("id", n.get("key_columns").get(0).asText());
        assertEquals("size_based", n.get("properties").get("compaction_policy").asText());
        assertEquals(2, n.get("tablets").size());
        for (JsonNode t : n.get("tablets")) {
            assertTrue(t.get("tablet_id").asLong() > 0);
            assertEquals(1, t.get("replicas").size());
            assertFalse(t.get("replicas").get(0).get("data_dir").asText().isEmpty());
            assertEquals(2, t.get("version_count").asInt(), "[0-1] and the load's rowset");
            assertTrue(t.has("compaction_score"));
        }
    }

    @Test
    void unknownTableIs404OnEveryTableEndpoint() {
        for (String path : List.of("/api/db/missing", "/api/db/missing/_count", "/api/db/missing/_scan",
                "/api/db/missing/_get?id=1")) {
            Answer a = http.get(path);
            assertEquals(404, a.status(), path + ": " + a.body());
            assertEquals("Fail", a.text("status"));
        }
        assertEquals(404, http.delete("/api/db/missing").status());
        assertEquals(404, http.put("/api/db/missing/_properties", "{\"disable_auto_compaction\":\"true\"}").status());
        JsonNode load = load("missing", "1\t1\ta\n", Map.of());
        assertEquals("Fail", load.get("Status").asText());
    }

    @Test
    void tablesListsEveryTable() {
        create("listed_a", "DUPLICATE_KEYS", 1);
        create("listed_b", "UNIQUE_KEYS", 2);
        Answer a = http.get("/api/tables");
        assertEquals(200, a.status(), a.body());
        List<String> names = new ArrayList<>();
        for (JsonNode t : a.json().get("tables")) {
            names.add(t.get("db").asText() + "." + t.get("table").asText());
            if (t.get("table").asText().equals("listed_b")) {
                assertEquals("UNIQUE_KEYS", t.get("keys_type").asText());
                assertEquals(2, t.get("tablets").size());
            }
        }
        assertTrue(names.containsAll(List.of("db.listed_a", "db.listed_b")), names.toString());
    }

    @Test
    void propertiesAreAlteredAndValidatedWithDorisMessages() {
        create("props", "DUPLICATE_KEYS", 1);
        Answer ok = http.put("/api/db/props/_properties",
                "{\"compaction_policy\":\"time_series\",\"time_series_compaction_goal_size_mbytes\":\"2048\"}");
        assertEquals(200, ok.status(), ok.body());
        assertEquals("Success", ok.text("status"));
        assertEquals("2048", ok.json().get("properties").get("time_series_compaction_goal_size_mbytes").asText());
        assertEquals("time_series", http.get("/api/db/props").json().get("properties").get("compaction_policy").asText());

        Answer bad = http.put("/api/db/props/_properties", "{\"time_series_compaction_goal_size_mbytes\":\"5\"}");
        assertEquals(400, bad.status(), bad.body());
        assertEquals("time_series_compaction_goal_size_mbytes can not be less than 10: 5", bad.text("msg"));
        Answer unknown = http.put("/api/db/props/_properties", "{\"foo\":\"1\"}");
        assertEquals(400, unknown.status());
        assertEquals("Unknown table property: foo", unknown.text("msg"));
        assertEquals("2048", http.get("/api/db/props").json().get("properties")
                .get("time_series_compaction_goal_size_mbytes").asText());
    }

    @Test
    void csvStreamLoadHonoursLabelSeparatorColumnsAndAnswersWithDorisFields() {
        create("csv", "UNIQUE_KEYS", 4);
        JsonNode r = load("csv", "a,1,10\nb,2,20\nc,3,30\n",
                Map.of("label", "csv-1", "column_separator", ",", "columns", "s,id,v"));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        assertEquals("OK", r.get("Message").asText());
        assertEquals("csv-1", r.get("Label").asText());
        assertTrue(r.get("TxnId").asLong() > 0);
        assertEquals(3, r.get("NumberTotalRows").asLong());
        assertEquals(3, r.get("NumberLoadedRows").asLong());
        assertEquals(0, r.get("NumberFilteredRows").asLong());
        assertTrue(r.get("LoadBytes").asLong() > 0);
        assertTrue(r.has("LoadTimeMs"));

        Answer row = http.get("/api/db/csv/_get?id=2");
        assertEquals(200, row.status(), row.body());
        assertEquals(20, row.json().get("v").asLong());
        assertEquals("b", row.json().get("s").asText());

        JsonNode again = load("csv", "9,9,9\n", Map.of("label", "csv-1", "column_separator", ","));
        assertEquals("Label Already Exists", again.get("Status").asText(), again.toString());
        assertEquals(3, count("csv"));
    }

    @Test
    void jsonStreamLoadAcceptsAnArrayAndOneObjectPerLine() {
        create("json", "DUPLICATE_KEYS", 2);
        JsonNode array = load("json", "[{\"id\":1,\"v\":10,\"s\":\"x\"},{\"id\":2,\"v\":20,\"s\":\"y\"}]",
                Map.of("format", "json"));
        assertEquals("Success", array.get("Status").asText(), array.toString());
        JsonNode lines = load("json", "{\"id\":3,\"v\":30,\"s\":\"z\"}\n{\"id\":4,\"v\":40}\n",
                Map.of("format", "json", "label", "json-lines"));
        assertEquals("Success", lines.get("Status").asText(), lines.toString());
        assertEquals(4, count("json"));
        assertEquals("z", http.get("/api/db/json/_get?id=3").json().get("s").asText());
        assertTrue(http.get("/api/db/json/_get?id=4").json().get("s").isNull());
    }

    @Test
    void maxFilterRatioHeaderDecidesBetweenFilteringAndFailing() {
        create("ratio", "DUPLICATE_KEYS", 2);
        String body = "1\t1\ta\n2\tx\tb\n3\t3\tc\n4\t4\td\n";
        JsonNode strict = load("ratio", body, Map.of("strict_mode", "true"));
        assertEquals("Fail", strict.get("Status").asText());
        assertTrue(strict.get("Message").asText().contains("too many filtered rows"), strict.toString());
        assertEquals(0, count("ratio"));

        JsonNode tolerant = load("ratio", body, Map.of("max_filter_ratio", "0.5", "strict_mode", "true"));
        assertEquals("Success", tolerant.get("Status").asText(), tolerant.toString());
        assertEquals(4, tolerant.get("NumberTotalRows").asLong());
        assertEquals(3, tolerant.get("NumberLoadedRows").asLong());
        assertEquals(1, tolerant.get("NumberFilteredRows").asLong());
        assertEquals(3, count("ratio"));

        JsonNode badHeader = load("ratio", body, Map.of("max_filter_ratio", "2"));
        assertEquals("Fail", badHeader.get("Status").asText());
        assertTrue(badHeader.get("Message").asText().contains("max_filter_ratio"), badHeader.toString());
    }

    @Test
    void countAndScanReadTheMergedViewInKeyOrder() {
        create("reads", "UNIQUE_KEYS", 4);
        load("reads", "3\t30\tc\n1\t10\ta\n2\t20\tb\n", Map.of());
        load("reads", "2\t200\tbb\n4\t40\td\n", Map.of());
        assertEquals(4, count("reads"));

        Answer csv = http.get("/api/db/reads/_scan");
        assertEquals(200, csv.status());
        assertEquals("1\t10\ta\n2\t200\tbb\n3\t30\tc\n4\t40\td\n", csv.body());
        assertEquals(csv.body(), http.get("/api/db/reads/_scan?format=csv").body());

        Answer json = http.get("/api/db/reads/_scan?format=json&limit=2");
        assertEquals(200, json.status());
        JsonNode rows = json.json();
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).get("id").asLong());
        assertEquals(200, rows.get(1).get("v").asLong());
        assertEquals("bb", rows.get(1).get("s").asText());

        assertEquals("1\t10\ta\n", http.get("/api/db/reads/_scan?limit=1").body());
        assertEquals(400, http.get("/api/db/reads/_scan?format=xml").status());
        assertEquals(400, http.get("/api/db/reads/_scan?limit=-1").status());
        assertEquals(400, http.get("/api/db/reads/_scan?limit=lots").status());
    }

    @Test
    void getFindsARowByKeyAnd404sOr400sOtherwise() {
        create("lookup", "UNIQUE_KEYS", 2);
        load("lookup", "5\t50\tfive\n", Map.of());
        Answer found = http.get("/api/db/lookup/_get?id=5");
        assertEquals(200, found.status(), found.body());
        assertEquals(5, found.json().get("id").asLong());
        assertEquals(50, found.json().get("v").asLong());
        assertEquals("five", found.json().get("s").asText());

        Answer absent = http.get("/api/db/lookup/_get?id=6");
        assertEquals(404, absent.status(), absent.body());
        assertEquals("Fail", absent.text("status"));

        Answer missing = http.get("/api/db/lookup/_get");
        assertEquals(400, missing.status(), missing.body());
        assertTrue(missing.text("msg").contains("id"), missing.body());
        Answer unparsable = http.get("/api/db/lookup/_get?id=five");
        assertEquals(400, unparsable.status(), unparsable.body());
        assertEquals("Fail", unparsable.text("status"));
    }

    @Test
    void deleteDropsTheTable() {
        create("dropped", "DUPLICATE_KEYS", 2);
        load("dropped", "1\t1\ta\n", Map.of());
        Answer a = http.delete("/api/db/dropped");
        assertEquals(200, a.status(), a.body());
        assertEquals("Success", a.text("status"));
        assertEquals(404, http.get("/api/db/dropped").status());
        assertEquals(404, http.get("/api/db/dropped/_count").status());
        assertEquals(404, http.delete("/api/db/dropped").status());
        create("dropped", "DUPLICATE_KEYS", 1);
        assertEquals(0, count("dropped"), "a table created again under the name starts empty");
    }

    @Test
    void metricsExposeTheLoadCounters() {
        create("metered", "DUPLICATE_KEYS", 1);
        load("metered", "1\t1\ta\n", Map.of("label", "metered-1"));
        load("metered", "1\t1\ta\n", Map.of("label", "metered-1"));
        load("metered", "1\tbad\ta\n", Map.of());
        Answer a = http.get("/metrics");
        assertEquals(200, a.status());
        assertTrue(a.contentType().startsWith("text/plain"), a.contentType());
        for (String name : List.of("compactor_load_total{status=\"success\"}", "compactor_load_total{status=\"fail\"}",
                "compactor_load_total{status=\"label_already_exists\"}", "compactor_load_rows_total",
                "compactor_load_bytes_total", "compactor_exceed_version_limit_total")) {
            assertTrue(metric(a.body(), name) >= 0, name + " missing from\n" + a.body());
        }
        assertTrue(metric(a.body(), "compactor_load_total{status=\"success\"}") >= 1);
        assertTrue(metric(a.body(), "compactor_load_total{status=\"fail\"}") >= 1);
        assertTrue(metric(a.body(), "compactor_load_total{status=\"label_already_exists\"}") >= 1);
    }

    private static double metric(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).trim());
            }
        }
        return -1;
    }

    @Test
    void showConfigListsEveryKeyOrOne() {
        Answer all = http.get("/api/show_config");
        assertEquals(200, all.status());
        assertTrue(all.json().size() > 10, all.body());
        Answer one = http.get("/api/show_config?conf_item=write_buffer_size");
        JsonNode rows = one.json();
        assertEquals(1, rows.size(), one.body());
        JsonNode row = rows.get(0);
        assertEquals(4, row.size());
        assertEquals("write_buffer_size", row.get(0).asText());
        assertEquals("4096", row.get(2).asText());
        assertEquals("true", row.get(3).asText());
        assertEquals("false", http.get("/api/show_config?conf_item=storage_root_path").json().get(0).get(3).asText());
    }

    @Test
    void updateConfigChangesMutableKeysAndRejectsOthers() {
        Answer ok = http.post("/api/update_config?max_tablet_version_num=1500");
        assertEquals(200, ok.status(), ok.body());
        assertEquals("OK", ok.json().get(0).get("status").asText());
        assertEquals("1500", http.get("/api/show_config?conf_item=max_tablet_version_num").json().get(0).get(2).asText());

        assertBadUpdate("/api/update_config?no_such_key=1", "no_such_key");
        assertBadUpdate("/api/update_config?storage_root_path=/tmp/x", "is not support to modify");
        assertBadUpdate("/api/update_config?max_tablet_version_num=lots", "max_tablet_version_num");
        assertBadUpdate("/api/update_config?max_tablet_version_num=1", "max_tablet_version_num");
        assertEquals("1500", http.get("/api/show_config?conf_item=max_tablet_version_num").json().get(0).get(2).asText());
        http.post("/api/update_config?max_tablet_version_num=2000");
    }

    private static void assertBadUpdate(String path, String expectedInMessage) {
        Answer a = http.post(path);
        assertEquals(200, a.status(), a.body()); // Doris: always 200, one entry per key
        assertEquals("BAD", a.json().get(0).get("status").asText());
        assertTrue(a.json().get(0).get("msg").asText().contains(expectedInMessage), a.body());
    }
}
