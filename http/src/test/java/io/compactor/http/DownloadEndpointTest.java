package io.compactor.http;

import io.compactor.actors.node.Node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The peer-download endpoint: token required, segment files of one tablet only, nothing outside its dir. */
class DownloadEndpointTest {
    private static final String TOKEN = "s3cret-token-0123456789";
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private CompactorServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String token) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.toString());
        m.put("compactor.webserver_port", 0);
        m.put("compactor.download_token", token);
        server = CompactorServer.start(ConfigFactory.parseMap(m).withFallback(ConfigFactory.load()));
    }

    private HttpResponse<byte[]> download(String query) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/_tablet/_download?" + query)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A table with data; returns the first tablet that has a segment file, and that file's name. */
    private Object[] loadedSegment() throws Exception {
        HttpTestClient http = new HttpTestClient(server.port());
        assertEquals(200, http.put("/api/d/t", HttpTestClient.tableBody("DUPLICATE_KEYS", 1)).status());
        assertEquals("Success", http.put("/api/d/t/_stream_load", "1\t2\tx\n3\t4\ty\n").text("Status"));
        long tablet = server.node().tables().get("d", "t").tabletIds().get(0);
        TabletMeta meta = server.node().reads().tabletMeta(tablet).toCompletableFuture().get(30, TimeUnit.SECONDS);
        RowsetMeta rs = meta.rowsets().stream().filter(r -> r.numSegments() > 0).findFirst().orElseThrow();
        Path file = server.node().unwrap(Node.class).engine().dataDir(meta.dataDir()).segmentPath(tablet, rs.rowsetId(), 0);
        return new Object[] {tablet, DataDir.segmentFileName(rs.rowsetId(), 0), file};
    }

    @Test
    void aPeerWithTheTokenGetsTheSegmentFileByteForByte() throws Exception {
        start(TOKEN);
        Object[] seg = loadedSegment();
        HttpResponse<byte[]> r = download("token=" + q(TOKEN) + "&tablet_id=" + seg[0] + "&file=" + seg[1]);
        assertEquals(200, r.statusCode());
        assertArrayEquals(Files.readAllBytes((Path) seg[2]), r.body());
    }

    private HttpResponse<byte[]> downloadFiles(String query) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/_tablet/_download_files?" + query)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void severalFilesComeInOneAnswerOneAfterTheOtherWithTheirSizes() throws Exception {
        start(TOKEN);
        Object[] seg = loadedSegment();
        assertEquals("Success", new HttpTestClient(server.port()).put("/api/d/t/_stream_load", "5\t6\tz\n")
                .text("Status"));
        long tablet = (Long) seg[0];
        TabletMeta meta = server.node().reads().tabletMeta(tablet).toCompletableFuture().get(30, TimeUnit.SECONDS);
        var dataDir = server.node().unwrap(Node.class).engine().dataDir(meta.dataDir());
        java.util.List<String> names = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
        StringBuilder sizes = new StringBuilder();
        for (RowsetMeta rs : meta.rowsets()) {
            for (int i = 0; i < rs.numSegments(); i++) {
                names.add(DataDir.segmentFileName(rs.rowsetId(), i));
                byte[] b = Files.readAllBytes(dataDir.segmentPath(tablet, rs.rowsetId(), i));
                expected.write(b);
                sizes.append(sizes.length() == 0 ? "" : ",").append(b.length);
            }
        }
        assertTrue(names.size() >= 2, "two loads, two segment files: " + names);
        HttpResponse<byte[]> r = downloadFiles("token=" + q(TOKEN) + "&tablet_id=" + tablet + "&files="
                + q(String.join(",", names)));
        assertEquals(200, r.statusCode());
        assertEquals(sizes.toString(), r.headers().firstValue("Compactor-File-Sizes").orElseThrow());
        assertArrayEquals(expected.toByteArray(), r.body());

        String base = "token=" + q(TOKEN) + "&tablet_id=" + tablet + "&files=";
        assertEquals(400, downloadFiles(base + q(names.get(0) + ",../../meta/CURRENT")).statusCode());
        assertEquals(400, downloadFiles(base).statusCode(), "no file named");
        assertEquals(400, downloadFiles(base + q(String.join(",", java.util.Collections.nCopies(25, names.get(0)))))
                .statusCode(), "more files than one request may ask for");
        String missing = "02" + "0".repeat(30) + "00000000000fffff_0.dat";
        HttpResponse<byte[]> notThere = downloadFiles(base + q(names.get(0) + "," + missing));
        assertEquals(404, notThere.statusCode());
        assertTrue(new String(notThere.body(), StandardCharsets.UTF_8).contains(missing));
        assertEquals(401, downloadFiles("token=wrong-token-0123456789&tablet_id=" + tablet + "&files="
                + names.get(0)).statusCode());
    }

    @Test
    void withoutTheRightTokenNothingIsServed() throws Exception {
        start(TOKEN);
        Object[] seg = loadedSegment();
        String rest = "&tablet_id=" + seg[0] + "&file=" + seg[1];
        assertEquals(401, download("token=wrong-token-0123456789" + rest).statusCode());
        assertEquals(401, download(rest.substring(1)).statusCode());
        assertEquals(401, download("token=" + q(TOKEN.substring(0, TOKEN.length() - 1)) + rest).statusCode());
    }

    @Test
    void namesOutsideTheTabletDirAreRefused() throws Exception {
        start(TOKEN);
        Object[] seg = loadedSegment();
        String base = "token=" + q(TOKEN) + "&tablet_id=" + seg[0] + "&file=";
        for (String evil : new String[] {"../../meta/CURRENT", "/etc/passwd", "..%2F..%2Fmeta%2FCURRENT",
                seg[1] + "/../../../meta/CURRENT", "x.dat", seg[1] + ".tmp", "", "..", "."}) {
            HttpResponse<byte[]> r = download(base + (evil.contains("%") ? evil : q(evil)));
            assertEquals(400, r.statusCode(), evil);
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("segment file name"), evil);
        }
        String otherRowset = "02" + "0".repeat(30) + "00000000000fffff_0.dat";
        assertEquals(404, download(base + otherRowset).statusCode(), "a well-formed name that is not there");
        assertEquals(404, download("token=" + q(TOKEN) + "&tablet_id=999999&file=" + seg[1]).statusCode());
        assertEquals(400, download("token=" + q(TOKEN) + "&tablet_id=-1&file=" + seg[1]).statusCode());
    }

    private HttpResponse<byte[]> rowsets(String query) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/api/_tablet/_rowsets?" + query)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void rowsetsListEverySegmentWithWhatAPeerNeedsToVerifyIt() throws Exception {
        start(TOKEN);
        Object[] seg = loadedSegment();
        long tablet = (Long) seg[0];
        HttpResponse<byte[]> r = rowsets("token=" + q(TOKEN) + "&tablet_id=" + tablet);
        assertEquals(200, r.statusCode());
        var json = Json.MAPPER.readTree(r.body());
        assertEquals("Success", json.get("status").asText());
        assertEquals(tablet, json.get("tablet_id").asLong());
        TabletMeta meta = server.node().reads().tabletMeta(tablet).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(meta.rowsets().size(), json.get("rowsets").size());
        assertEquals(meta.maxVersion(), json.get("max_version").asLong());
        var parsed = io.compactor.storage.peer.PeerRowsets.parse(r.body(), "test");
        assertEquals(meta.rowsets(), parsed.rowsets(), "the answer round-trips to the same metas");
        var withData = json.get("rowsets").get(1);
        assertEquals(2, withData.get("start_version").asLong());
        var s0 = withData.get("segments").get(0);
        assertEquals(seg[1], s0.get("file").asText());
        assertEquals(Files.size((Path) seg[2]), s0.get("bytes").asLong());
        assertEquals(2, s0.get("rows").asLong());
        assertTrue(s0.has("footer_crc") && s0.has("min_key") && s0.has("max_key"), s0.toString());
        assertTrue(withData.has("overlap") && withData.has("creation_time") && withData.has("num_rows"));

        assertEquals(401, rowsets("token=wrong-token-0123456789&tablet_id=" + tablet).statusCode());
        assertEquals(401, rowsets("tablet_id=" + tablet).statusCode());
        assertEquals(400, rowsets("token=" + q(TOKEN) + "&tablet_id=abc").statusCode());
        assertEquals(400, rowsets("token=" + q(TOKEN)).statusCode());
        assertEquals(404, rowsets("token=" + q(TOKEN) + "&tablet_id=999999").statusCode());
    }

    @Test
    void rowsetsAreOffWhenNoTokenIsConfigured() throws Exception {
        start("");
        Object[] seg = loadedSegment();
        assertEquals(403, rowsets("token=&tablet_id=" + seg[0]).statusCode());
    }

    @Test
    void downloadsAreOffWhenNoTokenIsConfigured() throws Exception {
        start("");
        Object[] seg = loadedSegment();
        assertEquals(403, download("token=&tablet_id=" + seg[0] + "&file=" + seg[1]).statusCode());
        assertEquals(403, download("token=anything-at-all-12345&tablet_id=" + seg[0] + "&file=" + seg[1])
                .statusCode());
    }
}
