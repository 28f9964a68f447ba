package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe defaults: loopback bind, debug points off unless enabled. */
class SecurityDefaultsTest {
    @TempDir
    static Path dir;
    private static CompactorServer server;
    private static HttpTestClient http;

    @BeforeAll
    static void start() {
        // Only the data dir and port are given: every security setting is the shipped default.
        server = CompactorServer.start(ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0)).withFallback(ConfigFactory.load()));
        http = new HttpTestClient(server.port());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theDefaultBindIsLoopbackOnly() throws IOException {
        assertEquals("127.0.0.1", ConfigFactory.load().getString("compactor.webserver_host"));
        for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress() || !(a instanceof java.net.Inet4Address)) {
                    continue;
                }
                try (Socket s = new Socket()) {
                    s.connect(new java.net.InetSocketAddress(a, server.port()), 2000);
                    throw new AssertionError("the node answers on " + a + ", not only on loopback");
                } catch (java.net.ConnectException expected) {
                    // refused: not bound there
                }
            }
        }
    }

    @Test
    void debugPointsAreRefusedUnlessEnabled() {
        for (String path : new String[] {"/api/debug_point/add/segment.write", "/api/debug_point/remove/segment.write",
                "/api/debug_point/clear"}) {
            Answer a = http.post(path);
            assertEquals(200, a.status(), path);
            assertEquals("INTERNAL_ERROR", a.text("status"));
            assertTrue(a.text("msg").contains("enable_debug_points"), a.body());
        }
        assertTrue(server.node().ops().debugPoints().active().isEmpty());
        // Nothing fires: a load works.
        assertEquals(200, http.put("/api/db/t", HttpTestClient.tableBody("DUPLICATE_KEYS", 1)).status());
        assertEquals("Success", http.put("/api/db/t/_stream_load", "1\t2\tx\n").text("Status"));
    }
}
