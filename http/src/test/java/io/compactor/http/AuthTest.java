package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP Basic auth when {@code compactor.http_auth_password} is set. */
class AuthTest {
    @TempDir
    static Path dir;
    private static CompactorServer server;

    @BeforeAll
    static void startServer() {
        server = CompactorServer.start(ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.http_auth_password", "s3cret"))
                .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void healthNeedsNoCredentials() {
        assertEquals(200, new HttpTestClient(server.port()).get("/api/health").status());
    }

    @Test
    void peerEndpointsAuthenticateByTheirTokenNotByPassword() {
        HttpTestClient anonymous = new HttpTestClient(server.port());
        // This node has no download_token: the token check refuses (403), never the password (401).
        assertEquals(403, anonymous.get("/api/_tablet/_rowsets?tablet_id=1&token=x").status());
        assertEquals(403, anonymous.get("/api/_tablet/_download?tablet_id=1&token=x&file=f").status());
        assertEquals(403, anonymous.get("/api/_tablet/_download_files?tablet_id=1&token=x&files=f").status());
        assertEquals(401, anonymous.get("/api/_tablet/_other").status());
    }

    @Test
    void everyOtherPathIs401WithAJsonBodyWithoutCredentials() {
        HttpTestClient anonymous = new HttpTestClient(server.port());
        for (String path : new String[] {"/api/tables", "/metrics", "/api/show_config", "/api/db/t/_count"}) {
            Answer a = anonymous.get(path);
            assertEquals(401, a.status(), path);
            assertEquals("Fail", a.text("status"));
        }
        Answer create = anonymous.put("/api/db/t", HttpTestClient.tableBody("DUPLICATE_KEYS", 1));
        assertEquals(401, create.status());
    }

    @Test
    void everyReliabilityAndDebugEndpointNeedsCredentials() {
        HttpTestClient anonymous = new HttpTestClient(server.port());
        for (String path : new String[] {"/api/check_tablet_segment_lost", "/api/check_tablet_segment_lost?repair=true",
                "/api/debug_point/add/segment.write", "/api/debug_point/remove/segment.write", "/api/debug_point/clear",
                "/api/compaction/run?tablet_id=1&compact_type=full", "/api/update_config?disable_auto_compaction=true"}) {
            Answer a = anonymous.post(path);
            assertEquals(401, a.status(), path);
            assertEquals("Fail", a.text("status"));
        }
        for (String path : new String[] {"/api/check_tablet?tablet_id=1", "/api/compaction/show?tablet_id=1",
                "/api/compaction/run_status", "/api/compaction_score?top_n=1", "/api/compaction/profile",
                "/api/delete_bitmap/count_local?tablet_id=1", "/api/db/t/_scan", "/api/db/t/_get?id=1", "/api/db/t"}) {
            assertEquals(401, anonymous.get(path).status(), path);
        }
        assertEquals(401, anonymous.put("/api/db/t/_stream_load", "1\t2\tx\n").status());
        assertEquals(401, anonymous.delete("/api/db/t").status());
        // A malformed Authorization header is a 401 too, not an error.
        assertEquals(401, new HttpTestClient(server.port(), "Basic %%%").get("/api/tables").status());
        assertEquals(401, new HttpTestClient(server.port(), "Bearer x").get("/api/tables").status());
    }

    @Test
    void wrongPasswordOrUserIs401() {
        assertEquals(401, new HttpTestClient(server.port(), basic("root", "wrong")).get("/api/tables").status());
        assertEquals(401, new HttpTestClient(server.port(), basic("admin", "s3cret")).get("/api/tables").status());
    }

    @Test
    void rightCredentialsReachTheApi() {
        HttpTestClient root = new HttpTestClient(server.port(), basic("root", "s3cret"));
        assertEquals(200, root.get("/api/tables").status());
        assertEquals(200, root.put("/api/db/authed", HttpTestClient.tableBody("DUPLICATE_KEYS", 1)).status());
        Answer load = root.put("/api/db/authed/_stream_load", "1\t2\tx\n");
        assertEquals("Success", load.text("Status"));
        assertEquals(1, root.get("/api/db/authed/_count").json().get("rows").asLong());
    }
}
