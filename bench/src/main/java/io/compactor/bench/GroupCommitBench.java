package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.CompactorServer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bin/compactor bench groupcommit}: 1-row stream loads from {@code --clients} (16) closed-loop
 * clients into a 10-bucket table of an embedded node over HTTP, {@code --seconds} (10) per mode:
 * without group commit (each load its own label and version), with {@code group_commit: sync_mode}
 * (answers once the internal load committed; the tables' {@code group_commit_interval_ms} is
 * {@code --interval-ms}, 100) and with {@code async_mode} (answers once the row is fsynced in the
 * WAL). Each mode has its own table. Every answer must be Success; the rows are counted at the end.
 * Last line: {@code groupcommit: clients=<n> loads_per_s_off=<n> loads_per_s_sync=<n>
 * loads_per_s_async=<n> p99_ms_async=<n>}.
 */
public final class GroupCommitBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BUCKETS = 10;

    private GroupCommitBench() {
    }

    /** What one mode did: loads answered Success per second, and the 99th percentile latency. */
    private record Result(String mode, long loads, double seconds, long p99Ms) {
        double perSecond() {
            return loads / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("clients", "seconds", "interval-ms"));
        int clients = Flags.intFlag(f, "clients", 16, 1);
        int seconds = Flags.intFlag(f, "seconds", 10, 1);
        int intervalMs = Flags.intFlag(f, "interval-ms", 100, 0);
        Path dir = Files.createTempDirectory("compactor-bench-gc-");
        Map<String, Object> conf = new HashMap<>();
        conf.put("compactor.storage_root_path", dir.toString());
        conf.put("compactor.webserver_port", 0);
        conf.put("pekko.stdout-loglevel", "OFF");
        System.out.printf(Locale.ROOT, "groupcommit: %d clients, 1-row loads, %d buckets, %d s per mode, "
                        + "group_commit_interval_ms=%d, load average %.2f%n", clients, BUCKETS, seconds, intervalMs,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        List<Result> results = new ArrayList<>();
        try (CompactorServer server = CompactorServer.start(ConfigFactory.parseMap(conf)
                .withFallback(ConfigFactory.load()))) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            for (String mode : List.of("off_mode", "sync_mode", "async_mode")) {
                String table = mode.replace("_mode", "");
                String spec = "{\"keys_type\":\"DUPLICATE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                        + "{\"name\":\"v\",\"type\":\"VARCHAR(32)\"}],\"key_columns\":[\"id\"],\"buckets\":" + BUCKETS
                        + ",\"properties\":{\"group_commit_interval_ms\":\"" + intervalMs + "\"}}";
                send(http, HttpRequest.newBuilder(base.resolve("/api/bench/" + table))
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(spec)));
                Result r = run(http, base, table, mode, clients, seconds);
                results.add(r);
                long expected = r.loads();
                long rows = awaitRows(http, base, table, expected);
                System.out.printf(Locale.ROOT, "groupcommit: %-10s %7d loads in %.1f s = %8.1f loads/s, p99 %d ms, "
                        + "%d rows visible%n", mode, r.loads(), r.seconds(), r.perSecond(), r.p99Ms(), rows);
            }
        } finally {
            deleteTree(dir);
        }
        System.out.printf(Locale.ROOT, "groupcommit: clients=%d loads_per_s_off=%.1f loads_per_s_sync=%.1f "
                        + "loads_per_s_async=%.1f p99_ms_async=%d%n", clients, results.get(0).perSecond(),
                results.get(1).perSecond(), results.get(2).perSecond(), results.get(2).p99Ms());
    }

    private static Result run(HttpClient http, URI base, String table, String mode, int clients, int seconds)
            throws Exception {
        AtomicLong seq = new AtomicLong();
        long start = System.nanoTime();
        long end = start + seconds * 1_000_000_000L;
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long n = seq.getAndIncrement();
                    HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve("/api/bench/" + table
                                    + "/_stream_load")).timeout(Duration.ofMinutes(2))
                            .PUT(HttpRequest.BodyPublishers.ofString(n + "\tv" + n + "\n"));
                    if (mode.equals("off_mode")) {
                        req.header("label", "bench-gc-" + n);
                    } else {
                        req.header("group_commit", mode);
                    }
                    long t0 = System.nanoTime();
                    JsonNode answer = send(http, req);
                    if (!"Success".equals(answer.path("Status").asText())) {
                        throw new IllegalStateException(mode + " load " + n + " failed: " + answer);
                    }
                    latencies.add((System.nanoTime() - t0) / 1_000_000);
                }
                return null;
            }));
        }
        for (Future<?> fu : futures) {
            fu.get();
        }
        pool.shutdown();
        double took = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1));
        return new Result(mode, sorted.size(), took, p99);
    }

    /** Waits (async rows become visible when their internal load commits) and returns the row count. */
    private static long awaitRows(HttpClient http, URI base, String table, long expected) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        long rows;
        do {
            rows = send(http, HttpRequest.newBuilder(base.resolve("/api/bench/" + table + "/_count")).GET())
                    .path("rows").asLong();
            if (rows == expected) {
                return rows;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException(table + ": " + rows + " rows visible, " + expected + " loads answered Success");
    }

    private static JsonNode send(HttpClient http, HttpRequest.Builder req) throws Exception {
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(req.build().uri() + " answered HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
