package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.http.HttpTestClient.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real server processes form a cluster; one is killed with SIGKILL while the table is in
 * use. The two left keep the replicated table loadable and readable; the killed node, started
 * again on its data, rejoins with its placement and catches up with the loads it missed.
 */
class ClusterProcessTest {
    private static final Duration WITHIN = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private final Map<String, Process> processes = new HashMap<>();
    private final Map<String, Integer> httpPorts = new HashMap<>();
    private final Map<String, Integer> clusterPorts = new HashMap<>();
    private int starts;

    @AfterEach
    void killAll() throws InterruptedException {
        for (Process p : processes.values()) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() {
        return TestPorts.free();
    }

    private HttpTestClient http(String node) {
        return new HttpTestClient(httpPorts.get(node));
    }

    private void start(String node) throws IOException {
        httpPorts.putIfAbsent(node, freePort());
        clusterPorts.putIfAbsent(node, freePort());
        Path log = dir.resolve(node + "-" + (starts++) + ".log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-cp", System.getProperty("java.class.path"),
                "-Dcompactor.storage_root_path=" + dir.resolve(node),
                "-Dcompactor.webserver_port=" + httpPorts.get(node),
                "-Dcompactor.cluster_enabled=true",
                "-Dcompactor.cluster_host=127.0.0.1",
                "-Dcompactor.cluster_port=" + clusterPorts.get(node),
                "-Dcompactor.cluster_seed_nodes=127.0.0.1:" + clusterPorts.get("n1"),
                "-Dcompactor.cluster_down_after_seconds=3",
                "-Dcompactor.download_token=process-test-token-0123",
                "io.compactor.http.CompactorServer"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.put(node, p);
        HttpTestClient client = http(node);
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError(node + " exited:\n" + Files.readString(log));
            }
            return client.get("/api/health").status() == 200;
        });
    }

    private void kill(String node) throws InterruptedException {
        Process p = processes.remove(node);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    private int upMembers(String asked) {
        Answer a = http(asked).get("/api/cluster");
        int up = 0;
        for (JsonNode m : a.json().get("members")) {
            if ("Up".equals(m.get("status").asText()) && m.get("reachable").asBoolean()
                    && m.get("tablets") != null && !m.get("tablets").isNull()) {
                up++;
            }
        }
        return up == a.json().get("members").size() ? up : -1;
    }

    private static String rows(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append(i).append('\t').append(i).append('\t').append("r").append(i).append('\n');
        }
        return b.toString();
    }

    private String load(String via, String label, int from) {
        Answer a = http(via).put("/api/db/t/_stream_load", rows(from, 100), Map.of("label", label));
        assertEquals(200, a.status(), a.body());
        return a.json().get("Status").asText() + " " + a.json().get("Message").asText();
    }

    private long count(String via) {
        return http(via).get("/api/db/t/_count").json().get("rows").asLong();
    }

    /** End of the version chain of the node's own replica of each tablet (compaction/show is local). */
    private Map<Long, Long> localVersions(String node, List<Long> tablets) {
        Map<Long, Long> out = new HashMap<>();
        for (long t : tablets) {
            Answer a = http(node).get("/api/compaction/show?tablet_id=" + t);
            JsonNode rowsets = a.json().get("rowsets");
            String last = rowsets.get(rowsets.size() - 1).asText();
            out.put(t, Long.parseLong(last.substring(last.indexOf('-') + 1, last.indexOf(']'))));
        }
        return out;
    }

    @Test
    void killingOneNodeKeepsTheTableLoadableAndTheNodeCatchesUpWhenItReturns() throws Exception {
        clusterPorts.put("n1", freePort());
        for (String n : List.of("n1", "n2", "n3")) {
            start(n);
        }
        await().atMost(WITHIN).ignoreExceptions().until(() -> upMembers("n1") == 3 && upMembers("n3") == 3);
        Answer created = http("n2").put("/api/db/t", "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":["
                + "{\"name\":\"id\",\"type\":\"BIGINT\"},{\"name\":\"v\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"s\",\"type\":\"VARCHAR(16)\"}],\"key_columns\":[\"id\"],\"buckets\":2,"
                + "\"replication_num\":3}");
        assertEquals(200, created.status(), created.body());
        List<Long> tablets = new ArrayList<>();
        created.json().get("tablets").forEach(t -> tablets.add(t.asLong()));

        assertEquals("Success OK", load("n1", "k0", 0));
        assertEquals("Success OK", load("n3", "k1", 100));
        kill("n3");
        await().atMost(WITHIN).ignoreExceptions().until(() -> upMembers("n1") == 2);

        for (int i = 2; i < 6; i++) {
            assertEquals("Success OK", load(i % 2 == 0 ? "n1" : "n2", "k" + i, i * 100));
        }
        assertEquals(600, count("n1"));
        assertEquals(600, count("n2"));

        start("n3");
        await().atMost(WITHIN).ignoreExceptions().until(() -> upMembers("n1") == 3);
        Map<Long, Long> want = localVersions("n1", tablets);
        await().atMost(WITHIN).ignoreExceptions().until(() -> localVersions("n3", tablets).equals(want));
        assertEquals(600, count("n3"));
        assertEquals("Success OK", load("n3", "k6", 600));
        for (String n : List.of("n1", "n2", "n3")) {
            assertEquals(700, count(n));
        }
        assertEquals(localVersions("n1", tablets), localVersions("n3", tablets));
    }
}
