package io.compactor.bench;

import com.typesafe.config.ConfigFactory;
import io.compactor.bench.sim.PrometheusText;
import io.compactor.bench.sim.SimOptions;
import io.compactor.bench.sim.SimulationRunner;
import io.compactor.http.CompactorServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench single-replica}: three cluster nodes (in this JVM, on loopback) and the same
 * {@code simulate steady} run against tables with replication 3, first with single-replica
 * compaction off, then on (a fresh cluster each time). Compaction CPU is the thread CPU time of
 * every compaction merge and every single-replica fetch on all three nodes
 * ({@code compactor_compaction_cpu_seconds_total}, summed over kinds and nodes).
 *
 * <p>Flags: {@code --seconds 20 --rate 20 --tables 2 --buckets 4 --rows-per-load 2000}. Last line:
 * {@code single-replica: cpu_s_off=<n> cpu_s_on=<n> ratio=<x> fetched_bytes=<n>} (goal ratio <= 0.4).
 */
public final class SingleReplicaBench {
    private static final String TOKEN = "single-replica-bench-token";

    private SingleReplicaBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("seconds", "rate", "tables", "buckets", "rows-per-load"));
        int seconds = Flags.intFlag(f, "seconds", 20, 1);
        int rate = Flags.intFlag(f, "rate", 20, 1);
        int tables = Flags.intFlag(f, "tables", 2, 1);
        int buckets = Flags.intFlag(f, "buckets", 4, 1);
        int rows = Flags.intFlag(f, "rows-per-load", 2000, 1);
        List<String> sim = List.of("steady", "--duration", seconds + "s", "--rate", Integer.toString(rate),
                "--tables", Integer.toString(tables), "--buckets", Integer.toString(buckets), "--rows-per-load",
                Integer.toString(rows), "--replication", "3", "--settle", "10s");
        Result off = run("off", sim, false);
        Result on = run("on", sim, true);
        double ratio = off.cpuSeconds == 0 ? Double.NaN : on.cpuSeconds / off.cpuSeconds;
        System.out.printf(Locale.ROOT, "single-replica: cpu_s_off=%.2f cpu_s_on=%.2f ratio=%.2f fetched_bytes=%d%n",
                off.cpuSeconds, on.cpuSeconds, ratio, on.fetchedBytes);
    }

    private record Result(double cpuSeconds, long fetchedBytes) {
    }

    private static int freePort() {
        return io.compactor.storage.util.LoopbackPorts.free();
    }

    private static Result run(String mode, List<String> simArgs, boolean singleReplica) throws Exception {
        Path root = Files.createTempDirectory("compactor-single-replica-" + mode);
        int[] ports = {freePort(), freePort(), freePort()};
        int[] meta = {freePort(), freePort(), freePort()};
        String seeds = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
        String voters = "127.0.0.1:" + meta[0] + ",127.0.0.1:" + meta[1] + ",127.0.0.1:" + meta[2];
        List<CompactorServer> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                Map<String, Object> c = new HashMap<>();
                c.put("compactor.storage_root_path", root.resolve("n" + i).toString());
                c.put("compactor.webserver_port", 0);
                c.put("compactor.cluster_enabled", true);
                c.put("compactor.cluster_host", "127.0.0.1");
                c.put("compactor.cluster_port", ports[i]);
                c.put("compactor.cluster_seed_nodes", seeds);
                c.put("compactor.cluster_meta_voters", voters);
                c.put("compactor.cluster_meta_port", meta[i]);
                c.put("compactor.download_token", TOKEN);
                nodes.add(CompactorServer.start(ConfigFactory.parseMap(c).withFallback(ConfigFactory.load())));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!nodes.stream().allMatch(SingleReplicaBench::seesThree)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the 3-node cluster did not form within 60 s");
                }
                Thread.sleep(100);
            }
            List<String> args = new ArrayList<>(simArgs);
            args.addAll(List.of("--target", "http://127.0.0.1:" + nodes.get(0).port(),
                    "--report", Path.of("sim-reports", "single-replica-" + mode).toString()));
            if (singleReplica) {
                args.addAll(List.of("--table-property", "enable_single_replica_compaction=true"));
            }
            System.out.println("== single-replica compaction " + mode + ": simulate " + String.join(" ", args));
            int rc = new SimulationRunner(SimOptions.parse(args.toArray(new String[0])), System.out, false).run();
            if (rc != SimulationRunner.OK) {
                throw new IllegalStateException("simulate failed with exit code " + rc);
            }
            double cpu = 0;
            long fetched = 0;
            for (CompactorServer n : nodes) {
                PrometheusText m = metrics(n.port());
                double nodeCpu = m.sum("compactor_compaction_cpu_seconds_total");
                double fetchCpu = m.value("compactor_compaction_cpu_seconds_total", "type", "single_replica");
                long nodeFetched = (long) m.sum("compactor_single_replica_fetched_bytes_total");
                System.out.printf(Locale.ROOT, "  node %s: compaction_cpu_s=%.2f fetched_bytes=%d"
                                + " (merge_s=%.2f fetch_s=%.2f) single_replica_fetches=%s max_version_count=%d%n",
                        n.node().cluster().self(), nodeCpu, nodeFetched, nodeCpu - fetchCpu, fetchCpu, fetches(m),
                        (long) m.sum("compactor_tablet_max_versions"));
                StringBuilder per = new StringBuilder();
                for (var ts : n.node().compaction().stats().all()) {
                    boolean follower = n.node().cluster().isSingleReplicaFollower(ts.tabletId());
                    per.append(' ').append(ts.tabletId()).append(follower ? "f" : "d").append('=')
                            .append(ts.versionCount()).append('@').append(ts.maxVersion());
                }
                System.out.println("    versions:" + per);
                cpu += nodeCpu;
                fetched += nodeFetched;
            }
            return new Result(cpu, fetched);
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            TempTree.delete(root);
        }
    }

    private static boolean seesThree(CompactorServer s) {
        var state = s.node().cluster().status().toCompletableFuture().join();
        long up = state.members().stream().filter(m -> m.status().equals("Up")).count();
        return up == 3 && state.members().stream().allMatch(m -> m.reachable());
    }

    private static PrometheusText metrics(int port) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        return PrometheusText.parse(client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    /** {@code success/failed/cancelled} counts of single-replica fetches. */
    private static String fetches(PrometheusText m) {
        StringBuilder b = new StringBuilder();
        for (String status : List.of("success", "failed", "cancelled")) {
            b.append(b.length() == 0 ? "" : "/")
                    .append((long) m.value("compactor_single_replica_compaction_total", "status", status));
        }
        return b.toString();
    }
}
