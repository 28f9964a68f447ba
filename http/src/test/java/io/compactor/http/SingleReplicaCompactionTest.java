package io.compactor.http;

import io.compactor.actors.node.Node;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.compactor.api.NodeMetrics;
import io.compactor.api.ReplicaPeers;
import io.compactor.storage.util.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single-replica compaction end to end: three independent nodes in one JVM, each with its own HTTP
 * server, told about each other through a static {@link ReplicaPeers}; the same table and the
 * same loads on each. Only the designated replica merges; the followers fetch its output over
 * HTTP and end with the same rowset versions and rows. Clocks are manual, so back-offs (5 s after
 * a failure, 10 s after "no matched versions") pass by advancing them, not by sleeping.
 */
class SingleReplicaCompactionTest {
    static final String TOKEN = "peer-token-0123456789abcdef";

    @TempDir
    Path tmp;
    final List<CompactorServer> servers = new ArrayList<>();
    final List<ManualClock> clocks = new ArrayList<>();
    final List<StaticPeers> peers = new ArrayList<>();
    /** Node index -> http address, shared by every node's peers. */
    final Map<Integer, String> addresses = new ConcurrentHashMap<>();
    final Set<Integer> down = ConcurrentHashMap.newKeySet();
    final Set<Integer> gone = ConcurrentHashMap.newKeySet();

    @AfterEach
    void stop() {
        for (int i = 0; i < servers.size(); i++) {
            if (!down.contains(i)) {
                servers.get(i).close();
            }
        }
    }

    /** A replica per node; replica id 1000 + node index (the same on every node, as placement would say). */
    final class StaticPeers implements ReplicaPeers {
        final int self;

        StaticPeers(int self) {
            this.self = self;
        }

        @Override
        public List<Replica> replicas(long tabletId) {
            List<Replica> out = new ArrayList<>();
            for (int i = 0; i < servers.size(); i++) {
                out.add(new Replica(1000 + i, "node-" + i, addresses.get(i), i == self, !down.contains(i),
                        !gone.contains(i)));
            }
            return out;
        }

        @Override
        public String downloadToken() {
            return TOKEN;
        }
    }

    static CompactorServer startNode(Path dir, ManualClock clock) {
        Map<String, Object> m = new HashMap<>();
        m.put("compactor.storage_root_path", dir.toString());
        m.put("compactor.webserver_port", 0);
        m.put("compactor.download_token", TOKEN);
        m.put("compactor.enable_debug_points", true);
        return CompactorServer.start(ConfigFactory.parseMap(m).withFallback(ConfigFactory.load()), clock);
    }

    void startCluster(int n) {
        for (int i = 0; i < n; i++) {
            ManualClock clock = new ManualClock(1_700_000_000_000L);
            CompactorServer s = startNode(tmp.resolve("node" + i), clock);
            servers.add(s);
            clocks.add(clock);
            addresses.put(i, "127.0.0.1:" + s.port());
        }
        for (int i = 0; i < n; i++) {
            StaticPeers p = new StaticPeers(i);
            peers.add(p);
            servers.get(i).node().cluster().useReplicaPeers(p);
        }
    }

    HttpTestClient http(int node) {
        return new HttpTestClient(servers.get(node).port());
    }

    static String tableBody(String keysType, int buckets, String properties) {
        String base = HttpTestClient.tableBody(keysType, buckets);
        return base.substring(0, base.length() - 1) + ",\"properties\":" + properties + "}";
    }

    /** Creates the table on every node and checks the tablet ids are the same everywhere. */
    List<Long> createEverywhere(String table, String body) {
        List<Long> ids = null;
        for (int i = 0; i < servers.size(); i++) {
            if (down.contains(i)) {
                continue;
            }
            HttpTestClient.Answer a = http(i).put("/api/d/" + table, body);
            assertEquals(200, a.status(), a.body());
            List<Long> mine = servers.get(i).node().tables().get("d", table).tabletIds();
            if (ids == null) {
                ids = mine;
            } else {
                assertEquals(ids, mine, "fresh nodes give the same table the same tablet ids");
            }
        }
        return ids;
    }

