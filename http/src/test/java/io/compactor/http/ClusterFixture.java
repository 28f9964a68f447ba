package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.compactor.actors.node.Node;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * In-JVM cluster nodes for the cluster tests: loopback ports below the ephemeral range, the
 * first three nodes the meta log's voters, {@code extra} settings on top.
 */
final class ClusterFixture implements AutoCloseable {
    static final Duration WITHIN = Duration.ofSeconds(90);
    static final String TOKEN = "fixture-token-0123456789";

    private final Path dir;
    private final Map<String, Object> extra;
    private final List<String> names;
    private final Map<String, Integer> clusterPorts = new HashMap<>();
    private final Map<String, Integer> metaPorts = new HashMap<>();
    final Map<String, CompactorServer> open = new HashMap<>();

    ClusterFixture(Path dir, List<String> names, Map<String, Object> extra) {
        this.dir = dir;
        this.names = List.copyOf(names);
        this.extra = Map.copyOf(extra);
        for (String n : names) {
            clusterPorts.put(n, TestPorts.free());
            metaPorts.put(n, TestPorts.free());
        }
    }

    CompactorServer start(String name) {
        StringBuilder seeds = new StringBuilder();
        StringBuilder voters = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            seeds.append(i == 0 ? "" : ",").append("127.0.0.1:").append(clusterPorts.get(names.get(i)));
            if (i < 3) {
                voters.append(i == 0 ? "" : ",").append("127.0.0.1:").append(metaPorts.get(names.get(i)));
            }
        }
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.resolve(name).toString());
        m.put("compactor.webserver_port", 0);
        m.put("compactor.cluster_enabled", true);
        m.put("compactor.cluster_host", "127.0.0.1");
        m.put("compactor.cluster_port", clusterPorts.get(name));
        m.put("compactor.cluster_seed_nodes", seeds.toString());
        m.put("compactor.cluster_meta_voters", voters.toString());
        m.put("compactor.cluster_meta_port", metaPorts.get(name));
        m.put("compactor.cluster_down_after_seconds", 3);
        m.put("compactor.download_token", TOKEN);
        m.put("compactor.enable_debug_points", true);
        extra.forEach((k, v) -> m.put("compactor." + k, v));
        CompactorServer s = CompactorServer.start(ConfigFactory.parseMap(m).withFallback(ConfigFactory.load()));
        open.put(name, s);
        return s;
    }

    /** Starts every node (the first is the seed) and waits until each sees all of them Up. */
    List<CompactorServer> startAll() {
        List<CompactorServer> out = new ArrayList<>();
        for (String n : names) {
            out.add(start(n));
        }
        await().atMost(WITHIN).until(() -> out.stream().allMatch(s -> sees(s, names.size())));
        return out;
    }

    void stop(String name) {
        CompactorServer s = open.remove(name);
        if (s != null) {
            s.close();
        }
    }

    static boolean sees(CompactorServer s, int n) {
        var state = Cluster.get(s.node().unwrap(Node.class).system()).state();
        long up = StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.status().equals(MemberStatus.up())).count();
        return up == n && state.getUnreachable().isEmpty();
    }

    /** {@code host:port} cluster name of a node. */
    String nodeName(String name) {
        return "127.0.0.1:" + clusterPorts.get(name);
    }

    static String tableBody(int buckets) {
        return "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":" + buckets + ",\"replication_num\":3}";
    }

    static String rows(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append(i).append('\t').append(i * 10L).append('\t').append("s").append(i).append('\n');
        }
        return b.toString();
    }

    static JsonNode create(CompactorServer s, String table, int buckets) {
        HttpTestClient.Answer a = new HttpTestClient(s.port()).put("/api/db/" + table, tableBody(buckets));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    static JsonNode load(CompactorServer s, String table, String label, String body) {
        HttpTestClient.Answer a = new HttpTestClient(s.port()).put("/api/db/" + table + "/_stream_load", body,
                Map.of("label", label));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    static long count(CompactorServer s, String table) {
        HttpTestClient.Answer a = new HttpTestClient(s.port()).get("/api/db/" + table + "/_count");
        assertEquals(200, a.status(), a.body());
        return a.json().get("rows").asLong();
    }

    /** {max version, XOR of content identities, rows} of the node's own replica of the tablet. */
    static long[] replica(CompactorServer s, long tablet) {
        HttpTestClient.Answer a = new HttpTestClient(s.port()).get("/api/_tablet/_rowsets?tablet_id=" + tablet
                + "&token=" + TOKEN);
        assertEquals(200, a.status(), a.body());
        long id = 0;
        long rows = 0;
        for (JsonNode r : a.json().get("rowsets")) {
            id ^= r.path("content_id").asLong();
            rows += r.path("num_rows").asLong();
        }
        return new long[] {a.json().get("max_version").asLong(), id, rows};
    }

    @Override
    public void close() {
        for (CompactorServer s : new ArrayList<>(open.values())) {
            s.close();
        }
        open.clear();
    }
}
