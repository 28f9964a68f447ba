package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test-side HTTP client for the compaction endpoints, with the helpers of Doris's regression
 * plugin ({@code plugin_compaction.groovy}): trigger a compaction and wait until it ended, count
 * rowsets from {@code /api/compaction/show}.
 */
final class CompactionHttpClient {
    static final Duration WAIT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String authorization;

    CompactionHttpClient(int port) {
        this(port, null);
    }

    /** A client that sends {@code authorization} (e.g. "Basic ...") with every request; null for none. */
    CompactionHttpClient(int port, String authorization) {
        this.base = "http://127.0.0.1:" + port;
        this.authorization = authorization;
    }

    /** A node configuration on {@code dir}, HTTP on port 0, plus {@code extra} keys (under compactor.). */
    static Config config(Path dir, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.toString());
        m.put("compactor.webserver_port", 0);
        extra.forEach((k, v) -> m.put(k.startsWith("compactor.") ? k : "compactor." + k, v));
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
    }

    record Answer(int code, String body) {
        JsonNode json() {
            try {
                return Json.MAPPER.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + code + "): " + body, e);
            }
        }
    }

    Answer send(String method, String pathAndQuery, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(Duration.ofSeconds(60));
        HttpRequest.BodyPublisher pub = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8);
        b.method(method, pub);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode get(String pathAndQuery) {
        Answer a = send("GET", pathAndQuery, null);
        assertEquals(200, a.code(), () -> "GET " + pathAndQuery + ": " + a.body());
        return a.json();
    }

    JsonNode post(String pathAndQuery) {
        Answer a = send("POST", pathAndQuery, null);
        assertEquals(200, a.code(), () -> "POST " + pathAndQuery + ": " + a.body());
        return a.json();
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---- tables and loads

    /** Creates a table {@code (id INT key, name VARCHAR, score INT)}; returns its tablet ids. */
    CreatedTable createTable(String db, String table, String keysType, int buckets, Map<String, String> props) {
        StringBuilder p = new StringBuilder("{");
        props.forEach((k, v) -> p.append(p.length() > 1 ? "," : "").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        p.append('}');
        String body = "{\"keys_type\":\"" + keysType + "\",\"columns\":[{\"name\":\"id\",\"type\":\"INT\"},"
                + "{\"name\":\"name\",\"type\":\"VARCHAR(255)\"},{\"name\":\"score\",\"type\":\"INT\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":" + buckets + ",\"replication_num\":1,\"properties\":" + p + "}";
        Answer a = send("PUT", "/api/" + db + "/" + table, body);
        assertEquals(200, a.code(), () -> "create " + table + ": " + a.body());
        JsonNode n = a.json();
        List<Long> tablets = new ArrayList<>();
        n.get("tablets").forEach(t -> tablets.add(t.asLong()));
        return new CreatedTable(n.get("table_id").asLong(), List.copyOf(tablets));
    }

    record CreatedTable(long tableId, List<Long> tablets) {
    }

    /** Stream-loads tab-separated rows; asserts success. */
    JsonNode load(String db, String table, String tsv) {
        Answer a = send("PUT", "/api/" + db + "/" + table + "/_stream_load", tsv);
        JsonNode n = a.json();
        assertEquals("Success", n.path("Status").asText(), () -> "load into " + table + ": " + a.body());
        return n;
    }

    long count(String db, String table) {
        return get("/api/" + db + "/" + table + "/_count").get("rows").asLong();
    }

    String scan(String db, String table) {
        Answer a = send("GET", "/api/" + db + "/" + table + "/_scan", null);
        assertEquals(200, a.code(), a::body);
        return a.body();
    }

    // ---- compaction endpoints

    JsonNode show(long tabletId) {
        return get("/api/compaction/show?tablet_id=" + tabletId);
    }

    List<String> rowsets(long tabletId) {
        List<String> out = new ArrayList<>();
        show(tabletId).get("rowsets").forEach(r -> out.add(r.asText()));
        return out;
    }

    /** Sum of visible rowsets over the tablets (Doris suites' {@code get_rowset_count}). */
    int rowsetCount(List<Long> tablets) {
        int n = 0;
        for (long t : tablets) {
            n += rowsets(t).size();
        }
        return n;
    }

    JsonNode runStatus(long tabletId) {
        return get("/api/compaction/run_status?tablet_id=" + tabletId);
    }

    JsonNode run(long tabletId, String type) {
        return post("/api/compaction/run?tablet_id=" + tabletId + "&compact_type=" + type);
    }

    /**
     * Doris's {@code trigger_and_wait_compaction} for one tablet: POST run (ALREADY_EXIST counts as
     * triggered; with auto compaction off, E-2000 / E-2010 mean there is nothing to do), then poll
     * run_status until it is false and the tablet's "last &lt;type&gt; success time" changed.
     *
     * @return the run answer's status
     */
    String triggerAndWait(long tabletId, String type) {
        String key = "last " + type + " success time";
        String before = show(tabletId).get(key).asText();
        JsonNode answer = run(tabletId, type);
        String status = answer.get("status").asText();
        String lower = status.toLowerCase(Locale.ROOT);
        if (lower.equals("e-2000") || lower.equals("e-2010")) {
            return status;
        }
        assertTrue(lower.equals("success") || lower.equals("already_exist"),
                () -> "compaction of tablet " + tabletId + " not triggered: " + answer);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            JsonNode rs = runStatus(tabletId);
            if (rs.get("run_status").asBoolean()) {
                return false;
            }
            return !show(tabletId).get(key).asText().equals(before);
        });
        return status;
    }

    /** {@link #triggerAndWait} for every tablet of a table, as the plugin does for a table name. */
    void triggerAndWaitAll(List<Long> tablets, String type) {
        for (long t : tablets) {
            triggerAndWait(t, type);
        }
    }

    String metrics() {
        Answer a = send("GET", "/metrics", null);
        assertEquals(200, a.code());
        return a.body();
    }

    /** The value of one sample line of {@code /metrics}, e.g. {@code compactor_compaction_running_max{type="base"}}. */
    long metric(String sample) {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Long.parseLong(line.substring(sample.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + sample);
    }

    void updateConfig(String key, String value) {
        JsonNode n = post("/api/update_config?" + key + "=" + q(value));
        // Doris's answer: one {"config_name", "status", "msg"} per key
        assertEquals("OK", n.get(0).get("status").asText(), n::toString);
    }
}
