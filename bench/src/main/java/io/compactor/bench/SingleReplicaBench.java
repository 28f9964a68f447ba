package io.compactor.bench;

import com.typesafe.config.ConfigFactory;
import io.compactor.bench.sim.LoadStats;
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
 * <p>Both halves do the same work: simulate offers a fixed number of loads ({@code --loads}, no
 * deadline), then the bench waits until compaction is quiet on every node (no merge running, no
 * merge or fetch finished and version counts unchanged for {@link #QUIET}). Each half prints its loads, rows, merges
 * and fetches; the ratio is printed only when both halves loaded the same loads and rows without a
 * failure and both reached quiet, else the line says why not.
 *
 * <p>Flags: {@code --loads 200 --rate 10 --tables 2 --buckets 4 --rows-per-load 20000}
 * ({@code --seconds S}, the former flag, means {@code --loads rate x S}). Last line:
 * {@code single-replica: cpu_s_off=<n> cpu_s_on=<n> ratio=<x> fetched_bytes=<n>} (goal ratio <= 0.4),
 * or {@code single-replica: cpu_s_off=<n> cpu_s_on=<n> ratio=n/a (<why>)}.
 */
public final class SingleReplicaBench {
    private static final String TOKEN = "single-replica-bench-token";
    /** How long version counts must stay unchanged (and nothing run) for a half to count as done. */
    static final Duration QUIET = Duration.ofSeconds(5);
    /** The longest wait for quiet after the loads. */
    static final Duration QUIET_TIMEOUT = Duration.ofSeconds(180);
    private static final String DB = "srbench";

    private SingleReplicaBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("loads", "seconds", "rate", "tables", "buckets",
                "rows-per-load"));
        int rate = Flags.intFlag(f, "rate", 10, 1);
        int loads = f.containsKey("seconds") && !f.containsKey("loads")
                ? rate * Flags.intFlag(f, "seconds", 20, 1) : Flags.intFlag(f, "loads", 200, 1);
        int tables = Flags.intFlag(f, "tables", 2, 1);
        int buckets = Flags.intFlag(f, "buckets", 4, 1);
        int rows = Flags.intFlag(f, "rows-per-load", 20_000, 1);
        List<String> sim = List.of("steady", "--loads", Integer.toString(loads), "--rate", Integer.toString(rate),
                "--tables", Integer.toString(tables), "--buckets", Integer.toString(buckets), "--rows-per-load",
                Integer.toString(rows), "--replication", "3", "--settle", "2s", "--db", DB);
        System.out.println("single-replica: uptime before: " + loadAverage());
        Result off = run("off", sim, false);
        Result on = run("on", sim, true);
        System.out.println("single-replica: uptime after: " + loadAverage());
        for (Result r : List.of(off, on)) {
            System.out.printf(Locale.ROOT, "  half %s: loads=%d failed=%d rows=%d merges=%d merged_rows=%d fetches=%d"
                            + " fetch_failures=%d quiet=%s cpu_s=%.2f (merge_s=%.2f fetch_s=%.2f)%n", r.mode, r.loads,
                    r.failedLoads, r.rows, r.merges, r.mergedRows, r.fetches, r.fetchFailures, r.quiet ? "yes" : "no",
                    r.cpuSeconds, r.cpuSeconds - r.fetchCpuSeconds, r.fetchCpuSeconds);
        }
        String unfair = unfair(off, on);
        if (unfair != null) {
            System.out.printf(Locale.ROOT, "single-replica: cpu_s_off=%.2f cpu_s_on=%.2f ratio=n/a (%s)%n",
                    off.cpuSeconds, on.cpuSeconds, unfair);
            return;
        }
        double ratio = off.cpuSeconds == 0 ? Double.NaN : on.cpuSeconds / off.cpuSeconds;
        System.out.printf(Locale.ROOT, "single-replica: cpu_s_off=%.2f cpu_s_on=%.2f ratio=%.2f fetched_bytes=%d%n",
                off.cpuSeconds, on.cpuSeconds, ratio, on.fetchedBytes);
    }

    /** Why the two halves are not comparable, or null when they did the same work. */
    static String unfair(Result off, Result on) {
        List<String> why = new ArrayList<>();
        if (off.loads != on.loads) {
            why.add("the halves loaded " + off.loads + " and " + on.loads + " loads");
        }
        if (off.rows != on.rows) {
            why.add("the halves hold " + off.rows + " and " + on.rows + " rows");
        }
        if (off.failedLoads + on.failedLoads > 0) {
            why.add((off.failedLoads + on.failedLoads) + " load(s) failed");
        }
        for (Result r : List.of(off, on)) {
            if (!r.quiet) {
                why.add("compaction of half '" + r.mode + "' was not quiet within " + QUIET_TIMEOUT.toSeconds() + " s");
            }
        }
        if (off.merges == 0) {
            why.add("half 'off' ran no merge");
        }
        return why.isEmpty() ? null : String.join("; ", why);
    }

    record Result(String mode, long loads, long failedLoads, long rows, long merges, long mergedRows, long fetches,
                  long fetchFailures, boolean quiet, double cpuSeconds, double fetchCpuSeconds, long fetchedBytes) {
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
            SimulationRunner sim = new SimulationRunner(SimOptions.parse(args.toArray(new String[0])), System.out, false);
            int rc = sim.run();
            if (rc != SimulationRunner.OK) {
                throw new IllegalStateException("simulate failed with exit code " + rc);
            }
            long loaded = sim.result().loads().stream().filter(r -> r.outcome() == LoadStats.Outcome.SUCCESS).count();
            long failedLoads = sim.result().loads().size() - loaded;
            long rows = sim.result().loads().stream().filter(r -> r.outcome() == LoadStats.Outcome.SUCCESS)
                    .mapToLong(LoadStats.Record::rows).sum();
            boolean quiet = awaitQuiet(nodes);
            double cpu = 0;
            double fetchCpuAll = 0;
            long fetched = 0;
            long merges = 0;
            long mergedRows = 0;
            long fetches = 0;
            long fetchFailures = 0;
            for (CompactorServer n : nodes) {
                PrometheusText m = metrics(n.port());
                double nodeCpu = m.sum("compactor_compaction_cpu_seconds_total");
                double fetchCpu = m.value("compactor_compaction_cpu_seconds_total", "type", "single_replica");
                long nodeFetched = (long) m.sum("compactor_single_replica_fetched_bytes_total");
                long nodeMerges = 0;
                for (String kind : MERGE_KINDS) {
                    nodeMerges += (long) m.value("compactor_compaction_success_total", "type", kind);
                    mergedRows += (long) m.value("compactor_compaction_rows_total", "type", kind);
                }
                System.out.printf(Locale.ROOT, "  node %s: compaction_cpu_s=%.2f fetched_bytes=%d"
                                + " (merge_s=%.2f fetch_s=%.2f) merges=%d single_replica_fetches=%s max_version_count=%d%n",
                        n.node().cluster().self(), nodeCpu, nodeFetched, nodeCpu - fetchCpu, fetchCpu, nodeMerges,
                        fetches(m), (long) m.sum("compactor_tablet_max_versions"));
                StringBuilder per = new StringBuilder();
                for (var ts : n.node().compaction().stats().all()) {
                    boolean follower = n.node().cluster().isSingleReplicaFollower(ts.tabletId());
                    per.append(' ').append(ts.tabletId()).append(follower ? "f" : "d").append('=')
                            .append(ts.versionCount()).append('@').append(ts.maxVersion());
                }
                System.out.println("    versions:" + per);
                cpu += nodeCpu;
                fetchCpuAll += fetchCpu;
                fetched += nodeFetched;
                merges += nodeMerges;
                fetches += (long) m.value("compactor_single_replica_compaction_total", "status", "success");
                fetchFailures += (long) m.value("compactor_single_replica_compaction_total", "status", "failed");
            }
            System.out.println("  " + fetchBreakdown(nodes, fetches, merges, cpu - fetchCpuAll, fetchCpuAll));
            return new Result(mode, loaded, failedLoads, rows, merges, mergedRows, fetches, fetchFailures, quiet, cpu,
                    fetchCpuAll, fetched);
        } finally {
            for (int i = nodes.size() - 1; i >= 0; i--) {
                nodes.get(i).close();
            }
            TempTree.delete(root);
        }
    }

    /**
     * Where the fetches' time went (compactor_peer_fetch_seconds_total summed over the nodes), per
     * fetch, next to what a merge cost: the figures behind the ratio.
     */
    private static String fetchBreakdown(List<CompactorServer> nodes, long fetches, long merges, double mergeCpu,
                                         double fetchCpu) throws IOException, InterruptedException {
        Map<String, double[]> phases = new java.util.LinkedHashMap<>();
        long peerFetches = 0;
        long requests = 0;
        for (CompactorServer n : nodes) {
            PrometheusText m = metrics(n.port());
            peerFetches += (long) m.sum("compactor_peer_fetch_total");
            requests += (long) m.sum("compactor_peer_fetch_requests_total");
            for (String phase : List.of("list", "transfer", "verify", "sync")) {
                double[] wc = phases.computeIfAbsent(phase, k -> new double[2]);
                for (var sample : m.samples()) {
                    if (sample.name().equals("compactor_peer_fetch_seconds_total")
                            && phase.equals(sample.labels().get("phase"))) {
                        wc[sample.labels().get("clock").equals("wall") ? 0 : 1] += sample.value();
                    }
                }
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "cost: merge cpu_ms=%.2f per merge (%d merges); fetch cpu_ms=%.2f per fetch (%d fetches)",
                merges == 0 ? 0 : mergeCpu * 1000 / merges, merges, fetches == 0 ? 0 : fetchCpu * 1000 / fetches,
                fetches));
        if (peerFetches > 0) {
            b.append(String.format(Locale.ROOT, "; per peer fetch (%d, %.1f requests each) wall_ms/cpu_ms:",
                    peerFetches, requests / (double) peerFetches));
            for (var e : phases.entrySet()) {
                b.append(String.format(Locale.ROOT, " %s=%.2f/%.2f", e.getKey(), e.getValue()[0] * 1000 / peerFetches,
                        e.getValue()[1] * 1000 / peerFetches));
            }
        }
        return b.toString();
    }

    private static final List<String> MERGE_KINDS = List.of("cumulative", "base", "full");

    /**
     * Waits until no merge runs on any node and no merge or fetch has finished and no tablet's
     * versions changed for {@link #QUIET}; false if that did not happen within {@link #QUIET_TIMEOUT}.
     */
    private static boolean awaitQuiet(List<CompactorServer> nodes) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QUIET_TIMEOUT.toNanos();
        String last = null;
        long sameSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            StringBuilder state = new StringBuilder();
            boolean busy = false;
            for (CompactorServer n : nodes) {
                PrometheusText m = metrics(n.port());
                for (String kind : MERGE_KINDS) {
                    busy |= m.value("compactor_compaction_running", "type", kind) > 0;
                    state.append((long) m.value("compactor_compaction_success_total", "type", kind)).append(' ');
                }
                // Followers keep asking the designated replica (and are told "nothing newer"): only
                // fetches that installed something count as progress.
                state.append((long) m.value("compactor_single_replica_compaction_total", "status", "success"))
                        .append(' ');
                for (var ts : n.node().compaction().stats().all()) {
                    state.append(ts.tabletId()).append('=').append(ts.versionCount()).append('@')
                            .append(ts.maxVersion()).append(' ');
                }
                state.append('|');
            }
            String now = state.toString();
            if (busy || !now.equals(last)) {
                last = now;
                sameSince = System.nanoTime();
            } else if (System.nanoTime() - sameSince >= QUIET.toNanos()) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** The first line of /proc/loadavg (the 1, 5 and 15 minute load averages), or why it is unknown. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return "load average " + f[0] + ", " + f[1] + ", " + f[2] + " on " + Runtime.getRuntime().availableProcessors()
                    + " cores (figures taken above 3 are not valid measurements)";
        } catch (IOException | RuntimeException e) {
            return "load average unknown (" + e.getMessage() + ")";
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
