package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A node over HTTP for the operator tests (cancel, progress, explain, watchdog, dashboard): debug
 * points on, the helpers to hold a merge mid-way, and what "nothing changed" is made of.
 */
final class OperatorFixture implements AutoCloseable {
    static final String DB = "ops";
    static final Duration WAIT = Duration.ofSeconds(60);

    final Path dir;
    final CompactorServer server;
    final CompactionHttpClient http;

    OperatorFixture(Path dir, Map<String, Object> extra) {
        this(dir, extra, null);
    }

    /** @param authorization sent with every request (the node has http_auth_password set), or null */
    OperatorFixture(Path dir, Map<String, Object> extra, String authorization) {
        this.dir = dir;
        Map<String, Object> conf = new HashMap<>(extra);
        conf.put("enable_debug_points", true);
        this.server = CompactorServer.start(CompactionHttpClient.config(dir, conf));
        this.http = new CompactionHttpClient(server.port(), authorization);
    }

    /** {@code n} rows whose keys interleave with other loads' (so rowsets overlap and really merge). */
    static String rows(int load, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int id = i * 16 + load;
            sb.append(id).append('\t').append("name").append(id).append('\t').append(id % 1000).append('\n');
        }
        return sb.toString();
    }

    /** A table without auto compaction (manual runs only) loaded {@code loads} times with {@code rows} rows. */
    CompactionHttpClient.CreatedTable table(String name, int buckets, int loads, int rows, Map<String, String> props) {
        Map<String, String> p = new HashMap<>(props);
        p.putIfAbsent("disable_auto_compaction", "true");
        var t = http.createTable(DB, name, "DUPLICATE_KEYS", buckets, p);
        for (int l = 0; l < loads; l++) {
            http.load(DB, name, rows(l, rows));
        }
        return t;
    }

    /** Holds merges (of one tablet, or of all when {@code tablet} is 0) once they read more than {@code afterRows}. */
    void hold(long tablet, long afterRows) {
        String q = "?after_rows=" + afterRows + (tablet > 0 ? "&tablet_id=" + tablet : "");
        JsonNode n = http.post("/api/debug_point/add/compaction.merge.hold" + q);
        assertEquals("OK", n.get("status").asText(), n::toString);
    }

    void release() {
        http.post("/api/debug_point/remove/compaction.merge.hold");
    }

    /** Triggers a manual compaction without waiting for it (the run endpoint waits up to 2 s). */
    void submit(long tablet, String type) {
        var status = server.node().compaction().submit(tablet,
                io.compactor.scheduler.CompactionType.fromDorisName(type), "MANUAL").toCompletableFuture().join();
        assertEquals(true, status.ok(), status::toString);
    }

    List<JsonNode> running() {
        List<JsonNode> out = new ArrayList<>();
        http.get("/api/compaction/running").get("running").forEach(out::add);
        return out;
    }

    /** The running compaction of the tablet once it has read rows (it is held mid-merge). */
    JsonNode awaitHeld(long tablet) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            for (JsonNode r : running()) {
                if (r.get("tablet_id").asLong() == tablet && r.get("rows_read").asLong() > 0) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    void awaitNothingRunning() {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> running().isEmpty()
                && http.metric("compactor_compaction_used_permits") == 0);
    }

    JsonNode explain(long tablet) {
        return http.get("/api/compaction/explain?tablet_id=" + tablet);
    }

    /** The kind's part of explain. */
    JsonNode explain(long tablet, String type) {
        for (JsonNode k : explain(tablet).get("kinds")) {
            if (k.get("type").asText().equals(type)) {
                return k;
            }
        }
        throw new AssertionError("no " + type + " in explain of " + tablet);
    }

    /** Every file under the node's data dir except the meta store's (segments, temp files, spills). */
    Set<String> dataFiles() {
        Path data = dir.resolve("data");
        try (Stream<Path> s = Files.walk(data)) {
            Set<String> out = new TreeSet<>();
            s.filter(Files::isRegularFile).forEach(f -> out.add(data.relativize(f).toString()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a client sees of a table: visible rowsets of each tablet and the rows in key order. */
    String visible(String table, List<Long> tablets) {
        StringBuilder sb = new StringBuilder();
        for (long t : tablets) {
            sb.append(t).append(http.rowsets(t)).append('\n');
        }
        return sb.append(http.scan(DB, table)).toString();
    }

    JsonNode lastProfile(long tablet) {
        return http.get("/api/compaction/profile?top_n=1&tablet_id=" + tablet).get("compaction_profiles").get(0);
    }

    @Override
    public void close() {
        server.close();
    }
}
