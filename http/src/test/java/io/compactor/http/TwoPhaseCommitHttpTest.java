package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Doris's stream-load two-phase commit over HTTP: {@code two_phase_commit: true} leaves the load
 * prepared (nothing visible), {@code PUT /api/{db}/_stream_load_2pc} commits or aborts it by txn
 * id or label, prepared loads are listed, expire, and survive a restart.
 */
class TwoPhaseCommitHttpTest {
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

    private JsonNode prepare(String table, String label, String body) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, Map.of("label", label,
                "two_phase_commit", "true"));
        assertEquals(200, a.status(), a.body());
        JsonNode n = a.json();
        assertEquals("Success", n.get("Status").asText(), n.toString());
        assertEquals("true", n.get("TwoPhaseCommit").asText());
        return n;
    }

    private JsonNode operate(Map<String, String> headers) {
        Answer a = http.put("/api/db/_stream_load_2pc", "", headers);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private long count(String table) {
        return http.get("/api/db/" + table + "/_count").json().get("rows").asLong();
    }

    @Test
    void commitAndAbortByTxnIdOrLabel() {
        start();
        assertEquals(200, http.put("/api/db/t", HttpTestClient.tableBody("UNIQUE_KEYS", 2)).status());
        long txn = prepare("t", "p1", "1\t1\ta\n2\t2\tb\n").get("TxnId").asLong();
        assertEquals(0, count("t"), "a prepared load is not visible");
        JsonNode listed = http.get("/api/db/_stream_load_2pc").json();
        assertEquals(1, listed.size(), listed.toString());
        assertEquals("p1", listed.get(0).get("Label").asText());
        JsonNode again = http.put("/api/db/t/_stream_load", "9\t9\tz\n", Map.of("label", "p1")).json();
        assertEquals("Label Already Exists", again.get("Status").asText());
        assertEquals("PRECOMMITTED", again.get("ExistingJobStatus").asText());
        JsonNode committed = operate(Map.of("txn_operation", "commit", "txn_id", Long.toString(txn)));
        assertEquals("Success", committed.get("status").asText(), committed.toString());
        assertEquals("transaction [" + txn + "] commit successfully.", committed.get("msg").asText());
        assertEquals(2, count("t"));
        JsonNode twice = operate(Map.of("txn_operation", "commit", "txn_id", Long.toString(txn)));
        assertEquals("INTERNAL_ERROR", twice.get("status").asText(), twice.toString());

        long aborted = prepare("t", "p2", "3\t3\tc\n").get("TxnId").asLong();
        JsonNode abort = operate(Map.of("txn_operation", "abort", "label", "p2"));
        assertEquals("transaction [" + aborted + "] abort successfully.", abort.get("msg").asText(), abort.toString());
        assertEquals(2, count("t"));
        assertEquals(0, http.get("/api/db/_stream_load_2pc").json().size());

        JsonNode badOp = operate(Map.of("txn_operation", "publish", "txn_id", "1"));
        assertEquals("transaction operation should be 'commit' or 'abort'", badOp.get("msg").asText());
        JsonNode badId = operate(Map.of("txn_operation", "commit", "txn_id", "x"));
        assertEquals("convert txn_id [x] failed", badId.get("msg").asText());
    }

    @Test
    void preparedLoadsSurviveARestartAndExpire() throws Exception {
        start();
        assertEquals(200, http.put("/api/db/t", HttpTestClient.tableBody("UNIQUE_KEYS", 2)).status());
        http.put("/api/db/t/_stream_load", "1\t10\told\n", Map.of());
        long kept = prepare("t", "kept", "1\t11\tnew\n5\t5\te\n").get("TxnId").asLong();
        prepare("t", "expiring", "7\t7\tg\n");
        server.close();
        server = null;
        start();
        assertEquals(2, http.get("/api/db/_stream_load_2pc").json().size(), "both prepared loads came back");
        JsonNode committed = operate(Map.of("txn_operation", "commit", "label", "kept"));
        assertEquals("transaction [" + kept + "] commit successfully.", committed.get("msg").asText(),
                committed.toString());
        assertEquals("1\t11\tnew\n5\t5\te\n", http.get("/api/db/t/_scan").body(), "the newer row replaced the old one");
        http.post("/api/update_config?stream_load_default_precommit_timeout_second=1");
        // loads prepared before the change keep their deadline; a new one gets the short one
        long expiring = prepare("t", "short", "8\t8\th\n").get("TxnId").asLong();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> http.get("/api/db/_stream_load_2pc").json()
                .findValuesAsText("Label").stream().noneMatch("short"::equals));
        JsonNode late = operate(Map.of("txn_operation", "commit", "txn_id", Long.toString(expiring)));
        assertEquals("INTERNAL_ERROR", late.get("status").asText(), late.toString());
        assertEquals(2, count("t"));
        try (var files = Files.walk(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().equals("txn_" + expiring + ".json")));
        }
    }
}
