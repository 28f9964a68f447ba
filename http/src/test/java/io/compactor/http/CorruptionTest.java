package io.compactor.http;

import static io.compactor.http.HttpTestClient.tableBody;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flipped bytes in a segment file: found on read, on compaction and by
 * {@code check_tablet_segment_lost}, always naming the file; the tablet is reported bad, never
 * serves wrong rows, is not compacted, and other tablets are unaffected.
 */
class CorruptionTest {
    @TempDir
    Path dir;
    private CompactorServer server;
    private HttpTestClient http;

    @BeforeEach
    void start() {
        server = CompactorServer.start(ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.disable_auto_compaction", true))
                .withFallback(ConfigFactory.load()));
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private long createAndLoad(String table, int loads) {
        Answer a = http.put("/api/db/" + table, tableBody("UNIQUE_KEYS", 1));
        assertEquals(200, a.status(), a.body());
        for (int l = 0; l < loads; l++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 3000; i++) {
                sb.append(l * 3000 + i).append('\t').append(i).append('\t').append("value-").append(i).append('\n');
            }
            assertEquals("Success", http.put("/api/db/" + table + "/_stream_load", sb.toString()).text("Status"));
        }
        return a.json().get("tablets").get(0).asLong();
    }

    private Path someSegment(long tablet) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("data").resolve(Long.toString(tablet)))) {
            return s.filter(p -> p.toString().endsWith(".dat")).sorted().findFirst().orElseThrow();
        }
    }

    /** Flips one byte in the middle of the file; returns the original content. */
    private static byte[] flipByte(Path file) throws IOException {
        byte[] original = Files.readAllBytes(file);
        byte[] damaged = original.clone();
        damaged[damaged.length / 3] ^= 0x5A;
        Files.write(file, damaged);
        return original;
    }

    private JsonNode show(long tablet) {
        return http.get("/api/compaction/show?tablet_id=" + tablet).json();
    }

    private JsonNode check(String repair) {
        Answer a = http.post("/api/check_tablet_segment_lost" + (repair == null ? "" : "?repair=" + repair));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    @Test
    void checkFindsTheFlippedByteAndRepairMarksTheTabletBad() throws IOException {
        long bad = createAndLoad("damaged", 2);
        long good = createAndLoad("healthy", 2);
        String healthyBefore = http.get("/api/db/healthy/_scan").body();
        Path file = someSegment(bad);
        byte[] original = flipByte(file);

        JsonNode report = check("false");
        assertEquals("Success", report.get("status").asText());
        assertEquals("Succeed to check all tablet segment", report.get("msg").asText());
        assertEquals(1, report.get("num").asInt());
        assertEquals(List.of(bad), List.of(report.get("bad_tablets").get(0).asLong()));
        assertEquals("false", report.get("set_bad").asText());
        assertTrue(report.has("host"));
        assertFalse(show(bad).get("is_bad").asBoolean(), "repair=false only reports");

        JsonNode repaired = check("true");
        assertEquals("true", repaired.get("set_bad").asText());
        assertTrue(show(bad).get("is_bad").asBoolean());
        assertTrue(show(bad).get("bad reason").asText().contains(file.getFileName().toString()));
        assertFalse(show(good).get("is_bad").asBoolean());
        assertTrue(http.get("/metrics").body().contains("compactor_tablet_bad_num 1"));

        // Reads fail naming the file; never wrong rows.
        Answer scan = http.get("/api/db/damaged/_scan");
        assertNotEquals(200, scan.status());
        assertTrue(scan.body().contains(file.getFileName().toString()), scan.body());
        assertEquals(healthyBefore, http.get("/api/db/healthy/_scan").body(), "other tablets unaffected");
        assertEquals("Success", http.put("/api/db/healthy/_stream_load", "999999\t1\tx\n").text("Status"));

        // Compaction of a bad tablet is refused naming the corruption, and destroys nothing.
        Answer run = http.post("/api/compaction/run?tablet_id=" + bad + "&compact_type=full");
        assertNotEquals("Success", run.text("status"));
        assertTrue(run.text("msg").contains(file.getFileName().toString()), run.body());
        assertTrue(Files.exists(file));

        // Once the file is whole again a repair check clears the mark and the tablet works.
        Files.write(file, original);
        assertEquals(0, check("true").get("num").asInt());
        assertFalse(show(bad).get("is_bad").asBoolean());
        assertEquals(6000, http.get("/api/db/damaged/_count").json().get("rows").asLong());
        assertEquals("Success", http.post("/api/compaction/run?tablet_id=" + bad + "&compact_type=full").text("status"));
    }

    @Test
    void compactionOverACorruptSegmentFailsNamingTheFileMarksTheTabletBadAndKeepsTheInputs() throws IOException {
        long tablet = createAndLoad("merged", 3);
        int rowsets = show(tablet).get("rowsets").size();
        Path file = someSegment(tablet);
        flipByte(file);
        Answer run = http.post("/api/compaction/run?tablet_id=" + tablet + "&compact_type=full");
        assertNotEquals("Success", run.text("status"));
        assertTrue(run.text("msg").contains(file.getFileName().toString()), run.body());
        JsonNode show = show(tablet);
        assertTrue(show.get("is_bad").asBoolean(), show.toString());
        assertEquals(rowsets, show.get("rowsets").size(), "inputs untouched");
        assertTrue(Files.exists(file));
    }

    @Test
    void readOfACorruptSegmentFailsNamingTheFileAndMarksTheTabletBad() throws IOException {
        long tablet = createAndLoad("readcorrupt", 1);
        Path file = someSegment(tablet);
        flipByte(file);
        Answer scan = http.get("/api/db/readcorrupt/_scan");
        assertNotEquals(200, scan.status());
        assertTrue(scan.body().contains(file.getFileName().toString()), scan.body());
        assertTrue(show(tablet).get("is_bad").asBoolean());
    }

    @Test
    void aLostSegmentFileIsReported() throws IOException {
        long tablet = createAndLoad("lost", 1);
        Files.delete(someSegment(tablet));
        JsonNode report = check(null);
        assertEquals(1, report.get("num").asInt());
        assertEquals(tablet, report.get("bad_tablets").get(0).asLong());
    }

    @Test
    void aBadRepairParameterIsRefusedWithDorisMessage() {
        JsonNode a = check("yes");
        assertEquals("Fail", a.get("status").asText());
        assertEquals("Parameter 'repair' must be set to 'true' or 'false'", a.get("msg").asText());
        assertEquals(405, http.get("/api/check_tablet_segment_lost").status());
    }
}
