package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Doris's stream-load headers against a node over HTTP: every header Doris knows is implemented
 * or answers Fail naming it; CSV details, strict mode, where, compression, the answer's fields.
 */
class StreamLoadHeadersHttpTest {
    @TempDir
    static Path dir;
    private static CompactorServer server;
    private static HttpTestClient http;

    @BeforeAll
    static void startServer() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0)).withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static void create(String table, String keysType) {
        Answer a = http.put("/api/db/" + table, HttpTestClient.tableBody(keysType, 2));
        assertEquals(200, a.status(), a.body());
    }

    static JsonNode load(String table, String body, Map<String, String> headers) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, headers);
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    static String scan(String table) {
        Answer a = http.get("/api/db/" + table + "/_scan");
        assertEquals(200, a.status(), a.body());
        return a.body();
    }

    @Test
    void everyDorisHeaderIsImplementedOrAnswersFailNamingIt() {
        create("hdr", "UNIQUE_KEYS");
        for (StreamLoadHeaders.Header h : StreamLoadHeaders.ALL.values()) {
            if (h.handling() == StreamLoadHeaders.Handling.REFUSED) {
                JsonNode r = load("hdr", "1\t1\ta\n", Map.of(h.name(), "x"));
                assertEquals("Fail", r.get("Status").asText(), h.name() + ": " + r);
                assertTrue(r.get("Message").asText().startsWith("[NOT_IMPLEMENTED_ERROR]header '" + h.name() + "'"),
                        r.toString());
            } else if (h.handling() == StreamLoadHeaders.Handling.DEFAULT_ONLY) {
                JsonNode ok = load("hdr", "1\t1\ta\n", Map.of(h.name(), h.detail()));
                assertEquals("Success", ok.get("Status").asText(), h.name() + ": " + ok);
                JsonNode r = load("hdr", "1\t1\ta\n", Map.of(h.name(), h.detail().equals("1") ? "4" : "true"));
                assertEquals("Fail", r.get("Status").asText(), h.name() + ": " + r);
                assertTrue(r.get("Message").asText().startsWith("[NOT_IMPLEMENTED_ERROR]header '" + h.name() + "'"),
                        r.toString());
            }
        }
        assertEquals("1", count("hdr"), "only the loads with Doris's default values loaded their row (key 1)");
    }

    @Test
    void unknownHeadersAreIgnoredAndEmptyValuesAreAbsent() {
        create("unknown", "DUPLICATE_KEYS");
        JsonNode r = load("unknown", "1\t1\ta\n", Map.of("x-not-doris", "1", "partitions", "", "merge_type", "",
                "format", ""));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        assertEquals(1, r.get("NumberLoadedRows").asLong());
    }

    @Test
    void theAnswerHasDorisFieldsInDorisOrder() {
        create("answer", "DUPLICATE_KEYS");
        Answer a = http.put("/api/db/answer/_stream_load", "1\t1\ta\n", Map.of("label", "ans1", "comment", "hello"));
        String[] order = {"TxnId", "Label", "Comment", "TwoPhaseCommit", "Status", "Message", "NumberTotalRows",
                "NumberLoadedRows", "NumberFilteredRows", "NumberUnselectedRows", "LoadBytes", "LoadTimeMs",
                "BeginTxnTimeMs", "StreamLoadPutTimeMs", "ReadDataTimeMs", "WriteDataTimeMs", "CommitAndPublishTimeMs"};
        int at = -1;
        for (String k : order) {
            int i = a.body().indexOf("\"" + k + "\": ");
            assertTrue(i > at, k + " in order in " + a.body());
            at = i;
        }
        assertEquals("hello", a.json().get("Comment").asText());
        assertEquals("false", a.json().get("TwoPhaseCommit").asText());
        JsonNode again = load("answer", "1\t1\ta\n", Map.of("label", "ans1"));
        assertEquals("Label Already Exists", again.get("Status").asText());
        assertEquals("[LABEL_ALREADY_EXISTS]Label [ans1] has already been used, relate to txn ["
                + a.json().get("TxnId").asLong() + "]", again.get("Message").asText());
    }

    @Test
    void quotedCsvKeepsSeparatorsAndNewlinesInsideQuotes() {
        create("quoted", "DUPLICATE_KEYS");
        JsonNode r = load("quoted", "1,2,\"a,b\"\n2,3,\"line\nbreak\"\n3,4,\"say \"\"hi\"\"\"\n",
                Map.of("column_separator", ",", "enclose", "\""));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        assertEquals(3, r.get("NumberLoadedRows").asLong());
        JsonNode rows = http.get("/api/db/quoted/_scan?format=json").json();
        assertEquals("a,b", rows.get(0).get("s").asText());
        assertEquals("line\nbreak", rows.get(1).get("s").asText());
        assertEquals("say \"hi\"", rows.get(2).get("s").asText());
        JsonNode esc = load("quoted", "4,5,\"x\\\"y\"\n", Map.of("column_separator", ",", "enclose", "\"",
                "escape", "\\"));
        assertEquals(1, esc.get("NumberLoadedRows").asLong(), esc.toString());
        JsonNode bad = load("quoted", "5,5,x\n", Map.of("column_separator", ",", "enclose", "ab"));
        assertEquals("[INVALID_ARGUMENT]enclose must be single-char, actually is ab", bad.get("Message").asText());
    }

    @Test
    void trimDoubleQuotesSkipLinesAndCsvWithNames() {
        create("skips", "DUPLICATE_KEYS");
        JsonNode r = load("skips", "junk line\nmore junk\n1,1,\"q\"\n", Map.of("column_separator", ",",
                "skip_lines", "2", "trim_double_quotes", "true"));
        assertEquals(1, r.get("NumberLoadedRows").asLong(), r.toString());
        assertEquals(1, r.get("NumberTotalRows").asLong());
        assertEquals("1\t1\tq\n", scan("skips"));
        JsonNode names = load("skips", "id,v,s\n2,2,b\n", Map.of("column_separator", ",", "format", "csv_with_names"));
        assertEquals(1, names.get("NumberLoadedRows").asLong(), names.toString());
        JsonNode types = load("skips", "id,v,s\nBIGINT,BIGINT,VARCHAR\n3,3,c\n", Map.of("column_separator", ",",
                "format", "csv_with_names_and_types"));
        assertEquals(1, types.get("NumberLoadedRows").asLong(), types.toString());
        assertEquals("[INVALID_ARGUMENT]Invalid 'skip_lines': -1",
                load("skips", "1,1,a\n", Map.of("skip_lines", "-1")).get("Message").asText());
    }

    @Test
    void strictModeFalseTurnsBadValuesIntoNullAndTrueFiltersThem() {
        create("strict", "DUPLICATE_KEYS");
        JsonNode lax = load("strict", "1\tnot-a-number\ta\n", Map.of());
        assertEquals("Success", lax.get("Status").asText(), lax.toString());
        assertEquals(1, lax.get("NumberLoadedRows").asLong());
        assertEquals("1\t\\N\ta\n", scan("strict"));
        JsonNode strict = load("strict", "2\tnot-a-number\tb\n3\t3\tc\n", Map.of("strict_mode", "true",
                "max_filter_ratio", "0.5"));
        assertEquals("Success", strict.get("Status").asText(), strict.toString());
        assertEquals(1, strict.get("NumberFilteredRows").asLong());
        assertEquals(1, strict.get("NumberLoadedRows").asLong());
        String url = strict.get("ErrorURL").asText();
        assertTrue(url.contains("/api/_load_error_log?file="), url);
        String log = http.get(url.substring(url.indexOf("/api/"))).body();
        assertTrue(log.contains("not-a-number"), log);
        assertTrue(log.contains("Reason: "), log);
        JsonNode key = load("strict", "x\t1\ta\n", Map.of());
        assertEquals("Fail", key.get("Status").asText(), "a key column is not nullable: " + key);
        assertEquals("[INVALID_ARGUMENT]Invalid strict mode format. Must be bool type",
                load("strict", "1\t1\ta\n", Map.of("strict_mode", "maybe")).get("Message").asText());
    }

    @Test
    void whereCountsUnselectedRows() {
        create("filtered", "DUPLICATE_KEYS");
        JsonNode r = load("filtered", "1\t10\ta\n2\t20\tb\n3\t30\tc\n4\t\\N\td\n",
                Map.of("where", "v >= 20 and s != 'c'"));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        assertEquals(4, r.get("NumberTotalRows").asLong());
        assertEquals(1, r.get("NumberLoadedRows").asLong());
        assertEquals(3, r.get("NumberUnselectedRows").asLong());
        assertEquals("2\t20\tb\n", scan("filtered"));
        JsonNode bad = load("filtered", "1\t1\ta\n", Map.of("where", "nope = 1"));
        assertTrue(bad.get("Message").asText().contains("Unknown column 'nope'"), bad.toString());
    }

    @Test
    void compressedBodies() throws IOException {
        create("zipped", "DUPLICATE_KEYS");
        byte[] plain = "1\t1\ta\n2\t2\tb\n".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(plain);
        }
        ByteArrayOutputStream lz4 = new ByteArrayOutputStream();
        try (OutputStream o = new net.jpountz.lz4.LZ4FrameOutputStream(lz4)) {
            o.write(plain);
        }
        ByteArrayOutputStream zstd = new ByteArrayOutputStream();
        try (OutputStream o = new com.github.luben.zstd.ZstdOutputStream(zstd)) {
            o.write(plain);
        }
        ByteArrayOutputStream deflate = new ByteArrayOutputStream();
        try (OutputStream o = new DeflaterOutputStream(deflate)) {
            o.write(plain);
        }
        Map<String, byte[]> bodies = Map.of("gz", gz.toByteArray(), "lz4", lz4.toByteArray(), "zstd",
                zstd.toByteArray(), "deflate", deflate.toByteArray());
        for (var e : bodies.entrySet()) {
            JsonNode r = putBytes("zipped", e.getValue(), Map.of("compress_type", e.getKey()));
            assertEquals("Success", r.get("Status").asText(), e.getKey() + ": " + r);
            assertEquals(2, r.get("NumberLoadedRows").asLong(), e.getKey());
        }
        assertEquals("8", count("zipped"));
        JsonNode broken = putBytes("zipped", plain, Map.of("compress_type", "gz"));
        assertEquals("Fail", broken.get("Status").asText());
        assertTrue(broken.get("Message").asText().contains("GZ"), broken.toString());
        JsonNode lzo = putBytes("zipped", plain, Map.of("compress_type", "lzo"));
        assertTrue(lzo.get("Message").asText().startsWith("[NOT_IMPLEMENTED_ERROR]header 'compress_type'"), lzo.toString());
    }

    @Test
    void timeoutAndCommentAreValidated() {
        create("timed", "DUPLICATE_KEYS");
        JsonNode ok = load("timed", "1\t1\ta\n", Map.of("timeout", "30", "comment", "nightly"));
        assertEquals("Success", ok.get("Status").asText(), ok.toString());
        assertEquals("nightly", ok.get("Comment").asText());
        JsonNode bad = load("timed", "1\t1\ta\n", Map.of("timeout", "soon"));
        assertEquals("Fail", bad.get("Status").asText());
        assertTrue(bad.get("Message").asText().contains("timeout"), bad.toString());
    }

    @Test
    void jsonPathsRootAndOuterArray() {
        create("js", "DUPLICATE_KEYS");
        JsonNode r = load("js", "{\"data\":[{\"a\":{\"id\":1},\"val\":5,\"name\":\"x\"},{\"a\":{\"id\":2},\"val\":6}]}",
                Map.of("format", "json", "json_root", "$.data", "strip_outer_array", "true", "jsonpaths",
                        "[\"$.a.id\",\"$.val\",\"$.name\"]"));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        assertEquals(2, r.get("NumberLoadedRows").asLong());
        assertEquals("1\t5\tx\n2\t6\t\\N\n", scan("js"));
        JsonNode lines = load("js", "{\"id\":3,\"v\":7}\n{\"id\":4,\"v\":8}\n", Map.of("format", "json",
                "read_json_by_line", "true"));
        assertEquals(2, lines.get("NumberLoadedRows").asLong(), lines.toString());
        JsonNode array = load("js", "[{\"id\":5}]", Map.of("format", "json", "read_json_by_line", "true"));
        assertEquals(1, array.get("NumberFilteredRows").asLong(), array.toString());
    }

    static String count(String table) {
        return Long.toString(http.get("/api/db/" + table + "/_count").json().get("rows").asLong());
    }

    static JsonNode putBytes(String table, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/db/"
                + table + "/_stream_load")).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        new HashMap<>(headers).forEach(b::header);
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void refusedHeadersLeaveNothing() {
        create("refused", "DUPLICATE_KEYS");
        JsonNode r = load("refused", "1\t1\ta\n", Map.of("partitions", "p1"));
        assertEquals("[NOT_IMPLEMENTED_ERROR]header 'partitions' is not supported: Compactor tables have no partitions",
                r.get("Message").asText());
        assertFalse(r.get("Status").asText().equals("Success"));
        assertEquals("0", count("refused"));
    }
}
