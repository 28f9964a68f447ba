package io.compactor.http;

import io.compactor.actors.node.Node;
import static io.compactor.http.HttpTestClient.tableBody;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.actors.cluster.ClusterConfigBuilder;
import io.compactor.actors.cluster.ClusterSettings;
import io.compactor.http.HttpTestClient.Answer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode with several nodes in one JVM (same system name, distinct storage dirs and ports):
 * membership, {@code GET /api/cluster}, graceful leave on close, and the single-node answer.
 */
class ClusterModeTest {
    /** Below the split brain resolver's stable-after: only a graceful leave removes a node this fast. */
    private static final Duration LEAVE_WITHIN = Duration.ofSeconds(15);
    private static final Duration FORM_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    private static int freePort() {
        return TestPorts.free();
    }

    private static Config config(Path storage, Map<String, Object> extra) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", storage.toString());
        m.put("compactor.webserver_port", 0);
        extra.forEach((k, v) -> m.put("compactor." + k, v));
        return ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
    }

    private CompactorServer startNode(String name, int clusterPort, String seeds) {
        CompactorServer s = CompactorServer.start(config(dir.resolve(name), Map.of("cluster_enabled", true,
                "cluster_host", "127.0.0.1", "cluster_port", clusterPort, "cluster_seed_nodes", seeds)));
        open.add(s);
        return s;
    }

    private static String address(CompactorServer s) {
        return Cluster.get(s.node().unwrap(Node.class).system()).selfMember().address().toString();
    }

    private static long upMembers(CompactorServer s) {
        var state = Cluster.get(s.node().unwrap(Node.class).system()).state();
        return StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.status().equals(MemberStatus.up())).count();
    }

    /** Exactly {@code n} members, all Up, none unreachable. */
    private static boolean sees(CompactorServer s, int n) {
        var state = Cluster.get(s.node().unwrap(Node.class).system()).state();
        long members = StreamSupport.stream(state.getMembers().spliterator(), false).count();
        return members == n && upMembers(s) == n && state.getUnreachable().isEmpty();
    }

    private static void createTable(CompactorServer s, String table, int buckets) {
        Answer a = new HttpTestClient(s.port()).put("/api/db/" + table, tableBody("DUPLICATE_KEYS", buckets));
        assertEquals(200, a.status(), a.body());
    }

    /** address -> tablets (null when not answered) of {@code GET /api/cluster} on {@code s}. */
    private static Map<String, Integer> tabletsByMember(JsonNode body) {
        Map<String, Integer> out = new HashMap<>();
        for (JsonNode m : body.get("members")) {
            out.put(m.get("address").asText(), m.get("tablets").isNull() ? null : m.get("tablets").asInt());
        }
        return out;
    }

    private static JsonNode cluster(CompactorServer s) {
        Answer a = new HttpTestClient(s.port()).get("/api/cluster");
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private List<CompactorServer> threeNodes() {
        int p1 = freePort();
        String seeds = "127.0.0.1:" + p1;
        CompactorServer n1 = startNode("n1", p1, seeds);
        CompactorServer n2 = startNode("n2", freePort(), seeds);
        CompactorServer n3 = startNode("n3", freePort(), seeds);
        List<CompactorServer> nodes = List.of(n1, n2, n3);
        await().atMost(FORM_WITHIN).until(() -> nodes.stream().allMatch(n -> sees(n, 3)));
        return nodes;
    }

    @Test
    void threeNodesFormAClusterAndListTheirTablets() {
        List<CompactorServer> nodes = threeNodes();
        createTable(nodes.get(1), "four", 4);
        createTable(nodes.get(2), "two", 2);
        createTable(nodes.get(2), "one", 1);
        // Placement spreads the 7 single-replica tablets evenly, whichever node took the CREATE.
        Map<String, Integer> expected = new HashMap<>();
        for (CompactorServer n : nodes) {
            expected.put(address(n), n.node().unwrap(Node.class).catalog().tablets().size());
        }
        assertEquals(7, expected.values().stream().mapToInt(Integer::intValue).sum(), expected.toString());
        assertTrue(expected.values().stream().allMatch(c -> c >= 2 && c <= 3), expected.toString());

        for (CompactorServer asked : nodes) {
            await().atMost(FORM_WITHIN).until(() -> tabletsByMember(cluster(asked)).equals(expected));
            JsonNode body = cluster(asked);
            assertEquals("Success", body.get("status").asText());
            assertEquals("cluster", body.get("mode").asText());
            assertEquals(address(asked), body.get("self").asText());
            assertTrue(expected.containsKey(body.get("leader").asText()), body.toString());
            for (JsonNode m : body.get("members")) {
                assertEquals("Up", m.get("status").asText());
                assertTrue(m.get("reachable").asBoolean());
                assertTrue(m.get("note") == null, m.toString());
                CompactorServer owner = nodes.stream().filter(n -> address(n).equals(m.get("address").asText()))
                        .findFirst().orElseThrow();
                assertEquals("127.0.0.1:" + owner.port(), m.get("http").asText());
                assertEquals(owner.node().cluster().nodeInfo().dataDirs().get(0), m.get("data_dirs").get(0).asText());
            }
        }
    }

    @Test
    void aClosedNodeLeavesGracefullyAndTheOthersSeeTwoMembersUp() {
        List<CompactorServer> nodes = threeNodes();
        CompactorServer leaving = nodes.get(2);
        String gone = address(leaving);
        assertTimeoutPreemptively(Duration.ofSeconds(45), leaving::close);
        open.remove(leaving);

        await().atMost(LEAVE_WITHIN).until(() -> sees(nodes.get(0), 2) && sees(nodes.get(1), 2));
        Map<String, Integer> listed = tabletsByMember(cluster(nodes.get(0)));
        assertEquals(Map.of(address(nodes.get(0)), 0, address(nodes.get(1)), 0), listed);
        assertTrue(!listed.containsKey(gone));
    }

    @Test
    void aNodeWithoutSeedsIsItsOwnSeedOnARandomPortAndOthersJoinIt() {
        CompactorServer first = startNode("first", 0, "");
        await().atMost(FORM_WITHIN).until(() -> sees(first, 1));
        int port = Cluster.get(first.node().unwrap(Node.class).system()).selfMember().address().getPort().get();
        assertTrue(port > 0);
        createTable(first, "t", 2);
        await().atMost(FORM_WITHIN).until(() -> tabletsByMember(cluster(first)).equals(Map.of(address(first), 2)));

        CompactorServer second = startNode("second", 0, "127.0.0.1:" + port);
        await().atMost(FORM_WITHIN).until(() -> sees(first, 2) && sees(second, 2));
        await().atMost(FORM_WITHIN).until(() -> tabletsByMember(cluster(second))
                .equals(Map.of(address(first), 2, address(second), 0)));
    }

    @Test
    void aMemberWithoutANodeDirectoryIsListedWithNullTabletsAndANote() {
        int p1 = freePort();
        CompactorServer node = startNode("n1", p1, "127.0.0.1:" + p1);
        ClusterSettings bare = new ClusterSettings(true, "127.0.0.1", 0, ClusterSettings.parseSeeds("127.0.0.1:" + p1));
        ActorSystem<Void> other = ActorSystem.create(Behaviors.empty(), Node.SYSTEM_NAME,
                ClusterConfigBuilder.build(Node.SYSTEM_NAME, bare).withFallback(ConfigFactory.load()));
        open.add(() -> {
            other.terminate();
            other.getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
        });
        String otherAddress = Cluster.get(other).selfMember().address().toString();
        await().atMost(FORM_WITHIN).until(() -> sees(node, 2));

        JsonNode body = cluster(node);
        assertEquals(2, body.get("members").size(), body.toString());
        for (JsonNode m : body.get("members")) {
            if (m.get("address").asText().equals(otherAddress)) {
                assertTrue(m.get("tablets").isNull(), m.toString());
                assertTrue(m.get("http").isNull(), m.toString());
                assertNotNull(m.get("note"), m.toString());
            } else {
                assertEquals(address(node), m.get("address").asText());
            }
        }
        await().atMost(FORM_WITHIN).until(() -> Integer.valueOf(0).equals(tabletsByMember(cluster(node)).get(address(node))));
    }

    @Test
    void clusterOffAnswersTheSingleNode() {
        CompactorServer s = CompactorServer.start(config(dir.resolve("single"), Map.of()));
        open.add(s);
        assertTrue(!s.node().cluster().enabled());
        createTable(s, "t", 3);
        JsonNode body = cluster(s);
        assertEquals("Success", body.get("status").asText());
        assertEquals("single", body.get("mode").asText());
        assertEquals(1, body.get("members").size());
        JsonNode m = body.get("members").get(0);
        assertEquals("local", m.get("address").asText());
        assertEquals("Up", m.get("status").asText());
        assertEquals("127.0.0.1:" + s.port(), m.get("http").asText());
        assertEquals(3, m.get("tablets").asInt());
        assertEquals("local", s.node().unwrap(Node.class).system().settings().config().getString("pekko.actor.provider"));
    }

    @Test
    void invalidClusterSettingsFailStartUpNamingTheKey() {
        Map<String, String> badSeeds = Map.of(
                "127.0.0.1:9060,nohostport", "entry 'nohostport' is not host:port",
                "127.0.0.1:70000", "port 70000",
                "127.0.0.1:x1", "not a number",
                "127.0.0.1:9060,,127.0.0.1:9061", "empty entry",
                "bad host:9060", "invalid host");
        badSeeds.forEach((seeds, why) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompactorServer.start(
                    config(dir.resolve("bad"), Map.of("cluster_enabled", true, "cluster_seed_nodes", seeds))));
            assertTrue(e.getMessage().contains("cluster_seed_nodes") && e.getMessage().contains(why), e.getMessage());
        });
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> CompactorServer.start(
                config(dir.resolve("bad"), Map.of("cluster_enabled", true, "cluster_port", 70000))));
        assertTrue(port.getMessage().contains("cluster_port"), port.getMessage());
        IllegalArgumentException host = assertThrows(IllegalArgumentException.class, () -> CompactorServer.start(
                config(dir.resolve("bad"), Map.of("cluster_enabled", true, "cluster_host", ""))));
        assertTrue(host.getMessage().contains("cluster_host"), host.getMessage());
    }
}
