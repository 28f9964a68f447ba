package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bin/compactor bench scheduler}: how one node copes with 100,000 tablets. The node runs in a
 * child JVM with an explicit {@code --xmx} (3g) so its heap is measured on its own. Phases:
 * <ol>
 *   <li>create {@code --tables} (100) tables of {@code --buckets} (1000) buckets over HTTP: {@code create_s};</li>
 *   <li>two stream loads into each of the first {@code --loaded-tables} (30) tables, so their tablets
 *       have something for a full compaction ([0-1] plus two rowsets);</li>
 *   <li>{@code jcmd GC.run}, then the used heap from {@code jstat -gc}: {@code heap_mb};</li>
 *   <li>kill -9 and restart the node on the same data: {@code recover_s} runs from the process start
 *       until {@code /api/health} answers and the overview counts every tablet;</li>
 *   <li>open loop: {@code --rate} (1000) manual full compactions per second over HTTP for
 *       {@code --seconds} (30), each of a different loaded tablet, with the compaction slots raised
 *       so slots are free; a trigger's latency runs from the moment it was due to be sent to the
 *       {@code start_time} of its compaction profile. The client keeps at most {@code --in-flight}
 *       (1500) requests open on a keep-alive connection pool (a manual run answers when its
 *       compaction ends, or after 2 s); a request that waits for a permit still counts from its due
 *       time, so a node that cannot keep up shows in the latency. A progress line also gives the
 *       latency from the actual send and the rate at which compactions started.</li>
 * </ol>
 * Last line: {@code scheduler: tablets=<n> create_s=<n> heap_mb=<n> recover_s=<n> trigger_p50_ms=<n>
 * trigger_p99_ms=<n>}. Goals: heap <= 2048 MB, recovery <= 20 s, p99 <= 50 ms.
 */
