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
