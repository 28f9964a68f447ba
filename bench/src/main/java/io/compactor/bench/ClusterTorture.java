package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.storage.util.LoopbackPorts;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * History-checking torture of cluster mode: {@code bin/compactor torture --cluster --iterations N}.
 * Three real node processes on loopback (all three voters of the meta log) hold a DUPLICATE_KEYS
 * table with 3 buckets and {@code replication_num} 3. Each iteration, for a few seconds, several
 * clients load through every node (unique labels, and labels sent through two nodes at once),
 * a reader scans through every node in a loop, and a nemesis kill -9's, or SIGSTOPs and later
 * SIGCONTs, one node at a time at random moments (whichever node coordinates loads or leads the
 * log at that moment) and restarts killed ones. Then the dust settles (every node back) and the
 * history is checked ({@link ClusterHistory}):
 * <ul>
 *   <li>every load answered Success or Publish Timeout is visible exactly once; a Fail never is;</li>
 *   <li>each label is applied at most once (a load's rows never show twice);</li>
 *   <li>every read shows each load whole or not at all, and every load answered Success before
 *       the read began;</li>
 *   <li>every replica of each tablet ends identical: the same versions with the same content
 *       identities and rows.</li>
 * </ul>
 * Prints a line per iteration and last {@code cluster-torture: iterations=<n> loads=<n> violations=<n>}.
 */
final class ClusterTorture {
    static final String DB = "ct";
    static final String TOKEN = "cluster-torture-token-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Torture.Options options;
    private final PrintStream out;
    private final SplittableRandom random;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final Path logs;
    private final int[] http = new int[3];
    private final int[] cluster = new int[3];
    private final int[] meta = new int[3];
    private final NodeProcess[] nodes = new NodeProcess[3];
    private final int[] starts = new int[3];
    private final ClusterHistory history = new ClusterHistory();
    private List<Long> tablets = List.of();

    ClusterTorture(Torture.Options options, PrintStream out) throws IOException {
        this.options = options;
        this.out = out;
        this.random = new SplittableRandom(options.seed());
        this.logs = Files.createDirectories(options.root().resolve("logs"));
        for (int i = 0; i < 3; i++) {
            http[i] = LoopbackPorts.free();
            cluster[i] = LoopbackPorts.free();
            meta[i] = LoopbackPorts.free();
        }
    }

    Torture.Result run() throws Exception {
        out.printf("cluster-torture: %d iterations, %.1f s of faults each, %d clients, seed %d, data in %s%n",
                options.iterations(), options.seconds(), options.clients(), options.seed(), options.root());
        int violations = 0;
        try {
            for (int i = 0; i < 3; i++) {
                start(i);
            }
            awaitCluster();
            createTable();
            for (int it = 1; it <= options.iterations(); it++) {
                List<String> found = new ArrayList<>();
                String summary = iteration(found::add);
                violations += found.size();
                out.printf("iteration %d: %s violations=%d%n", it, summary, found.size());
                found.stream().limit(20).forEach(v -> out.println("  VIOLATION " + v));
            }
        } finally {
            for (NodeProcess n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
        }
        out.printf("cluster-torture: iterations=%d loads=%d violations=%d%n", options.iterations(), history.loads(),
                violations);
        return new Torture.Result(options.iterations(), violations, history.loads(), history.unanswered());
    }

    private Map<String, String> settings(int i) {
        StringBuilder seeds = new StringBuilder();
        StringBuilder voters = new StringBuilder();
        for (int n = 0; n < 3; n++) {
            seeds.append(n == 0 ? "" : ",").append("127.0.0.1:").append(cluster[n]);
            voters.append(n == 0 ? "" : ",").append("127.0.0.1:").append(meta[n]);
        }
        Map<String, String> m = new HashMap<>();
        m.put("cluster_enabled", "true");
        m.put("cluster_host", "127.0.0.1");
        m.put("cluster_port", Integer.toString(cluster[i]));
        m.put("cluster_seed_nodes", seeds.toString());
        m.put("cluster_meta_voters", voters.toString());
        m.put("cluster_meta_port", Integer.toString(meta[i]));
        m.put("cluster_down_after_seconds", "4");
        m.put("cluster_replace_after_seconds", "3600");
        m.put("download_token", TOKEN);
        m.put("load_timeout_seconds", "15");
        m.put("write_buffer_size", "16384");
        m.put("max_cumu_compaction_threads", "1");
        m.put("max_base_compaction_threads", "1");
        return m;
    }

    private void start(int i) throws IOException, InterruptedException {
        nodes[i] = NodeProcess.start(options.root().resolve("n" + i), http[i], "320m", settings(i),
                logs.resolve("n" + i + "-" + (starts[i]++) + ".log"));
    }

    private String base(int i) {
        return "http://127.0.0.1:" + http[i];
    }

    HttpResponse<String> send(int node, String method, String path, String body, Map<String, String> headers,
                              Duration timeout) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(node) + path)).timeout(timeout);
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private JsonNode json(int node, String path) throws IOException, InterruptedException {
        return JSON.readTree(send(node, "GET", path, null, Map.of(), Duration.ofSeconds(20)).body());
    }

    /** Every node alive, sees three members Up and reachable, and answers for the table's tablets. */
    private void awaitCluster() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int i = 0; i < 3 && ok; i++) {
                try {
                    JsonNode c = json(i, "/api/cluster");
                    int up = 0;
                    for (JsonNode m : c.path("members")) {
                        if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean()) {
                            up++;
                        }
                    }
                    ok = up == 3 && c.path("members").size() == 3;
                } catch (IOException e) {
                    ok = false;
                }
            }
            if (ok) {
                return;
            }
            Thread.sleep(300); // another process's state: polled
        }
        throw new IllegalStateException("the three nodes did not form a cluster within 180 s");
    }

    private void createTable() throws Exception {
        String body = "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(24)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":3,\"replication_num\":3}";
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = send(attempt % 3, "PUT", "/api/" + DB + "/t", body, Map.of(), Duration.ofSeconds(60));
            if (r.statusCode() == 200 || r.statusCode() == 409) {
                break;
            }
            if (attempt > 20) {
                throw new IllegalStateException("CREATE failed: " + r.statusCode() + " " + r.body());
            }
            Thread.sleep(1000);
        }
        JsonNode t = json(0, "/api/" + DB + "/t");
        List<Long> ids = new ArrayList<>();
        t.path("tablets").forEach(x -> ids.add(x.path("tablet_id").asLong()));
        tablets = ids;
    }

    private String iteration(Consumer<String> violation) throws Exception {
        long workMs = (long) (options.seconds() * 1000);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(options.clients() + 2);
        ClusterHistory.Round round = history.newRound();
        List<String> faults = new CopyOnWriteArrayList<>();
        try {
            for (int c = 0; c < options.clients(); c++) {
                long seed = random.nextLong();
                pool.submit(() -> new ClusterClients(this, history, round, new SplittableRandom(seed), stop).loadLoop());
            }
            long readSeed = random.nextLong();
            pool.submit(() -> new ClusterClients(this, history, round, new SplittableRandom(readSeed), stop)
                    .readLoop(violation));
            nemesis(workMs, faults);
            stop.set(true);
            pool.shutdown();
            if (!pool.awaitTermination(240, TimeUnit.SECONDS)) {
                pool.shutdownNow();
                violation.accept("clients did not finish within 240 s of the end of the work phase");
            }
        } finally {
            pool.shutdownNow();
        }
        settle();
        history.checkFinal(this, tablets, violation);
        checkReplicas(violation);
        return round.summary() + " faults=" + faults;
    }

    /** Faults at random moments for {@code workMs}, one node at a time; every node runs again at the end. */
    private void nemesis(long workMs, List<String> faults) throws Exception {
        long end = System.nanoTime() + workMs * 1_000_000L;
        while (System.nanoTime() < end) {
            Thread.sleep(300 + random.nextInt(1200)); // the moment of the fault is the point: random waits
            int victim = random.nextInt(3);
            if (random.nextBoolean()) {
                nodes[victim].kill();
                faults.add("kill" + victim);
                Thread.sleep(500 + random.nextInt(2500));
                start(victim);
            } else {
                nodes[victim].signal("STOP");
                faults.add("stop" + victim);
                Thread.sleep(500 + random.nextInt(4500));
                nodes[victim].signal("CONT");
            }
        }
    }

    /**
     * Every node alive and a member again. A node whose cluster part stopped (downed by the others
     * while it was stopped: Pekko then shuts its cluster system down) no longer answers
     * {@code /api/cluster} and is restarted; a node still joining is left alone.
     */
    private void settle() throws Exception {
        for (int i = 0; i < 3; i++) {
            if (!nodes[i].isAlive()) {
                start(i);
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        int[] silent = new int[3];
        while (System.nanoTime() < deadline) {
            try {
                awaitClusterOnce();
                return;
            } catch (IllegalStateException e) {
                for (int i = 0; i < 3; i++) {
                    silent[i] = upCount(i) < 0 ? silent[i] + 1 : 0;
                    if (!nodes[i].isAlive() || silent[i] >= 2) {
                        nodes[i].kill();
                        start(i);
                        silent[i] = 0;
                    }
                }
            }
        }
        awaitCluster();
    }

    private void awaitClusterOnce() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            for (int i = 0; i < 3 && ok; i++) {
                ok = upCount(i) == 3;
            }
            if (ok) {
                return;
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("not settled");
    }

    private int upCount(int i) {
        try {
            JsonNode c = json(i, "/api/cluster");
            int up = 0;
            for (JsonNode m : c.path("members")) {
                if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean()) {
                    up++;
                }
            }
            return up;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Every replica of each tablet reaches the same version (they catch up within a minute) and
     * then holds the same content: the same content identity over its chain and the same rows.
     */
    private void checkReplicas(Consumer<String> violation) throws Exception {
        for (long tablet : tablets) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            List<long[]> seen = null;
            boolean same = false;
            while (System.nanoTime() < deadline && !same) {
                seen = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    seen.add(replica(i, tablet));
                }
                same = identical(seen);
                if (!same) {
                    Thread.sleep(500);
                }
            }
            if (!same) {
                StringBuilder b = new StringBuilder();
                for (long[] r : seen) {
                    b.append(r == null ? " ?" : " [v=" + r[0] + " id=" + Long.toHexString(r[1]) + " rows=" + r[2] + "]");
                }
                violation.accept("replicas of tablet " + tablet + " differ after a minute:" + b);
            }
        }
    }

    private static boolean identical(List<long[]> replicas) {
        long[] first = replicas.get(0);
        return replicas.stream().allMatch(r -> r != null && first != null && r[0] == first[0] && r[1] == first[1]
                && r[2] == first[2]);
    }

    /** {max version, XOR of content identities, rows} of the node's own replica, or null. */
    private long[] replica(int node, long tablet) {
        try {
            JsonNode r = json(node, "/api/_tablet/_rowsets?tablet_id=" + tablet + "&token=" + TOKEN);
            long id = 0;
            long rows = 0;
            for (JsonNode rs : r.path("rowsets")) {
                id ^= rs.path("content_id").asLong();
                rows += rs.path("num_rows").asLong();
            }
            return new long[] {r.path("max_version").asLong(), id, rows};
        } catch (Exception e) {
            return null;
        }
    }

    /** A random node's index. */
    int anyNode(SplittableRandom r) {
        return r.nextInt(3);
    }
}
