package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit's async_mode under SIGKILL: a real server process is killed while async loads stream
 * in (some internal loads committed, others only in the WAL), restarted on the same directory, and
 * checked once the WAL replay is done: every load answered Success is visible exactly once (the
 * table has duplicate keys, so a load applied twice would show its rows twice), a load answered Fail
 * is not, and a load without an answer is there whole or not at all. A second kill right after a
 * restart (during the replay) and a restart after it must not apply anything twice either.
 */
class GroupCommitCrashTest {
    private static final int CLIENTS = 4;
    private static final int ROWS_PER_LOAD = 20;

    @TempDir
    Path root;
    @TempDir
    Path logs;
    private ServerProcess server;
    private int port;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    enum Outcome { SUCCESS, FAIL, NO_ANSWER }

    record Load(long seq, Outcome outcome, String answer) {
        String body() {
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < ROWS_PER_LOAD; j++) {
                long key = seq * ROWS_PER_LOAD + j;
                sb.append(key).append('\t').append(seq).append('\t').append('r').append(key % 97).append('\n');
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
    void killDuringAsyncLoadsLosesNoAcknowledgedLoadAndReplaysNoneTwice() throws Exception {
        startServer();
        HttpTestClient http = new HttpTestClient(port);
        String table = HttpTestClient.tableBody("DUPLICATE_KEYS", 8).replaceFirst("}$",
                ",\"properties\":{\"group_commit_interval_ms\":\"400\"}}");
        assertEquals(200, http.put("/api/db/gc", table).status());

        List<Load> all = new ArrayList<>(loadUntilKilled(0, 60));
        System.out.println("killed with " + walFiles().size() + " WAL file(s) left; " + all.size() + " loads sent");
        startServer();
        awaitSuccessesVisible(all);
        verify(all);
        // Kill again right after a restart, while the replay may still be committing.
        all.addAll(loadUntilKilled(100_000, 30));
        startServer();
        kill();
        startServer();
        awaitSuccessesVisible(all);
        verify(all);
        kill();
        startServer();
        verify(all);
        assertTrue(all.stream().anyMatch(l -> l.outcome() == Outcome.SUCCESS));
    }

    private List<Load> loadUntilKilled(long firstSeq, int killAfter) throws Exception {
        return server.loadUntilKilled(CLIENTS, firstSeq, killAfter, s -> send(new Load(s, Outcome.NO_ANSWER, "")),
                l -> l.outcome() == Outcome.SUCCESS);
    }

    private Load send(Load load) {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/db/gc/_stream_load"))
                .timeout(Duration.ofSeconds(60)).header("group_commit", "async_mode")
                .PUT(HttpRequest.BodyPublishers.ofString(load.body(), StandardCharsets.UTF_8)).build();
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            JsonNode n = Json.MAPPER.readTree(r.body());
            Outcome o = "Success".equals(n.path("Status").asText()) ? Outcome.SUCCESS : Outcome.FAIL;
            if (o == Outcome.SUCCESS && !n.path("GroupCommit").asBoolean()) {
                throw new AssertionError("a group commit answer without GroupCommit: " + r.body());
            }
            return new Load(load.seq(), o, r.body());
        } catch (IOException e) {
            return new Load(load.seq(), Outcome.NO_ANSWER, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Load(load.seq(), Outcome.NO_ANSWER, e.toString());
        }
    }

    private Map<Long, Integer> rowsByKey() {
        HttpTestClient.Answer scan = new HttpTestClient(port).get("/api/db/gc/_scan?format=json");
        assertEquals(200, scan.status(), scan.body());
        Map<Long, Integer> times = new HashMap<>();
        for (JsonNode r : scan.json()) {
            long key = r.get("id").asLong();
            assertEquals(key / ROWS_PER_LOAD, r.get("v").asLong(), "row " + key);
            assertEquals("r" + key % 97, r.get("s").asText(), "row " + key);
            times.merge(key, 1, Integer::sum);
        }
        return times;
    }

    private void awaitSuccessesVisible(List<Load> loads) {
        long successes = loads.stream().filter(l -> l.outcome() == Outcome.SUCCESS).count();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            Map<Long, Integer> rows = rowsByKey();
            return loads.stream().filter(l -> l.outcome() == Outcome.SUCCESS)
                    .filter(l -> rows.containsKey(l.seq() * ROWS_PER_LOAD)).count() == successes;
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> walFiles().isEmpty());
    }

    private void verify(List<Load> loads) {
        Map<Long, Integer> rows = rowsByKey();
        long expected = 0;
        for (Load l : loads) {
            int present = 0;
            for (int j = 0; j < ROWS_PER_LOAD; j++) {
                Integer n = rows.get(l.seq() * ROWS_PER_LOAD + j);
                if (n != null) {
                    assertEquals(1, n, "load " + l.seq() + " (" + l.outcome() + ") applied " + n + " times");
                    present++;
                }
            }
            assertTrue(present == 0 || present == ROWS_PER_LOAD, "load " + l.seq() + " is partly visible");
            switch (l.outcome()) {
                case SUCCESS -> assertEquals(ROWS_PER_LOAD, present, "acknowledged load " + l.seq() + " lost");
                case FAIL -> assertEquals(0, present, "load " + l.seq() + " answered Fail but is visible: "
                        + l.answer());
                case NO_ANSWER -> { }
            }
            expected += present;
        }
        assertEquals(expected, rows.size(), "no row outside the recorded loads");
    }

    private List<Path> walFiles() throws IOException {
        Path wal = root.resolve("wal");
        if (!Files.isDirectory(wal)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(wal)) {
            return s.toList();
        }
    }

    private void startServer() throws IOException {
        if (server == null) {
            server = new ServerProcess(root, logs);
        }
        server.start();
        port = server.port();
    }

    private void kill() throws InterruptedException {
        server.kill();
    }
}
