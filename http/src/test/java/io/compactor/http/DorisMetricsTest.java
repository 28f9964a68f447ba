package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics of a loaded node: Doris BE's families under their names, and valid for {@code promtool check metrics}. */
class DorisMetricsTest {
    @TempDir
    static Path dir;
    private static CompactorServer server;
    private static HttpTestClient http;

    @BeforeAll
    static void startLoadedNode() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0)).withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
        assertEquals(200, http.put("/api/db/m", HttpTestClient.tableBody("UNIQUE_KEYS", 2)).status());
        for (int i = 0; i < 6; i++) {
            Answer a = http.put("/api/db/m/_stream_load", i + "\t" + i + "\tx\n" + (i + 100) + "\t1\ty\n", Map.of());
            assertEquals("Success", a.json().get("Status").asText(), a.body());
        }
        long tablet = http.get("/api/db/m").json().get("tablets").get(0).get("tablet_id").asLong();
        http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=full");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> metrics().contains(
                "doris_be_engine_requests_total{type=\"full_compaction\",status=\"total\"} 1"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String metrics() {
        return http.get("/metrics").body();
    }

    @Test
    void dorisFamiliesAreExposedWithTheirLabels() {
        String m = metrics();
        for (String family : new String[] {"doris_be_compaction_deltas_total{type=\"full\"}",
                "doris_be_compaction_bytes_total{type=\"base\"}", "doris_be_compaction_rows_total{type=\"cumulative\"}",
                "doris_be_tablet_cumulative_max_compaction_score ", "doris_be_tablet_base_max_compaction_score ",
                "doris_be_compaction_used_permits ", "doris_be_compaction_waitting_permits ",
                "doris_be_compaction_task_state_total{type=\"running\"}",
                "doris_be_engine_requests_total{type=\"cumulative_compaction\",status=\"failed\"}",
                "doris_be_tablet_version_num_distribution_bucket{le=\"+Inf\"} 2", "doris_be_all_rowsets_num ",
                "doris_be_all_segments_num ", "doris_be_load_rows 12", "doris_be_load_bytes ",
                "doris_be_stream_load{type=\"receive_bytes\"}", "doris_be_streaming_load_requests_total 6",
                "doris_be_streaming_load_current_processing 0"}) {
            assertTrue(m.contains(family), family + " in\n" + m);
        }
    }

    @Test
    void promtoolCheckMetricsPasses() throws IOException, InterruptedException {
        Path promtool = Path.of("/usr/bin/promtool");
        if (!Files.isExecutable(promtool)) {
            String onPath = System.getenv("PATH") == null ? "" : System.getenv("PATH");
            for (String p : onPath.split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(p, "promtool"))) {
                    promtool = Path.of(p, "promtool");
                }
            }
        }
        boolean present = Files.isExecutable(promtool);
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(present, "promtool is required in CI (.ci/run installs Debian's prometheus package)");
        }
        Assumptions.assumeTrue(present, "promtool not installed (apt-get install prometheus)");
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(metrics().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
        assertEquals(0, p.exitValue(), "promtool check metrics:\n" + out + "\non:\n" + metrics());
    }
}
