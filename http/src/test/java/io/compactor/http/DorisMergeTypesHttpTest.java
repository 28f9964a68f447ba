package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Doris's row semantics on unique-key tables over HTTP: merge_type DELETE / MERGE (the hidden
 * delete sign; deleted keys stay deleted through cumulative, base and full compaction and a
 * restart), the sequence column (the larger sequence value wins whatever the load order, also
 * through compaction), and partial column updates.
 */
class DorisMergeTypesHttpTest {
    @TempDir
    Path dir;
    private CompactorServer server;
    private HttpTestClient http;

    private void start() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.disable_auto_compaction", true))
                .withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void create(String table, String properties) {
        String body = "{\"keys_type\":\"UNIQUE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":2,\"properties\":{\"disable_auto_compaction\":\"true\""
                + properties + "}}";
        Answer a = http.put("/api/db/" + table, body);
        assertEquals(200, a.status(), a.body());
    }

    private JsonNode load(String table, String body, Map<String, String> headers) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, headers);
        assertEquals(200, a.status(), a.body());
        JsonNode n = a.json();
        assertEquals("Success", n.get("Status").asText(), n.toString());
        return n;
    }

    private String scan(String table) {
        Answer a = http.get("/api/db/" + table + "/_scan");
        assertEquals(200, a.status(), a.body());
        return a.body();
    }

    private void compactAll(String table, String type) {
        for (JsonNode t : http.get("/api/db/" + table).json().get("tablets")) {
            long id = t.get("tablet_id").asLong();
            String before = http.get("/api/compaction/show?tablet_id=" + id).json().get("last " + type
                    + " success time").asText();
            Answer run = http.post("/api/compaction/run?tablet_id=" + id + "&compact_type=" + type);
            String status = run.json().get("status").asText();
            if (!status.equals("Success")) {
                assertTrue(status.startsWith("E-"), run.body()); // nothing to compact in this tablet
                continue;
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !http.get("/api/compaction/show?tablet_id="
                    + id).json().get("last " + type + " success time").asText().equals(before));
        }
    }

    private void restart() {
        server.close();
        server = null;
        start();
    }

    @Test
    void deleteLoadRemovesKeysThroughEveryCompactionAndARestart() {
        start();
        create("del", "");
        load("del", "1\t10\ta\n2\t20\tb\n3\t30\tc\n4\t40\td\n", Map.of());
        load("del", "2\t0\tx\n", Map.of("merge_type", "DELETE"));
        assertEquals("1\t10\ta\n3\t30\tc\n4\t40\td\n", scan("del"));
        assertEquals(3, http.get("/api/db/del/_count").json().get("rows").asLong());
        assertEquals(404, http.get("/api/db/del/_get?id=2").status());
        load("del", "3\t0\tdelete-me\n4\t41\tkeep\n", Map.of("merge_type", "MERGE", "delete", "s = 'delete-me'"));
        assertEquals("1\t10\ta\n4\t41\tkeep\n", scan("del"));
        compactAll("del", "cumulative");
        assertEquals("1\t10\ta\n4\t41\tkeep\n", scan("del"));
        compactAll("del", "base");
        assertEquals("1\t10\ta\n4\t41\tkeep\n", scan("del"));
        compactAll("del", "full");
        assertEquals("1\t10\ta\n4\t41\tkeep\n", scan("del"));
        restart();
        assertEquals("1\t10\ta\n4\t41\tkeep\n", scan("del"));
        assertEquals(2, http.get("/api/db/del/_count").json().get("rows").asLong());
        load("del", "2\t22\tback\n", Map.of());
        assertEquals("1\t10\ta\n2\t22\tback\n4\t41\tkeep\n", scan("del"), "a deleted key can be loaded again");
        JsonNode dup = http.put("/api/db/dupdel", HttpTestClient.tableBody("DUPLICATE_KEYS", 1)).json();
        assertEquals("Success", dup.get("status").asText());
        JsonNode refused = http.put("/api/db/dupdel/_stream_load", "1\t1\ta\n", Map.of("merge_type", "DELETE")).json();
        assertEquals("[ANALYSIS_ERROR]errCode = 2, detailMessage = load by MERGE or DELETE is only supported in "
                + "unique tables.", refused.get("Message").asText());
    }

    @Test
    void theLargerSequenceValueWinsWhateverTheLoadOrderAndThroughCompaction() {
        start();
        create("seq", ",\"function_column.sequence_type\":\"BIGINT\"");
        Map<String, String> seq = Map.of("function_column.sequence_col", "v");
        load("seq", "1\t5\tfive\n2\t1\tone\n", seq);
        load("seq", "1\t3\tthree\n2\t4\tfour\n", seq);
        load("seq", "1\t5\tfive-again\n", seq);
        assertEquals("1\t5\tfive-again\n2\t4\tfour\n", scan("seq"), "larger wins; a tie goes to the newer load");
        load("seq", "3\t9\tnine\n3\t2\ttwo\n", seq);
        assertEquals("3\t9\tnine\n", http.get("/api/db/seq/_scan").body().lines().filter(l -> l.startsWith("3\t"))
                .map(l -> l + "\n").findFirst().orElse(""), "within one load too");
        compactAll("seq", "cumulative");
        assertEquals("1\t5\tfive-again\n2\t4\tfour\n3\t9\tnine\n", scan("seq"));
        load("seq", "1\t2\tstale\n", seq);
        compactAll("seq", "full");
        assertEquals("1\t5\tfive-again\n2\t4\tfour\n3\t9\tnine\n", scan("seq"));
        restart();
        assertEquals("1\t5\tfive-again\n2\t4\tfour\n3\t9\tnine\n", scan("seq"));
        JsonNode missing = http.put("/api/db/seq/_stream_load", "9\t9\tx\n", Map.of()).json();
        assertEquals("[ANALYSIS_ERROR]errCode = 2, detailMessage = Table seq has sequence column, need to specify "
                + "the sequence column", missing.get("Message").asText());
        JsonNode describe = http.get("/api/db/seq").json();
        assertEquals(3, describe.get("columns").size(), "hidden columns are not shown: " + describe);
    }

    @Test
    void partialUpdateKeepsTheOtherColumns() {
        start();
        create("part", "");
        load("part", "1\t10\ta\n2\t20\tb\n", Map.of());
        load("part", "1,11\n3,30\n", Map.of("partial_columns", "true", "columns", "id,v", "column_separator", ","));
        assertEquals("1\t11\ta\n2\t20\tb\n3\t30\t\\N\n", scan("part"));
        compactAll("part", "full");
        assertEquals("1\t11\ta\n2\t20\tb\n3\t30\t\\N\n", scan("part"));
    }
}
