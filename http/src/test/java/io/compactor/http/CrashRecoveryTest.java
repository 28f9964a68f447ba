package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.storage.engine.FileAudit;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consistency rules 1 and 2 of docs/DESIGN.md under SIGKILL: a real server process is killed while stream loads are
 * in flight, restarted on the same directory, and checked: every load answered Success is fully
 * there, no load is partly there, and every segment file on disk belongs to a committed rowset.
 */
class CrashRecoveryTest {
    private static final int CLIENTS = 3;
    private static final int ROWS_PER_LOAD = 600;
    private static final int[] KILL_AFTER_SUCCESSES = {3, 7, 12};

    @TempDir
    Path root;
    @TempDir
    Path logs;
    private ServerProcess server;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    enum Outcome { SUCCESS, FAIL, NO_ANSWER }

    /** One load: its label, its unique keys {@code seq*ROWS_PER_LOAD + j}, and what the client saw. */
    record Load(String label, long seq, Outcome outcome, String answer) {
        long firstKey() {
            return seq * ROWS_PER_LOAD;
        }

        String body() {
            StringBuilder sb = new StringBuilder(ROWS_PER_LOAD * 24);
            for (int j = 0; j < ROWS_PER_LOAD; j++) {
                long key = firstKey() + j;
                sb.append(key).append('\t').append(seq).append('\t').append("r").append(key % 997).append('\n');
            }
            return sb.toString();
        }
    }

    @AfterEach
    void killServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void killDuringLoadsLosesNoAnsweredLoadAndLeavesNoPartialLoadOrOrphanFile() throws Exception {
        startServer();
        HttpTestClient http = new HttpTestClient(port);
        assertEquals(200, http.put("/api/db/crash", HttpTestClient.tableBody("UNIQUE_KEYS", 4)).status());

        List<Load> all = new ArrayList<>();
        Map<String, Boolean> visibleBefore = new HashMap<>();
        long nextSeq = 0;
        for (int round = 0; round < KILL_AFTER_SUCCESSES.length; round++) {
            if (round > 0) {
                startServer();
            }
            List<Load> loads = loadUntilKilled(round, nextSeq, KILL_AFTER_SUCCESSES[round]);
            nextSeq += 10_000;
            all.addAll(loads);

            startServer();
            System.out.println("round " + round + ": " + summary(loads) + "; after restart: " + recoveryLine());
            verifyLoads(new HttpTestClient(port), all, visibleBefore);
            // An idle kill (no load in flight) so the meta store can be opened here; recovery has
            // already run in the process just killed.
            kill();
            assertEveryDataFileIsReferencedByTheMeta();
        }
        assertTrue(all.stream().anyMatch(l -> l.outcome() == Outcome.NO_ANSWER),
                "some load was in flight at a kill: " + summary(all));
    }

    /** Runs CLIENTS threads of loads and kills the server once enough succeeded while others run. */
    private List<Load> loadUntilKilled(int round, long firstSeq, int killAfter) throws Exception {
        return server.loadUntilKilled(CLIENTS, firstSeq, killAfter,
                s -> send(new Load("crash-" + round + "-" + s, s, Outcome.NO_ANSWER, "")),
                l -> l.outcome() == Outcome.SUCCESS);
    }

    private Load send(Load load) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/db/crash/_stream_load"))
                .timeout(Duration.ofSeconds(60)).header("label", load.label())
                .PUT(HttpRequest.BodyPublishers.ofString(load.body(), StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode n = Json.MAPPER.readTree(r.body());
            String status = n.path("Status").asText();
            Outcome o = "Success".equals(status) ? Outcome.SUCCESS : Outcome.FAIL;
            return new Load(load.label(), load.seq(), o, r.body());
        } catch (IOException e) {
            return new Load(load.label(), load.seq(), Outcome.NO_ANSWER, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Load(load.label(), load.seq(), Outcome.NO_ANSWER, e.toString());
        }
    }

    /**
     * Success: every row there with its values. Fail: nothing. No answer: all or nothing, and the
     * same as at the previous restart.
     */
    private void verifyLoads(HttpTestClient http, List<Load> loads, Map<String, Boolean> visibleBefore) {
        HttpTestClient.Answer scan = http.get("/api/db/crash/_scan?format=json");
        assertEquals(200, scan.status(), scan.body());
        Map<Long, String> rows = new HashMap<>();
        for (JsonNode r : scan.json()) {
            rows.put(r.get("id").asLong(), r.get("v").asLong() + "\t" + r.get("s").asText());
        }
        long expectedRows = 0;
        for (Load l : loads) {
            int present = 0;
            for (int j = 0; j < ROWS_PER_LOAD; j++) {
                long key = l.firstKey() + j;
                String row = rows.get(key);
                if (row != null) {
                    assertEquals(l.seq() + "\tr" + key % 997, row, "row " + key + " of " + l.label());
                    present++;
                }
            }
            boolean visible = present == ROWS_PER_LOAD;
            assertTrue(present == 0 || visible, l.label() + " (" + l.outcome() + ") is partly visible: " + present
                    + " of " + ROWS_PER_LOAD + " rows");
            switch (l.outcome()) {
                case SUCCESS -> assertTrue(visible, l.label() + " answered Success but is not visible");
                case FAIL -> assertFalse(visible, l.label() + " answered Fail but is visible: " + l.answer());
                case NO_ANSWER -> {
                    Boolean before = visibleBefore.putIfAbsent(l.label(), visible);
                    if (before != null) {
                        assertEquals(before, visible, l.label() + " changed visibility across restarts");
                    }
                }
            }
            if (visible) {
                expectedRows += ROWS_PER_LOAD;
            }
        }
        assertEquals(expectedRows, rows.size(), "no row outside the recorded loads");
        assertEquals(expectedRows, http.get("/api/db/crash/_count").json().get("rows").asLong());
    }

    /** Opens the meta store of the stopped node: the *.dat files on disk are exactly its rowsets' segments. */
    private void assertEveryDataFileIsReferencedByTheMeta() throws IOException {
        FileAudit audit = FileAudit.of(root);
        assertEquals(List.of(), audit.tempFiles(), "no temp file survives recovery");
        assertFalse(audit.referenced().isEmpty());
        assertEquals(audit.referenced(), audit.onDisk(), "segment files on disk == segments the meta references");
    }

    private void startServer() throws IOException {
        if (server == null) {
            server = new ServerProcess(root, logs, "compactor.write_buffer_size=8192");
        }
        server.start();
        port = server.port();
    }

    private void kill() throws InterruptedException {
        server.kill();
    }

    /** The restarted node's "storage recovered: RecoveryReport[...]" line, for the test output. */
    private String recoveryLine() throws IOException {
        try (Stream<String> lines = Files.lines(server.lastLog())) {
            return lines.filter(l -> l.contains("storage recovered")).findFirst().orElse("(no recovery line)");
        }
    }

    private static String summary(List<Load> loads) {
        return loads.stream().collect(Collectors.groupingBy(Load::outcome, Collectors.counting())).toString();
    }
}
