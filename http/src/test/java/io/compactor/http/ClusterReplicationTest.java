package io.compactor.http;

import io.compactor.actors.node.Node;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import io.compactor.storage.tablet.TableMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicated tables on three nodes in one JVM: placement on distinct nodes that survives a
 * restart, loads through any node readable through every node, a majority keeps the table
 * loadable while a node is away, and the returning node catches up.
 */
class ClusterReplicationTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private final List<CompactorServer> open = new ArrayList<>();
    private final Map<String, Integer> clusterPorts = new HashMap<>();
    private int seedPort;

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        open.clear();
    }

    private static int freePort() {
        return TestPorts.free();
    }

    private final Map<String, Integer> metaPorts = new HashMap<>();

    /** The meta log's three voters: n1, n2 and n3. */
    private String voters() {
        StringBuilder b = new StringBuilder();
        for (String n : List.of("n1", "n2", "n3")) {
            b.append(b.length() == 0 ? "" : ",").append("127.0.0.1:").append(metaPorts.computeIfAbsent(n, x -> freePort()));
        }
        return b.toString();
    }

    private CompactorServer start(String name) {
        int port = clusterPorts.computeIfAbsent(name, n -> freePort());
        String voters = voters();
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.resolve(name).toString());
        m.put("compactor.webserver_port", 0);
        m.put("compactor.cluster_enabled", true);
        m.put("compactor.cluster_host", "127.0.0.1");
        m.put("compactor.cluster_port", port);
        m.put("compactor.cluster_seed_nodes", "127.0.0.1:" + seedPort);
        m.put("compactor.cluster_down_after_seconds", 3);
        m.put("compactor.cluster_meta_voters", voters);
        m.put("compactor.cluster_meta_port", metaPorts.get(name));
        m.put("compactor.download_token", "peer-secret-0123456789");
        m.put("compactor.enable_debug_points", true);
        Config c = ConfigFactory.parseMap(m).withFallback(ConfigFactory.load());
        CompactorServer s = CompactorServer.start(c);
        open.add(s);
        return s;
    }

    private static boolean sees(CompactorServer s, int n) {
        var state = Cluster.get(s.node().unwrap(Node.class).system()).state();
        long up = StreamSupport.stream(state.getMembers().spliterator(), false)
                .filter(m -> m.status().equals(MemberStatus.up())).count();
        return up == n && state.getUnreachable().isEmpty();
    }

    private List<CompactorServer> threeNodes() {
        seedPort = freePort();
        clusterPorts.put("n1", seedPort);
        List<CompactorServer> nodes = List.of(start("n1"), start("n2"), start("n3"));
        await().atMost(WITHIN).until(() -> nodes.stream().allMatch(n -> sees(n, 3)));
        return nodes;
    }

    private static String tableBody(int buckets, int replication) {
        return "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":" + buckets + ",\"replication_num\":" + replication + "}";
    }

    private static String rows(int from, int count) {
        StringBuilder b = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            b.append(i).append('\t').append(i * 10L).append('\t').append("s").append(i).append('\n');
        }
        return b.toString();
    }

    private static JsonNode load(CompactorServer s, String label, String body) {
        Answer a = new HttpTestClient(s.port()).put("/api/db/t/_stream_load", body, Map.of("label", label));
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private static long count(CompactorServer s) {
        Answer a = new HttpTestClient(s.port()).get("/api/db/t/_count");
        assertEquals(200, a.status(), a.body());
        return a.json().get("rows").asLong();
    }

    /** tablet id -> nodes of its replicas, as GET /api/db/t on {@code s} shows them. */
    private static Map<Long, List<String>> placement(CompactorServer s) {
        Answer a = new HttpTestClient(s.port()).get("/api/db/t");
        assertEquals(200, a.status(), a.body());
        Map<Long, List<String>> out = new HashMap<>();
        for (JsonNode t : a.json().get("tablets")) {
            List<String> nodes = new ArrayList<>();
            t.get("replicas").forEach(r -> nodes.add(r.get("node").asText()));
            out.put(t.get("tablet_id").asLong(), nodes);
        }
        return out;
    }

    private static long localVersion(CompactorServer s, long tabletId) {
        return s.node().reads().tabletMeta(tabletId).toCompletableFuture().join().maxVersion();
    }

    @Test
    void replicasLandOnDistinctNodesAndLoadsThroughAnyNodeAreReadableThroughEveryNode() {
        List<CompactorServer> nodes = threeNodes();
        Answer created = new HttpTestClient(nodes.get(1).port()).put("/api/db/t", tableBody(4, 3));
        assertEquals(200, created.status(), created.body());

        Map<Long, List<String>> placement = placement(nodes.get(0));
        assertEquals(4, placement.size());
        for (List<String> replicas : placement.values()) {
            assertEquals(3, new HashSet<>(replicas).size(), "distinct nodes: " + replicas);
        }
        for (CompactorServer n : nodes) {
            assertEquals(placement, placement(n));
            assertEquals(4, n.node().unwrap(Node.class).catalog().tablets().size(), "every node holds a replica of each tablet");
        }

        int total = 0;
        for (int i = 0; i < 6; i++) {
            JsonNode r = load(nodes.get(i % 3), "l" + i, rows(i * 100, 100));
            assertEquals("Success", r.get("Status").asText(), r.toString());
            total += 100;
        }
        for (CompactorServer n : nodes) {
            assertEquals(total, count(n));
        }
        JsonNode again = load(nodes.get(2), "l0", rows(0, 10));
        assertEquals("Label Already Exists", again.get("Status").asText(), again.toString());

        Answer got = new HttpTestClient(nodes.get(2).port()).get("/api/db/t/_get?id=305");
        assertEquals(200, got.status(), got.body());
        assertTrue(got.body().contains("3050"), got.body());
        Answer scan = new HttpTestClient(nodes.get(1).port()).get("/api/db/t/_scan?limit=5");
        assertEquals("0\t0\ts0\n1\t10\ts1\n2\t20\ts2\n3\t30\ts3\n4\t40\ts4\n", scan.body());

        // Every replica of every tablet is at the same version: 6 loads on top of [0-1].
        for (long tablet : placement.keySet()) {
            for (CompactorServer n : nodes) {
                assertEquals(7, localVersion(n, tablet), "tablet " + tablet);
            }
        }
    }

    /** Versions of the node's own replica's visible rowsets, as compaction/show lists them. */
    private static List<String> rowsets(CompactorServer s, long tabletId) {
        Answer a = new HttpTestClient(s.port()).get("/api/compaction/show?tablet_id=" + tabletId);
        assertEquals(200, a.status(), a.body());
        List<String> out = new ArrayList<>();
        a.json().get("rowsets").forEach(r -> out.add(r.asText().substring(0, r.asText().indexOf(']') + 1)));
        return out;
    }

    private static long merged(CompactorServer s) {
        var m = s.node().ops().metrics();
        return m.compactionSuccess.get(io.compactor.api.NodeMetrics.Kind.CUMULATIVE).sum()
                + m.compactionSuccess.get(io.compactor.api.NodeMetrics.Kind.BASE).sum()
                + m.compactionSuccess.get(io.compactor.api.NodeMetrics.Kind.FULL).sum();
    }

    @Test
    void withSingleReplicaCompactionOnlyTheDesignatedReplicaMergesAndAllEndIdentical() {
        List<CompactorServer> nodes = threeNodes();
        String body = tableBody(1, 3).replace("\"replication_num\":3}",
                "\"replication_num\":3,\"properties\":{\"enable_single_replica_compaction\":\"true\"}}");
        Answer created = new HttpTestClient(nodes.get(0).port()).put("/api/db/t", body);
        assertEquals(200, created.status(), created.body());
        long tablet = created.json().get("tablets").get(0).asLong();
        // Every node agrees which replica is designated (Doris: smallest hash of the replica id).
        List<CompactorServer> followers = nodes.stream().filter(n -> n.node().cluster().isSingleReplicaFollower(tablet)).toList();
        List<CompactorServer> designated = nodes.stream().filter(n -> !n.node().cluster().isSingleReplicaFollower(tablet)).toList();
        assertEquals(2, followers.size());
        assertEquals(1, designated.size());

        for (int i = 0; i < 12; i++) {
            JsonNode r = load(nodes.get(i % 3), "sr" + i, rows(i * 10, 10));
            assertEquals("Success", r.get("Status").asText(), r.toString());
        }
        CompactorServer d = designated.get(0);
        Answer run = new HttpTestClient(d.port()).post("/api/compaction/run?tablet_id=" + tablet
                + "&compact_type=cumulative");
        assertEquals(200, run.status(), run.body());
        await().atMost(WITHIN).until(() -> merged(d) > 0);
        List<String> want = rowsets(d, tablet);
        assertTrue(want.stream().anyMatch(v -> !v.equals("[0-1]") && !v.matches("\\[(\\d+)-\\1]")),
                "the designated replica compacted a range: " + want);
        for (CompactorServer f : followers) {
            await().atMost(WITHIN).until(() -> rowsets(f, tablet).equals(rowsets(d, tablet)));
            assertEquals(0, merged(f), "a follower never merges on its own");
            assertTrue(f.node().ops().metrics().singleReplicaSuccess.sum() > 0);
            Answer show = new HttpTestClient(f.port()).get("/api/compaction/show?tablet_id=" + tablet);
            assertTrue(show.json().has("single replica compaction status"), show.body());
        }
        for (CompactorServer n : nodes) {
            assertEquals(120, count(n));
        }
        // The designated replica's node leaving moves the designation to a member that is left.
        d.close();
        open.remove(d);
        await().atMost(WITHIN).until(() -> followers.stream()
                .filter(n -> !n.node().cluster().isSingleReplicaFollower(tablet)).count() == 1);
    }

    /** Local versions of every tablet of the table on every node: tablet -> [v(n1), v(n2), v(n3)]. */
    private static Map<Long, List<Long>> versionsEverywhere(List<CompactorServer> nodes, Iterable<Long> tablets) {
        Map<Long, List<Long>> out = new HashMap<>();
        for (long t : tablets) {
            List<Long> vs = new ArrayList<>();
            for (CompactorServer n : nodes) {
                vs.add(localVersion(n, t));
            }
            out.put(t, vs);
        }
        return out;
    }

    @Test
    void aLoadThatOneTabletCanNotStageOnAMajorityFailsAndIsVisibleNowhere() {
        List<CompactorServer> nodes = threeNodes();
        assertEquals(200, new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(2, 3)).status());
        assertEquals("Success", load(nodes.get(0), "ok0", rows(0, 40)).get("Status").asText());
        Map<Long, List<String>> placement = placement(nodes.get(0));
        long victim = placement.keySet().iterator().next();
        Map<Long, List<Long>> before = versionsEverywhere(nodes, placement.keySet());
        // Writing the victim tablet's rows fails on two of its three replicas; the other tablet is fine.
        for (CompactorServer n : List.of(nodes.get(1), nodes.get(2))) {
            n.node().ops().debugPoints().add("segment.write", 1, -1, Map.of("tablet_id", Long.toString(victim)));
        }
        JsonNode r = load(nodes.get(0), "bad", rows(1000, 40));
        assertEquals("Fail", r.get("Status").asText(), r.toString());
        for (CompactorServer n : nodes) {
            assertEquals(40, count(n), "nothing of the failed load is visible through any node");
        }
        assertEquals(before, versionsEverywhere(nodes, placement.keySet()), "no replica of any tablet moved");
        // The label was not used up, and the next load commits everywhere.
        assertEquals("Success", load(nodes.get(1), "bad", rows(1000, 40)).get("Status").asText());
        for (CompactorServer n : nodes) {
            assertEquals(80, count(n));
        }
    }

    @Test
    void aReplicaWhosePublishFailedStillEndsWithTheLoad() {
        List<CompactorServer> nodes = threeNodes();
        assertEquals(200, new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(1, 3)).status());
        long tablet = placement(nodes.get(0)).keySet().iterator().next();
        nodes.get(2).node().ops().debugPoints().add("replica.publish", 1, -1,
                Map.of("tablet_id", Long.toString(tablet)));
        // Two of three replicas publish: the load is committed (a majority holds it at version 2).
        JsonNode r = load(nodes.get(0), "p0", rows(0, 30));
        assertEquals("Success", r.get("Status").asText(), r.toString());
        for (int i = 1; i < 4; i++) {
            assertEquals("Success", load(nodes.get(i % 3), "p" + i, rows(i * 30, 30)).get("Status").asText());
        }
        for (CompactorServer n : nodes) {
            assertEquals(120, count(n));
        }
        // The replica that failed to publish gets the load (its prepared copy resolves to
        // COMMITTED, or it catches up from a peer) and then every later one.
        long want = localVersion(nodes.get(0), tablet);
        assertEquals(5, want);
        await().atMost(WITHIN).until(() -> localVersion(nodes.get(2), tablet) == want);
        CompactorServer n3 = nodes.get(2);
        Answer check = new HttpTestClient(n3.port()).get("/api/check_tablet?tablet_id=" + tablet);
        assertEquals(120, check.json().get("rows").asLong(), check.body());
    }

    @Test
    void aReturningNodeDropsWhatWasDroppedAndLearnsWhatWasCreatedWhileItWasAway() {
        List<CompactorServer> nodes = threeNodes();
        Answer old = new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(2, 3));
        assertEquals(200, old.status(), old.body());
        long oldId = old.json().get("table_id").asLong();
        assertEquals("Success", load(nodes.get(0), "o1", rows(0, 10)).get("Status").asText());

        CompactorServer away = nodes.get(2);
        away.close();
        open.remove(away);
        await().atMost(WITHIN).until(() -> sees(nodes.get(0), 2) && sees(nodes.get(1), 2));
        assertEquals(200, new HttpTestClient(nodes.get(1).port()).send("DELETE", "/api/db/t", "", Map.of()).status());
        Answer again = new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(1, 2));
        assertEquals(200, again.status(), again.body());
        long newId = again.json().get("table_id").asLong();
        assertTrue(newId != oldId);

        CompactorServer back = start("n3");
        await().atMost(WITHIN).until(() -> sees(back, 3));
        await().atMost(WITHIN).until(() -> back.node().tables().byId(oldId) == null
                && back.node().tables().get("db", "t") != null && back.node().tables().get("db", "t").tableId() == newId);
        assertTrue(back.node().unwrap(Node.class).catalog().droppedTables().containsKey(oldId));
        assertEquals(0, back.node().unwrap(Node.class).catalog().tablets().size(), "its replicas of the dropped table are gone");
        assertEquals("Success", load(back, "n1", rows(0, 5)).get("Status").asText());
        for (CompactorServer n : List.of(nodes.get(0), nodes.get(1), back)) {
            assertEquals(5, count(n));
        }
    }

    @Test
    void anyNodeAnswersForATabletItHoldsNoReplicaOf() {
        List<CompactorServer> nodes = threeNodes();
        Answer created = new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(3, 1));
        assertEquals(200, created.status(), created.body());
        assertEquals("Success", load(nodes.get(1), "f0", rows(0, 30)).get("Status").asText());
        long rowsSeenFromEveryNode = 0;
        for (JsonNode t : created.json().get("tablets")) {
            long tablet = t.asLong();
            CompactorServer holder = nodes.stream().filter(n -> n.node().tables().isLocal(tablet))
                    .findFirst().orElseThrow();
            Answer direct = new HttpTestClient(holder.port()).get("/api/compaction/show?tablet_id=" + tablet);
            for (CompactorServer n : nodes) {
                // A node forwards once it has learned a holder's HTTP address from the cluster.
                await().atMost(Duration.ofSeconds(30)).until(() -> n.node().tables().isLocal(tablet)
                        || n.node().cluster().replicaHttpAddress(tablet) != null);
                Answer show = new HttpTestClient(n.port()).get("/api/compaction/show?tablet_id=" + tablet);
                assertEquals(200, show.status(), show.body());
                assertEquals(direct.json().get("rowsets"), show.json().get("rowsets"));
                Answer check = new HttpTestClient(n.port()).get("/api/check_tablet?tablet_id=" + tablet);
                assertEquals(200, check.status(), check.body());
                rowsSeenFromEveryNode += check.json().get("rows").asLong();
            }
        }
        assertEquals(3 * 30, rowsSeenFromEveryNode, "each node saw all 30 rows through check_tablet");
        // A tablet no table places anywhere: Doris's answer, from whichever node is asked.
        Answer missing = new HttpTestClient(nodes.get(2).port()).get("/api/compaction/show?tablet_id=999999");
        assertTrue(missing.body().contains("Tablet not found. tablet_id=999999"), missing.body());
    }

    @Test
    void replicationAboveTheLiveNodesIsRefusedWithAClearError() {
        List<CompactorServer> nodes = threeNodes();
        Answer a = new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(2, 4));
        assertEquals(400, a.status(), a.body());
        assertTrue(a.body().contains("replication_num 4 exceeds the 3 live nodes"), a.body());
    }

    @Test
    void aNodeAwayKeepsTheTableLoadableAndItCatchesUpWhenItReturns() {
        List<CompactorServer> nodes = threeNodes();
        assertEquals(200, new HttpTestClient(nodes.get(0).port()).put("/api/db/t", tableBody(3, 3)).status());
        Map<Long, List<String>> before = placement(nodes.get(0));
        assertEquals("Success", load(nodes.get(0), "a0", rows(0, 50)).get("Status").asText());

        CompactorServer away = nodes.get(2);
        away.close();
        open.remove(away);
        await().atMost(WITHIN).until(() -> sees(nodes.get(0), 2) && sees(nodes.get(1), 2));

        for (int i = 1; i <= 4; i++) {
            JsonNode r = load(nodes.get(i % 2), "a" + i, rows(i * 50, 50));
            assertEquals("Success", r.get("Status").asText(), r.toString());
        }
        assertEquals(250, count(nodes.get(0)));
        assertEquals(250, count(nodes.get(1)));

        CompactorServer back = start("n3");
        await().atMost(WITHIN).until(() -> sees(back, 3));
        assertEquals(before, placement(back), "placement survives the restart");
        for (long tablet : before.keySet()) {
            long want = localVersion(nodes.get(0), tablet);
            await().atMost(WITHIN).until(() -> localVersion(back, tablet) == want);
        }
        assertEquals(250, count(back));
        JsonNode after = load(back, "a5", rows(250, 50));
        assertEquals("Success", after.get("Status").asText(), after.toString());
        for (CompactorServer n : List.of(nodes.get(0), nodes.get(1), back)) {
            assertEquals(300, count(n));
        }
        for (long tablet : before.keySet()) {
            assertEquals(localVersion(nodes.get(0), tablet), localVersion(back, tablet));
        }
    }
}