public final class SchedulerBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter PROFILE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    private static final int ROWS_PER_TABLET_PER_LOAD = 4;

    private SchedulerBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("tables", "buckets", "loaded-tables", "rate", "seconds",
                "in-flight", "xmx"));
        int tables = Flags.intFlag(f, "tables", 100, 1);
        int buckets = Flags.intFlag(f, "buckets", 1000, 1);
        int loadedTables = Math.min(tables, Flags.intFlag(f, "loaded-tables", 30, 1));
        int rate = Flags.intFlag(f, "rate", 1000, 1);
        int seconds = Flags.intFlag(f, "seconds", 30, 1);
        int inFlight = Flags.intFlag(f, "in-flight", 1500, 1);
        String xmx = f.getOrDefault("xmx", "3g");
        Path dir = Files.createTempDirectory("compactor-bench-sched-");
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Map<String, String> settings = Map.of(
                // "with free slots": full compactions take base threads and data-dir slots.
                "max_base_compaction_threads", "256",
                "max_cumu_compaction_threads", "256",
                "compaction_task_num_per_disk", "512",
                "compaction_task_num_per_fast_disk", "512");
        int total = tables * buckets;
        say("tables=%d buckets=%d (%d tablets), %d loaded tables, trigger %d/s for %d s, in-flight <= %d, node -Xmx%s",
                tables, buckets, total, loadedTables, rate, seconds, inFlight, xmx);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .executor(Executors.newFixedThreadPool(4, r -> {
                    Thread t = new Thread(r, "bench-http");
                    t.setDaemon(true);
                    return t;
                })).build();
        double createS;
        long heapMb;
        double recoverS;
        long[] latencies;
        List<Long> loaded = new ArrayList<>();
        try {
            try (NodeProcess node = NodeProcess.start(data, freePort(), xmx, settings, dir.resolve("node-1.log"),
                    Duration.ofMinutes(10))) {
                URI base = URI.create(node.base());
                long t0 = System.nanoTime();
                List<List<Long>> tabletsOf = new ArrayList<>();
                for (int t = 0; t < tables; t++) {
                    tabletsOf.add(createTable(http, base, t, buckets));
                    if ((t + 1) % 10 == 0) {
                        say("created %d tables (%d tablets) in %.1f s", t + 1, (t + 1) * buckets,
                                (System.nanoTime() - t0) / 1e9);
                    }
                }
                createS = (System.nanoTime() - t0) / 1e9;
                say("create: %d tablets in %.1f s", total, createS);
                long l0 = System.nanoTime();
                for (int t = 0; t < loadedTables; t++) {
                    for (int load = 0; load < 2; load++) {
                        streamLoad(http, base, t, load, buckets);
                    }
                    loaded.addAll(tabletsOf.get(t));
                }
                say("loaded 2 loads into each of %d tables in %.1f s", loadedTables, (System.nanoTime() - l0) / 1e9);
                heapMb = heapUsedAfterGcMb(node.pid());
                say("heap used after GC: %d MB", heapMb);
                node.kill();
            }
            long r0 = System.nanoTime();
            try (NodeProcess node = NodeProcess.start(data, freePort(), xmx, settings, dir.resolve("node-2.log"),
                    Duration.ofMinutes(10))) {
                URI base = URI.create(node.base());
                long healthy = System.nanoTime();
                awaitTablets(http, base, total);
                recoverS = (System.nanoTime() - r0) / 1e9;
                say("recover: healthy after %.1f s, %d tablets known after %.1f s; %s; %s", (healthy - r0) / 1e9,
                        total, recoverS, node.recoveryLine(), node.logLine("catalog: "));
                latencies = trigger(http, base, loaded, rate, seconds, inFlight);
            }
        } finally {
            TempTree.delete(dir);
        }
        Arrays.sort(latencies);
        System.out.printf(Locale.ROOT, "scheduler: tablets=%d create_s=%.1f heap_mb=%d recover_s=%.1f "
                        + "trigger_p50_ms=%d trigger_p99_ms=%d%n", total, createS, heapMb, recoverS,
                percentile(latencies, 0.50), percentile(latencies, 0.99));
    }

    private static void say(String fmt, Object... args) {
        System.out.printf(Locale.ROOT, "scheduler: " + fmt + " [load average %.2f]%n", append(args,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
    }

    private static Object[] append(Object[] a, Object x) {
        Object[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = x;
        return out;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<Long> createTable(HttpClient http, URI base, int t, int buckets) throws Exception {
        String spec = "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"VARCHAR(32)\"}],\"key_columns\":[\"id\"],\"buckets\":" + buckets + "}";
        JsonNode answer = send(http, HttpRequest.newBuilder(base.resolve("/api/bench/t" + t))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(spec)));
        List<Long> ids = new ArrayList<>();
        answer.path("tablets").forEach(n -> ids.add(n.asLong()));
        if (ids.size() != buckets) {
            throw new IllegalStateException("table t" + t + ": expected " + buckets + " tablets, got " + answer);
        }
        return ids;
    }

    /** Enough rows that (by key hash) every bucket of the table gets some. */
    private static void streamLoad(HttpClient http, URI base, int t, int load, int buckets) throws Exception {
        int rows = buckets * ROWS_PER_TABLET_PER_LOAD * 4;
        StringBuilder body = new StringBuilder(rows * 16);
        for (int i = 0; i < rows; i++) {
            long id = (long) load * rows + i;
            body.append(id).append('\t').append('v').append(id).append('\n');
        }
        JsonNode answer = send(http, HttpRequest.newBuilder(base.resolve("/api/bench/t" + t + "/_stream_load"))
                .timeout(Duration.ofMinutes(5)).header("label", "sched-" + t + "-" + load)
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())));
        if (!"Success".equals(answer.path("Status").asText())) {
            throw new IllegalStateException("load into t" + t + " failed: " + answer);
        }
    }

    /** {@code jcmd GC.run}, then the sum of the used survivor, eden and old spaces from {@code jstat -gc}. */
    private static long heapUsedAfterGcMb(long pid) throws Exception {
        Path bin = Path.of(System.getProperty("java.home"), "bin");
        run(bin.resolve("jcmd").toString(), Long.toString(pid), "GC.run");
        String out = run(bin.resolve("jstat").toString(), "-gc", Long.toString(pid));
        String[] lines = out.strip().split("\n");
        String[] head = lines[0].trim().split("\\s+");
        String[] vals = lines[lines.length - 1].trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < head.length; i++) {
            if (Set.of("S0U", "S1U", "EU", "OU").contains(head[i])) {
                kb += Double.parseDouble(vals[i]);
            }
        }
        return Math.round(kb / 1024);
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    /** Waits until the node's overview counts every tablet. */
    private static void awaitTablets(HttpClient http, URI base, int total) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        long known = -1;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/compaction/overview"))
                    .timeout(Duration.ofMinutes(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) { // 503 while the supervisor is still busy with the tablets' first reports
                known = JSON.readTree(r.body()).path("tablets_total").asLong();
                if (known == total) {
                    return;
                }
            } else if (r.statusCode() != 503) {
                throw new IllegalStateException("/api/compaction/overview answered HTTP " + r.statusCode() + ": "
                        + r.body());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the restarted node knows " + known + " tablets, expected " + total);
    }

    /**
     * Open loop: trigger {@code i} is due at {@code start + i / rate}. Answers the latencies (ms) from
     * due time to the compaction's start; one whose compaction has not started counts with the time
     * it waited so far.
     */
    private static long[] trigger(HttpClient http, URI base, List<Long> tablets, int rate, int seconds,
                                  int inFlight) throws Exception {
        int n = Math.min(tablets.size(), rate * seconds);
        if (n < rate * seconds) {
            say("only %d loaded tablets: %d triggers instead of %d", tablets.size(), n, rate * seconds);
        }
        Map<Long, Long> dueWallMs = new ConcurrentHashMap<>();
        Map<Long, Long> sentWallMs = new ConcurrentHashMap<>();
        Map<Long, Long> startedWallMs = new ConcurrentHashMap<>();
        Semaphore permits = new Semaphore(inFlight);
        AtomicLong failed = new AtomicLong();
        AtomicLong late = new AtomicLong();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService poller = Executors.newSingleThreadExecutor();
        long periodNanos = 1_000_000_000L / rate;
        long startNanos = System.nanoTime() + 50_000_000L;
        long startWall = System.currentTimeMillis() + 50;
        var polling = poller.submit(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                collectProfiles(http, base, dueWallMs, startedWallMs);
                Thread.sleep(2_000);
            }
            return null;
        });
        for (int i = 0; i < n; i++) {
            long due = startNanos + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -10_000_000L) {
                late.incrementAndGet();
            }
            long tablet = tablets.get(i);
            dueWallMs.put(tablet, startWall + (due - startNanos) / 1_000_000);
            permits.acquire();
            sentWallMs.put(tablet, System.currentTimeMillis());
            HttpRequest req = HttpRequest.newBuilder(base.resolve("/api/compaction/run?tablet_id=" + tablet
                    + "&compact_type=full")).timeout(Duration.ofSeconds(120))
                    .POST(HttpRequest.BodyPublishers.noBody()).build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString()).whenComplete((r, err) -> {
                permits.release();
                String problem = err != null ? err.toString() : r.statusCode() != 200 ? "HTTP " + r.statusCode()
                        + " " + r.body() : r.body().contains("\"Success\"") ? null : r.body();
                if (problem != null) {
                    failed.incrementAndGet();
                    if (errors.size() < 5) {
                        errors.add("tablet " + tablet + ": " + problem);
                    }
                }
            });
        }
        double sendS = (System.nanoTime() - startNanos) / 1e9;
        permits.acquire(inFlight);
        say("sent %d triggers in %.1f s (%d more than 10 ms behind schedule), %d failed %s", n, sendS, late.get(),
                failed.get(), errors);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (startedWallMs.size() < n - failed.get() && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        polling.cancel(true);
        poller.shutdownNow();
        collectProfiles(http, base, dueWallMs, startedWallMs);
        long endWall = System.currentTimeMillis();
        long notStarted = n - startedWallMs.size();
        if (notStarted > 0 || failed.get() > 0) {
            // Honest figures anyway: a trigger whose compaction has not started counts with the time it
            // has waited so far, a lower bound of its latency.
            say("%d of %d triggered compactions had not started 60 s after the last send; %d requests failed %s",
                    notStarted, n, failed.get(), errors);
        }
        long[] out = new long[n];
        long[] fromSend = new long[n];
        int i = 0;
        long lastStart = 0;
        for (long tablet : dueWallMs.keySet()) {
            Long started = startedWallMs.get(tablet);
            long at = started == null ? endWall : started;
            out[i] = Math.max(0, at - dueWallMs.get(tablet));
            fromSend[i++] = Math.max(0, at - sentWallMs.getOrDefault(tablet, dueWallMs.get(tablet)));
            if (started != null) {
                lastStart = Math.max(lastStart, started);
            }
        }
        Arrays.sort(fromSend);
        long[] sorted = out.clone();
        Arrays.sort(sorted);
        say("triggers: from due time p50 %d ms p99 %d ms; from the actual send p50 %d ms p99 %d ms; "
                + "%.0f compactions started per second (offered %d/s)", percentile(sorted, 0.5),
                percentile(sorted, 0.99), percentile(fromSend, 0.5), percentile(fromSend, 0.99),
                startedWallMs.size() * 1000.0 / Math.max(1, lastStart - startWall), rate);
        return out;
    }

    /** Reads the newest full-compaction profiles and records the start of each triggered tablet's one. */
    private static void collectProfiles(HttpClient http, URI base, Map<Long, Long> due, Map<Long, Long> started)
            throws Exception {
        JsonNode answer = send(http, HttpRequest.newBuilder(base.resolve(
                "/api/compaction/profile?compact_type=full&top_n=5000")).timeout(Duration.ofMinutes(1)).GET());
        ZoneId zone = ZoneId.systemDefault();
        for (JsonNode p : answer.path("compaction_profiles")) {
            long tablet = p.path("tablet_id").asLong();
            String start = p.path("start_time").asText("");
            if (!due.containsKey(tablet) || start.isEmpty() || !"MANUAL".equals(p.path("trigger_method").asText())) {
                continue;
            }
            long ms = LocalDateTime.parse(start, PROFILE_TIME).atZone(zone).toInstant().toEpochMilli();
            started.putIfAbsent(tablet, ms);
        }
    }

    private static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * q) - 1)];
    }

    private static JsonNode send(HttpClient http, HttpRequest.Builder req) throws Exception {
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(req.build().uri() + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
