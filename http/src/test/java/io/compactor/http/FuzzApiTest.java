package io.compactor.http;

import static io.compactor.http.HttpTestClient.tableBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input against every endpoint of docs/API.md: malformed, missing, huge, negative,
 * overflowing and non-UTF-8 parameters, wrong methods and content types, oversized bodies,
 * names with path separators or "..", raw malformed HTTP. Every answer is below 500 (a 4xx or a
 * Doris error JSON with HTTP 200) and comes within the client timeout; afterwards the data is
 * exactly as before, and malformed stream loads committed nothing.
 */
class FuzzApiTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String[] BAD_VALUES = {"", "-1", "0", "abc", "1.5", "1e3", " 7", "+7", "0x10",
            "99999999999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "%FF%FE%FD", "%00", "%C3%28", "..%2F..%2Fetc%2Fpasswd", "true", "null", "%E2%82%AC", "a".repeat(20_000)};
    private static final String[] BAD_NAMES = {"..", ".", "%2E%2E", "a%2Fb", "..%2F..%2Fetc", "a%5Cb", "%FF", "%00",
            "db.t", "a%20b", "x".repeat(300), "1abc", "_x", "%E2%82%AC"};

    @TempDir
    static Path dir;
    private static CompactorServer server;
    private static HttpTestClient http;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> problems = new ArrayList<>();
    private static long tablet;

