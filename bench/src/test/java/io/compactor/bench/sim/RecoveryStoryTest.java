package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recovery story against a scripted fake node: the HTTP conversation, not the storage engine. */
class RecoveryStoryTest {
    private HttpServer server;
    private final AtomicBoolean fault = new AtomicBoolean();
    private final AtomicBoolean repaired = new AtomicBoolean();
    private final AtomicInteger polls = new AtomicInteger();
    private final Set<Long> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean duplicatesWhileFaulty = true;
    private volatile boolean withCheckTablet = true;

    private URI start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String q = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
        byte[] body = ex.getRequestBody().readAllBytes();
        String answer;
        int code = 200;
        if (path.equals("/api/db/recovery_0")) {
            answer = "{\"table_id\":7,\"tablets\":[{\"tablet_id\":70,\"version_count\":3},{\"tablet_id\":71}]}";
        } else if (path.equals("/api/check_tablet") && withCheckTablet) {
            long dups = fault.get() || (duplicatesWhileFaulty && !repaired.get() && polls.get() > 0) ? 3 : 0;
            answer = "{\"status\":\"Success\",\"tablet_id\":70,\"rows\":1,\"duplicate_keys\":" + dups + "}";
        } else if (path.startsWith("/api/debug_point/")) {
            fault.set(path.contains("/add/"));
            if (fault.get()) {
                polls.incrementAndGet();
            }
            answer = "{\"status\":\"OK\",\"msg\":\"\"}";
        } else if (path.equals("/api/db/recovery_0/_stream_load")) {
            for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    keys.add(Long.parseLong(line.substring(0, line.indexOf(','))));
                }
            }
            answer = "{\"Status\":\"Success\",\"Message\":\"OK\"}";
        } else if (path.equals("/api/db/recovery_0/_count")) {
            long extra = duplicatesWhileFaulty && polls.get() > 0 && !repaired.get() ? 6 : 0;
            answer = "{\"rows\":" + (keys.size() + extra) + "}";
        } else if (path.equals("/api/compaction/run")) {
            assertEquals("table_id=7&compact_type=full", q);
            repaired.set(true);
            answer = "{\"status\":\"Success\",\"msg\":\"compaction task is successfully triggered. Table id: 7. Tablet id: 0\"}";
        } else if (path.equals("/api/compaction/run_status")) {
            answer = "{\"status\":\"Success\",\"run_status\":false}";
        } else if (path.equals("/api/compaction/show")) {
            answer = "{\"last full success time\":\"" + (repaired.get() ? "2024-01-01 00:00:01.000" : "1970-01-01 00:00:00.000")
                    + "\"}";
        } else {
            code = 404;
            answer = "{\"status\":\"Fail\",\"msg\":\"The requested resource could not be found.\"}";
        }
        byte[] out = answer.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, out.length);
        ex.getResponseBody().write(out);
        ex.close();
    }

    private RecoveryStory story(URI uri, List<String> notes) {
        SimOptions o = SimOptions.parse(new String[] {"recovery", "--db", "db", "--duration", "300ms", "--rate", "20",
                "--rows-per-load", "20", "--hot-keys", "50", "--timeout", "5s"});
        NodeClient client = new NodeClient(uri, "root", null);
        LoadDriver driver = new LoadDriver(client, "db", "t", new LoadStats(), System.nanoTime());
        Progress progress = new Progress(new PrintStream(new ByteArrayOutputStream()), false, 5);
        return new RecoveryStory(client, o, (Workload.Upsert) Workload.of(o), driver, progress, notes, "recovery_0");
    }

    @Test
    void duplicatesAppearWithTheFaultAndFullCompactionRemovesThem() throws Exception {
        List<String> notes = new ArrayList<>();
        story(start(), notes).run();
        String all = String.join("\n", notes);
        assertTrue(all.contains("3. debug point off: duplicate_keys=6 _count=56 distinct keys loaded=50"), all);
        assertTrue(all.contains("compact_type=full: Success"), all);
        assertTrue(all.contains("duplicate_keys=0 _count=50 distinct keys loaded=50 -> recovered"), all);
    }

    @Test
    void aMissingCheckTabletEndpointIsNamed() throws Exception {
        withCheckTablet = false;
        URI uri = start();
        var e = assertThrows(NodeClient.EndpointMissingException.class, () -> story(uri, new ArrayList<>()).run());
        assertTrue(e.getMessage().contains("GET /api/check_tablet"), e.getMessage());
        assertEquals(0, keys.size(), "no load before the preflight passed");
    }

    @Test
    void aFaultWithoutDuplicatesFailsInsteadOfFakingSuccess() throws Exception {
        duplicatesWhileFaulty = false;
        fault.set(false);
        URI uri = start();
        // the fake reports duplicates only while the point is on; after "remove" it shows none
        var e = assertThrows(RecoveryStory.StoryFailed.class, () -> story(uri, new ArrayList<>()).run());
        assertTrue(e.getMessage().contains("produced no duplicates"), e.getMessage());
    }
}