    static String rows(int from, int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            sb.append(i).append('\t').append(i * 7L).append('\t').append("s").append(i % 13).append('\n');
        }
        return sb.toString();
    }

    void loadInto(int node, String table, String label, String body) {
        HttpTestClient.Answer a = http(node).put("/api/d/" + table + "/_stream_load", body, Map.of("label", label));
        assertEquals("Success", a.text("Status"), a.body());
    }

    /** The same loads, with the same labels, into every live node. */
    void loadEverywhere(String table, int first, int loads) {
        for (int l = first; l < first + loads; l++) {
            for (int i = 0; i < servers.size(); i++) {
                if (!down.contains(i)) {
                    loadInto(i, table, table + "-" + l, rows(l * 100, 40));
                }
            }
        }
    }

    JsonNode show(int node, long tablet) {
        return http(node).get("/api/compaction/show?tablet_id=" + tablet).json();
    }

    /** Versions of the visible rowsets, e.g. ["[0-1]", "[2-7]"]. */
    List<String> versions(int node, long tablet) {
        List<String> out = new ArrayList<>();
        for (JsonNode r : show(node, tablet).get("rowsets")) {
            out.add(r.asText().split(" ")[0]);
        }
        return out;
    }

    long count(int node, String table) {
        return http(node).get("/api/d/" + table + "/_count").json().get("rows").asLong();
    }

    NodeMetrics metrics(int node) {
        return servers.get(node).node().ops().metrics();
    }

    long localCompactions(int node) {
        NodeMetrics m = metrics(node);
        return m.compactionSuccess.get(NodeMetrics.Kind.CUMULATIVE).sum()
                + m.compactionSuccess.get(NodeMetrics.Kind.BASE).sum()
                + m.compactionSuccess.get(NodeMetrics.Kind.FULL).sum();
    }

    void advanceAll(Duration d) {
        for (ManualClock c : clocks) {
            c.advance(d);
        }
    }

    int designated() {
        return (int) (ReplicaPeers.designated(peers.get(0).replicas(0)).orElseThrow().replicaId() - 1000);
    }

    @Test
    void onlyTheDesignatedReplicaMergesAndFollowersEndIdentical() {
        startCluster(3);
        // Runtime-mutable, shown by show_config; one fetch at a time on each follower.
        for (int f = 0; f < 3; f++) {
            assertEquals("OK", http(f).post("/api/update_config?max_single_replica_compaction_threads=1")
                    .json().get(0).get("status").asText());
            JsonNode cfg = http(f).get("/api/show_config?conf_item=max_single_replica_compaction_threads").json();
            assertEquals("1", cfg.get(0).get(2).asText(), cfg.toString());
            assertEquals("true", cfg.get(0).get(3).asText(), cfg.toString());
        }
        List<Long> tablets = createEverywhere("t", tableBody("DUPLICATE_KEYS", 2,
                "{\"enable_single_replica_compaction\":\"true\"}"));
        int d = designated();
        List<Integer> followers = new ArrayList<>(List.of(0, 1, 2));
        followers.remove(Integer.valueOf(d));
        for (int f : followers) {
            assertTrue(servers.get(f).node().cluster().isSingleReplicaFollower(tablets.get(0)));
        }
        assertFalse(servers.get(d).node().cluster().isSingleReplicaFollower(tablets.get(0)));

        loadEverywhere("t", 0, 8);
        long expectedRows = 8 * 40;

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            advanceAll(Duration.ofSeconds(11));
            assertTrue(localCompactions(d) > 0, "the designated replica compacts");
            for (long tablet : tablets) {
                List<String> want = versions(d, tablet);
                assertTrue(want.size() < 9, "designated tablet " + tablet + " compacted: " + want);
                for (int f : followers) {
                    assertEquals(want, versions(f, tablet), "follower " + f + " of tablet " + tablet);
                }
            }
        });
        for (int f : followers) {
            assertEquals(0, localCompactions(f), "a follower never merges on its own");
            assertTrue(metrics(f).runningMax.get(NodeMetrics.Kind.SINGLE_REPLICA).get() <= 1,
                    "max_single_replica_compaction_threads = 1 held: "
                            + metrics(f).runningMax.get(NodeMetrics.Kind.SINGLE_REPLICA).get() + " cfg "
                            + servers.get(f).node().ops().config().value("max_single_replica_compaction_threads"));
            assertTrue(metrics(f).singleReplicaSuccess.sum() > 0);
            assertTrue(metrics(f).singleReplicaFetchedBytes.sum() > 0);
            assertTrue(metrics(f).compactionSuccess.get(NodeMetrics.Kind.SINGLE_REPLICA).sum() > 0);
            assertEquals(expectedRows, count(f, "t"));
            String prom = http(f).get("/metrics").body();
            assertTrue(prom.contains("compactor_single_replica_compaction_total{status=\"success\"} "), prom);
            assertTrue(prom.contains("compactor_compaction_cpu_seconds_total{type=\"single_replica\"} "), prom);
            assertTrue(prom.contains("compactor_single_replica_fetched_bytes_total "), prom);
        }
        assertEquals(0, metrics(d).singleReplicaSuccess.sum(), "the designated replica fetches nothing");
        assertEquals(expectedRows, count(d, "t"));

        // show: the status block, in Doris's place (after the last statuses, before rowsets).
        JsonNode s = show(followers.get(0), tablets.get(0));
        JsonNode block = s.get("single replica compaction status");
        assertEquals(addresses.get(d), block.get("remote peer").asText());
        assertTrue(block.get("last fetched rowset").asText().matches("\\[\\d+-\\d+]"), block.toString());
        assertTrue(block.has("last failure status"));
        List<String> keys = new ArrayList<>();
        s.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys.indexOf("last full status") + 1, keys.indexOf("single replica compaction status"), keys.toString());
        assertEquals(keys.indexOf("single replica compaction status") + 1, keys.indexOf("rowsets"), keys.toString());

        // remote=true: the designated replica must compact locally (Doris's text); a follower fetches.
        HttpTestClient.Answer remote = http(d).post("/api/compaction/run?tablet_id=" + tablets.get(0)
                + "&compact_type=cumulative&remote=true");
        assertEquals("NOT_IMPLEMENTED_ERROR", remote.text("status"));
        assertEquals("tablet should do compaction locally", remote.text("msg"));
        HttpTestClient.Answer fetch = http(followers.get(0)).post("/api/compaction/run?tablet_id=" + tablets.get(0)
                + "&compact_type=cumulative&remote=true");
        // In sync already: Doris's CANCELLED "no matched versions" (or success if a fetch was still due).
        assertTrue(fetch.body().contains("no matched versions for single replica compaction")
                || fetch.text("status").equals("Success"), fetch.body());
    }

    @Test
    void followersWaitForAnUnreachableDesignatedPeerAndTakeOverOnceItLeaves() {
        startCluster(3);
        List<Long> tablets = createEverywhere("t", tableBody("DUPLICATE_KEYS", 1,
                "{\"enable_single_replica_compaction\":\"true\"}"));
        long tablet = tablets.get(0);
        int d = designated();
        List<Integer> followers = new ArrayList<>(List.of(0, 1, 2));
        followers.remove(Integer.valueOf(d));

        // The designated node goes down but stays a member (reachable = false: failures fast).
        servers.get(d).close();
        down.add(d);
        loadEverywhere("t", 0, 8);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            advanceAll(Duration.ofSeconds(6));
            for (int f : followers) {
                assertTrue(metrics(f).singleReplicaFailed.sum() >= 2, "follower " + f + " keeps trying");
            }
        });
        for (int f : followers) {
            assertEquals(0, localCompactions(f), "no local compaction while the designated peer is a member");
            assertEquals(9, versions(f, tablet).size());
            JsonNode block = show(f, tablet).get("single replica compaction status");
            assertEquals(addresses.get(d), block.get("remote peer").asText());
            assertTrue(block.get("last failure status").asText().contains("unreachable"), block.toString());
        }

        // Reachable again as far as membership knows, but nothing answers: the HTTP error is the failure.
        down.remove(d);
        long before = metrics(followers.get(0)).singleReplicaFailed.sum();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            advanceAll(Duration.ofSeconds(6));
            assertTrue(metrics(followers.get(0)).singleReplicaFailed.sum() > before);
        });
        assertTrue(show(followers.get(0), tablet).get("single replica compaction status").get("last failure status")
                .asText().contains(addresses.get(d)));
        assertEquals(0, localCompactions(followers.get(0)));
        down.add(d);

        // It leaves the cluster: the designation moves to a follower, which compacts locally; the other fetches.
        gone.add(d);
        int next = designated();
        assertNotEquals(d, next);
        int other = followers.get(0) == next ? followers.get(1) : followers.get(0);
        assertFalse(servers.get(next).node().cluster().isSingleReplicaFollower(tablet));
        assertTrue(servers.get(other).node().cluster().isSingleReplicaFollower(tablet));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            advanceAll(Duration.ofSeconds(11));
            assertTrue(localCompactions(next) > 0, "the new designated replica compacts");
            List<String> want = versions(next, tablet);
            assertTrue(want.size() < 9, want.toString());
            assertEquals(want, versions(other, tablet));
        });
        assertEquals(0, localCompactions(other));
        assertEquals(8 * 40, count(other, "t"));
        assertEquals(8 * 40, count(next, "t"));
    }

    /** Keeps only the first n loads on node 1, all on node 0. */
    void loadLagging(String table, int loads, int missed) {
        for (int l = 0; l < loads; l++) {
            String body = table.startsWith("u") ? rows((l % 3) * 20, 40) : rows(l * 100, 40);
            loadInto(0, table, table + "-" + l, body);
            if (l < loads - missed) {
                loadInto(1, table, table + "-" + l, body);
            }
        }
    }

    ReplicaPeers.Replica replica(int node) {
        return peers.get(1).replicas(0).get(node);
    }

    @Test
    void aLaggingReplicaCatchesUpAndACorruptDownloadLeavesNothing() throws Exception {
        startCluster(2);
        long tablet = createEverywhere("dup", tableBody("DUPLICATE_KEYS", 1,
                "{\"disable_auto_compaction\":\"true\"}")).get(0);
        loadLagging("dup", 6, 4);
        assertEquals(List.of("[0-1]", "[2-2]", "[3-3]"), versions(1, tablet));
        var behind = servers.get(1).node();
        var metaBefore = behind.reads().tabletMeta(tablet).toCompletableFuture().get();

        // A byte flipped on the way: verification fails naming file and peer, nothing is installed or left.
        behind.ops().debugPoints().add("peer.download.corrupt", 1, -1, Map.of());
        Throwable err = null;
        try {
            behind.cluster().catchUpFrom(tablet, replica(0)).toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            err = e.getCause();
        }
        assertTrue(err != null && err.getMessage().contains(addresses.get(0)) && err.getMessage().contains(".dat"),
                String.valueOf(err));
        assertEquals(metaBefore.rowsets(), behind.reads().tabletMeta(tablet).toCompletableFuture().get().rowsets());
        assertOnlyReferencedFiles(1, tablet);

        var result = behind.cluster().catchUpFrom(tablet, replica(0)).toCompletableFuture().get();
        assertEquals(3, result.versionBefore());
        assertEquals(7, result.versionAfter());
        assertEquals(4, result.rowsetsFetched());
        assertEquals(0, result.rowsetsReplaced());
        assertTrue(result.bytes() > 0);
        assertEquals(versions(0, tablet), versions(1, tablet));
        assertEquals(count(0, "dup"), count(1, "dup"));
        assertOnlyReferencedFiles(1, tablet);
        // Not behind any more: nothing to do; and loads continue on top of the copied chain.
        assertEquals(0, behind.cluster().catchUpFrom(tablet, replica(0)).toCompletableFuture().get().rowsetsFetched());
        loadInto(1, "dup", "dup-after", rows(90_000, 10));
        assertEquals(List.of("[0-1]", "[2-2]", "[3-3]", "[4-4]", "[5-5]", "[6-6]", "[7-7]", "[8-8]"),
                versions(1, tablet));
        assertEquals(6 * 40 + 10, count(1, "dup"));
    }

    @Test
    void aMergeOnWriteReplicaCatchesUpOverACompactedPeerWithAConsistentDeleteBitmap() throws Exception {
        startCluster(2);
        String body = "{\"keys_type\":\"UNIQUE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":1,\"replication_num\":1,"
                + "\"properties\":{\"disable_auto_compaction\":\"true\"}}";
        long tablet = createEverywhere("uniq", body).get(0);
        loadLagging("uniq", 6, 3);
        var ahead = servers.get(0).node();
        var status = ahead.compaction().runAndWait(tablet, io.compactor.scheduler.CompactionType.FULL,
                Duration.ofSeconds(30)).toCompletableFuture().get();
        assertTrue(status.ok(), status.toString());
        assertEquals(List.of("[0-7]"), versions(0, tablet));
        assertEquals(List.of("[0-1]", "[2-2]", "[3-3]", "[4-4]"), versions(1, tablet));

        var result = servers.get(1).node().cluster().catchUpFrom(tablet, replica(0)).toCompletableFuture().get();
        assertEquals(1, result.rowsetsFetched());
        assertEquals(4, result.rowsetsReplaced(), "the whole local chain lies inside the peer's [0-7]");
        assertEquals(List.of("[0-7]"), versions(1, tablet));
        assertEquals(count(0, "uniq"), count(1, "uniq"));
        assertEquals(80, count(1, "uniq"), "keys 0..79 after the overlapping loads");
        assertTabletConsistent(1, tablet);
        assertEquals(4, show(1, tablet).get("stale_rowsets").size(), "replaced rowsets are stale, as inputs are");

        // Later loads on top still mark the copied rows (the bitmap is live).
        loadInto(1, "uniq", "uniq-after", rows(0, 10));
        assertEquals(80, count(1, "uniq"));
        assertTabletConsistent(1, tablet);
    }

    void assertTabletConsistent(int node, long tablet) {
        JsonNode c = http(node).get("/api/check_tablet?tablet_id=" + tablet).json();
        assertEquals(0, c.get("duplicate_keys").asLong(), c.toString());
        assertTrue(c.get("delete_bitmap_consistent").asBoolean(), c.toString());
    }

    void assertOnlyReferencedFiles(int node, long tablet) throws Exception {
        var n = servers.get(node).node();
        var meta = n.reads().tabletMeta(tablet).toCompletableFuture().get();
        Set<String> referenced = new java.util.HashSet<>(io.compactor.storage.rowset.RowsetMeta.segmentFileNames(meta.rowsets()));
        meta.staleRowsets().forEach(s -> referenced.addAll(
                io.compactor.storage.rowset.RowsetMeta.segmentFileNames(List.of(s.rowset()))));
        Path dir = n.unwrap(Node.class).engine().dataDir(meta.dataDir()).tabletPath(tablet);
        List<String> present = new ArrayList<>();
        if (java.nio.file.Files.exists(dir)) {
            try (var files = java.nio.file.Files.list(dir)) {
                for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
                    present.add(it.next().getFileName().toString());
                }
            }
        }
        for (String f : present) {
            assertTrue(referenced.contains(f), "unreferenced file " + f + " left in " + dir);
        }
    }
}