    @BeforeAll
    static void start() {
        server = CompactorServer.start(ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.streaming_load_max_mb", 1,
                "compactor.write_buffer_size", 4096)).withFallback(ConfigFactory.load()));
        http = new HttpTestClient(server.port());
        assertEquals(200, http.put("/api/fz/dup", tableBody("DUPLICATE_KEYS", 2)).status());
        Answer mow = http.put("/api/fz/mow", tableBody("UNIQUE_KEYS", 2));
        assertEquals(200, mow.status());
        tablet = mow.json().get("tablets").get(0).asLong();
        for (String t : List.of("dup", "mow")) {
            for (int l = 0; l < 3; l++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 500; i++) {
                    sb.append(l * 300 + i).append('\t').append(i).append('\t').append("v").append(l).append('\n');
                }
                assertEquals("Success", http.put("/api/fz/" + t + "/_stream_load", sb.toString()).text("Status"));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String snapshot() {
        return http.get("/api/fz/dup/_scan").body() + "|" + http.get("/api/fz/mow/_scan").body() + "|"
                + http.get("/api/fz/dup/_count").body() + http.get("/api/fz/mow/_count").body() + "|"
                + http.get("/api/tables").body();
    }

    /** Sends one request; records a problem for a 5xx, a hang or a non-JSON error body. */
    private static void probe(String method, String pathAndQuery, byte[] body, Map<String, String> headers) {
        String what = method + " " + abbreviate(pathAndQuery);
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery)).timeout(TIMEOUT);
        } catch (IllegalArgumentException e) {
            rawProbe((method + " " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return;
        }
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            HttpResponse<String> r;
            try {
                r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException dropped) {
                // After answering a hostile request early (e.g. 413 before reading a 2 MB body) the
                // server closes that connection; the client may already have picked it from its
                // pool for this request, which then gets no bytes. Such a request was never read,
                // so one retry on a new connection is safe; a second failure is a real problem.
                r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            }
            check(what, r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            problems.add(what + ": no answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void check(String what, int status, String body, String contentType) {
        if (status >= 500) {
            problems.add(what + ": HTTP " + status + " " + abbreviate(body));
        } else if (status != 200 && contentType.contains("json") && !body.contains("\"status\"")) {
            problems.add(what + ": error without a status: HTTP " + status + " " + abbreviate(body));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "...(" + s.length() + " chars)" : s;
    }

    /** Writes raw bytes on a socket; the answer's status line must be below 500, and must come. */
    private static void rawProbe(byte[] request) {
        String what = "raw " + abbreviate(new String(request, 0, Math.min(request.length, 80), StandardCharsets.ISO_8859_1)
                .replace("\r\n", "\\r\\n"));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // The server may close early on an oversized request; its answer is still readable.
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1 && c != '\n') {
                head.write(c);
            }
            String statusLine = head.toString(StandardCharsets.ISO_8859_1).trim();
            if (statusLine.isEmpty()) {
                return; // closed without an answer: the request was not HTTP; nothing was served
            }
            String[] parts = statusLine.split(" ");
            int status = parts.length > 1 ? Integer.parseInt(parts[1]) : 999;
            if (status >= 500) {
                problems.add(what + ": " + statusLine);
            }
        } catch (SocketTimeoutException e) {
            problems.add(what + ": hang (no answer in " + TIMEOUT + ")");
        } catch (IOException e) {
            // reset by the server: refused, not served
        }
    }

    private static void get(String p) {
        probe("GET", p, null, Map.of());
    }

    private static void post(String p) {
        probe("POST", p, new byte[0], Map.of());
    }

    @Test
    void hostileRequestsGetClientErrorsAndChangeNothing() {
        String before = snapshot();
        String[] tabletParams = {"tablet_id", "table_id"};
        for (String v : BAD_VALUES) {
            for (String type : new String[] {"cumulative", "base", "full", "", v}) {
                for (String p : tabletParams) {
                    post("/api/compaction/run?" + p + "=" + v + "&compact_type=" + type);
                }
                post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=" + type + "&remote=" + v);
            }
            post("/api/compaction/run?tablet_id=" + v + "&table_id=" + v);
            get("/api/compaction/show?tablet_id=" + v);
            get("/api/compaction/run_status?tablet_id=" + v);
            get("/api/compaction_score?top_n=" + v);
            get("/api/compaction/profile?tablet_id=" + v + "&top_n=" + v + "&compact_type=" + v + "&success=" + v);
            get("/api/compaction/profile?top_n=" + v);
            get("/api/delete_bitmap/count_local?tablet_id=" + v + "&verbose=" + v);
            get("/api/check_tablet?tablet_id=" + v);
            post("/api/check_tablet_segment_lost?repair=" + v);
            get("/api/show_config?conf_item=" + v);
            post("/api/update_config?max_cumu_compaction_threads=" + v);
            post("/api/update_config?disable_auto_compaction=" + v);
            post("/api/update_config?" + v + "=1");
            post("/api/debug_point/add/" + (v.isEmpty() ? "x" : v) + "?execute=" + v + "&timeout=" + v);
            post("/api/debug_point/remove/" + (v.isEmpty() ? "x" : v));
            get("/api/fz/dup/_scan?limit=" + v + "&format=" + v);
            get("/api/fz/dup/_get?id=" + v);
            get("/api/fz/mow/_get?v=" + v);
        }
        for (String name : BAD_NAMES) {
            for (String path : new String[] {"/api/" + name + "/dup", "/api/fz/" + name}) {
                probe("PUT", path, tableBody("DUPLICATE_KEYS", 1).getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/json"));
                get(path);
                probe("DELETE", path, null, Map.of());
                get(path + "/_count");
                get(path + "/_scan");
                probe("PUT", path + "/_stream_load", "1\t2\tx\n".getBytes(StandardCharsets.UTF_8), Map.of());
                probe("PUT", path + "/_properties", "{\"disable_auto_compaction\":\"true\"}".getBytes(
                        StandardCharsets.UTF_8), Map.of());
            }
        }
        // Wrong methods on every endpoint.
        for (String p : new String[] {"/api/compaction/run", "/api/compaction/show", "/api/compaction/run_status",
                "/api/compaction_score", "/api/compaction/profile", "/api/delete_bitmap/count_local",
                "/api/check_tablet", "/api/check_tablet_segment_lost", "/api/health", "/metrics", "/api/show_config",
                "/api/update_config", "/api/debug_point/clear", "/api/tables", "/api/fz/dup/_count",
                "/api/fz/dup/_stream_load", "/api/fz/dup/_properties", "/api/cluster", "/api/nope", "/", "/api"}) {
            for (String m : new String[] {"GET", "POST", "PATCH", "OPTIONS", "TRACE"}) {
                probe(m, p, m.equals("GET") || m.equals("TRACE") ? null : new byte[0], Map.of());
            }
        }
        hostileBodies();
        rawRequests();
        assertEquals(List.of(), problems, problems.size() + " problems");
        assertEquals(before, snapshot(), "hostile requests changed the data");
    }

    private void hostileBodies() {
        byte[][] bodies = {new byte[0], "null".getBytes(), "[]".getBytes(), "{".getBytes(), "\"x\"".getBytes(),
                {(byte) 0xff, (byte) 0xfe, 0, 1}, "{\"keys_type\":\"UNIQUE_KEYS\",\"columns\":[]}".getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"VARCHAR(99999999999)\"}],\"buckets\":-1}").getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"BIGINT\"}],\"buckets\":99999999999}").getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"BIGINT\"}],\"buckets\":2147483647}").getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"BIGINT\"}],\"key_columns\":[\"zz\"]}").getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"BIGINT\"}],\"replication_num\":\"x\"}").getBytes(),
                ("{\"columns\":[{\"name\":\"a\",\"type\":\"BIGINT\"}],\"properties\":{\"compaction_policy\":[1]}}")
                        .getBytes(),
                "[".repeat(100_000).getBytes(), ("{\"a\":" + "9".repeat(100_000) + "}").getBytes(),
                new byte[2 << 20]};
        for (byte[] b : bodies) {
            for (String ct : new String[] {"application/json", "text/plain", "application/xml",
                    "multipart/form-data; boundary=x", "application/octet-stream"}) {
                probe("PUT", "/api/fz/created", b, Map.of("Content-Type", ct));
                probe("PUT", "/api/fz/dup/_properties", b, Map.of("Content-Type", ct));
                probe("PUT", "/api/fz/dup", b, Map.of("Content-Type", ct));
            }
        }
        // Malformed stream loads: never Success, never partly committed.
        String good = "1\t2\tx\n";
        Object[][] loads = {
                {good + "not-a-number\t1\tx\n", Map.of()},
                {good + "1\t2\n", Map.of()},
                {good + "1\t2\t" + "y".repeat(100) + "\n", Map.of()},
                {good + "99999999999999999999999\t1\tx\n", Map.of()},
                {"{\"id\":1,\"v\":2,\"s\":\"x\"}\n{\"id\":\"x\"}\n", Map.of("format", "json")},
                {"[{\"id\":1,\"v\":2,\"s\":\"x\"},{\"id\":", Map.of("format", "json")},
                {"{\"id\":1,\"v\":2,\"s\":\"x\"}\n" + "[".repeat(50_000), Map.of("format", "json")},
                {good + "\u00ff\u00fe\t1\tx\n", Map.of()},
                {good, Map.of("format", "xml")},
                {good, Map.of("column_separator", "\\x")},
                {good, Map.of("columns", "nope,v,s")},
                {good, Map.of("columns", "id,id,id")},
                {good + "x\t\t\n", Map.of("max_filter_ratio", "-1")},
                {good + "x\t\t\n", Map.of("max_filter_ratio", "abc")},
                {good + "x\t\t\n", Map.of("max_filter_ratio", "NaN")},
                {good + "x\t\t\n", Map.of("label", "l".repeat(10_000))},
                {"9".repeat(1_500_000), Map.of()},
        };
        for (String table : new String[] {"dup", "mow"}) {
            for (Object[] l : loads) {
                @SuppressWarnings("unchecked")
                Map<String, String> headers = (Map<String, String>) l[1];
                byte[] body = ((String) l[0]).getBytes(StandardCharsets.UTF_8);
                probe("PUT", "/api/fz/" + table + "/_stream_load", body, headers);
                Answer a = http.send("PUT", "/api/fz/" + table + "/_stream_load", (String) l[0], headers);
                if (a.status() == 200 && "Success".equals(a.json().path("Status").asText())) {
                    problems.add("malformed load committed: " + headers + " " + abbreviate((String) l[0]));
                }
            }
            byte[] nonUtf8 = {'1', '\t', '2', '\t', (byte) 0xc3, (byte) 0x28, '\n'};
            probe("PUT", "/api/fz/" + table + "/_stream_load", nonUtf8, Map.of());
        }
    }

    private void rawRequests() {
        List<byte[]> raw = new ArrayList<>();
        raw.add("FOO /api/tables HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("GET /api/tables HTTP/9.9\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("GET /api/tables\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("\r\n\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("GET /api/fz/\u00ff\u00fe/_count HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("GET /api/fz/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add("GET /api/compaction/show?tablet_id=%zz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("GET /api/tables?" + "q".repeat(200_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("GET /api/tables HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(200_000) + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        StringBuilder many = new StringBuilder("GET /api/tables HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 2000; i++) {
            many.append("X-H").append(i).append(": v\r\n");
        }
        raw.add(many.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("PUT /api/fz/dup/_stream_load HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nabc\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("PUT /api/fz/dup/_stream_load HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("PUT /api/fz/dup/_stream_load HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("PUT /api/fz/dup/_stream_load HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("GET /api/tables HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %%%%\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("GET /api/tables HTTP/1.1\r\nHost: x\r\nContent-Type: \u00ff/\u00fe\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        raw.add(("PUT /api/fz/dup/_stream_load HTTP/1.1\r\nHost: x\r\nlabel: \u00ff\u00fe\r\nformat: \u00ff\r\n"
                + "Content-Length: 6\r\n\r\n1\t2\tx\n").getBytes(StandardCharsets.ISO_8859_1));
        for (byte[] r : raw) {
            rawProbe(r);
        }
    }

    @Test
    void anOversizedStreamLoadIsRefusedAndCommitsNothing() {
        long before = http.get("/api/fz/dup/_count").json().get("rows").asLong();
        StringBuilder sb = new StringBuilder();
        while (sb.length() < (3 << 20)) {
            sb.append(sb.length()).append("\t1\tx\n");
        }
        Answer a = http.put("/api/fz/dup/_stream_load", sb.toString());
        assertTrue(a.status() < 500, a.body());
        assertTrue(a.status() == 413 || a.body().contains("Fail"), a.body());
        assertEquals(before, http.get("/api/fz/dup/_count").json().get("rows").asLong());
    }
}
