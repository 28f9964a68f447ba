package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.CompactorServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whole-system stream-load throughput: an embedded server (temp dir, port 0, default write
 * buffer), one 8-bucket table {@code k BIGINT, v1 BIGINT, v2 BIGINT, v3 DOUBLE, v4 VARCHAR(16)},
 * {@code --rows} rows of CSV generated in memory beforehand and sent as {@code --loads} stream
 * loads over HTTP by {@code --clients} concurrent clients. Measures wall time from the first
 * request to the last answer and checks {@code _count}.
 *
 * <p>Warm-up: the whole run takes about a second and a half, so in a cold JVM most of it is spent
 * interpreting and compiling (the first 100k-row load takes several times as long as the tenth),
 * and single runs swung between ~350k and ~700k rows/s. As the merge and segload benches do,
 * {@code --warmup} (1) untimed rounds first load the same bodies into a separate table of the
 * same shape (without auto compaction, so that none of its merges run during the measured
 * loads); their rate is printed as the cold figure. Auto compaction stays on, as in
 * production: the measured run pays for the compactions its loads trigger. Last line:
 * {@code streamload: rows=<n> rows_per_s=<n>}.
 *
 * <p>Flags: {@code --rows 1000000 --loads 10 --clients 2 --keys duplicate|unique --warmup 1}.
 */
public final class StreamLoadBench {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StreamLoadBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = flags(args);
        long rows = Long.parseLong(flags.getOrDefault("rows", "1000000"));
        int loads = Integer.parseInt(flags.getOrDefault("loads", "10"));
        int clients = Integer.parseInt(flags.getOrDefault("clients", "2"));
        int warmup = Integer.parseInt(flags.getOrDefault("warmup", "1"));
        String keys = flags.getOrDefault("keys", "duplicate").equalsIgnoreCase("unique") ? "UNIQUE_KEYS" : "DUPLICATE_KEYS";
        if (rows < loads || loads < 1 || clients < 1) {
            throw new IllegalArgumentException("need rows >= loads >= 1 and clients >= 1");
        }

        Path dir = Files.createTempDirectory("compactor-streamload-");
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0)).withFallback(ConfigFactory.load());
        System.out.printf("streamload: %d rows in %d loads, %d clients, %s, data in %s%n", rows, loads, clients, keys, dir);
        try (CompactorServer server = CompactorServer.start(cfg)) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String table = "{\"keys_type\":\"" + keys + "\",\"buckets\":8,\"replication_num\":1,\"key_columns\":[\"k\"],"
                    + "\"columns\":[{\"name\":\"k\",\"type\":\"BIGINT\"},{\"name\":\"v1\",\"type\":\"BIGINT\"},"
                    + "{\"name\":\"v2\",\"type\":\"BIGINT\"},{\"name\":\"v3\",\"type\":\"DOUBLE\"},"
                    + "{\"name\":\"v4\",\"type\":\"VARCHAR(16)\"}]}";

            long genStart = System.nanoTime();
            List<byte[]> bodies = new ArrayList<>(loads);
            long bytes = 0;
            for (int i = 0; i < loads; i++) {
                long from = rows * i / loads;
                long to = rows * (i + 1) / loads;
                byte[] b = csv(from, to, i);
                bodies.add(b);
                bytes += b.length;
            }
            System.out.printf("streamload: generated %.1f MB of CSV in %d ms%n", bytes / 1e6,
                    (System.nanoTime() - genStart) / 1_000_000);

            String root = "http://127.0.0.1:" + server.port() + "/api/bench/";
            for (int w = 0; w < warmup; w++) {
                // No auto compaction on the warm-up table: its merges would run during the measured loads.
                String warmTable = table.substring(0, table.length() - 1)
                        + ",\"properties\":{\"disable_auto_compaction\":\"true\"}}";
                check(send(http, HttpRequest.newBuilder(URI.create(root + "warmup" + w)).PUT(body(warmTable))),
                        "create table");
                long ns = loadAll(http, root + "warmup" + w, bodies, clients, rows, "warm-up-" + (w + 1));
                System.out.printf("streamload: warm-up %d (not counted): rows=%d rows_per_s=%d%n", w + 1, rows,
                        Math.round(rows / (ns / 1e9)));
            }
            check(send(http, HttpRequest.newBuilder(URI.create(root + "t")).PUT(body(table))), "create table");
            long wallNs = loadAll(http, root + "t", bodies, clients, rows, "measured");
            System.out.printf("streamload: rows=%d rows_per_s=%d%n", rows, Math.round(rows / (wallNs / 1e9)));
        } finally {
            TempTree.delete(dir);
        }
    }

    /** Sends every body as one load into {@code base} with {@code clients} clients; checks the count, returns wall ns. */
    private static long loadAll(HttpClient http, String base, List<byte[]> bodies, int clients, long rows, String what)
            throws Exception {
        int loads = bodies.size();
        AtomicInteger next = new AtomicInteger();
        AtomicLong serverMs = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < loads; i = next.getAndIncrement()) {
                    long t0 = System.nanoTime();
                    JsonNode r = send(http, HttpRequest.newBuilder(URI.create(base + "/_stream_load"))
                            .header("label", what + "-" + i).timeout(Duration.ofMinutes(10))
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))));
                    if (!"Success".equals(r.path("Status").asText())) {
                        throw new IllegalStateException(what + " load " + i + " failed: " + r);
                    }
                    serverMs.addAndGet(r.path("LoadTimeMs").asLong());
                    System.out.printf("streamload: %s load %d/%d rows=%d client_ms=%d server_ms=%d%n", what, i + 1, loads,
                            r.path("NumberLoadedRows").asLong(), (System.nanoTime() - t0) / 1_000_000,
                            r.path("LoadTimeMs").asLong());
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long wallNs = System.nanoTime() - start;
        pool.shutdown();
        JsonNode count = send(http, HttpRequest.newBuilder(URI.create(base + "/_count")).GET());
        if (count.path("rows").asLong() != rows) {
            throw new IllegalStateException("_count of " + base + " answered " + count + ", expected " + rows);
        }
        System.out.printf("streamload: %s wall_ms=%d sum_server_load_ms=%d count=%d ok%n", what, wallNs / 1_000_000,
                serverMs.get(), rows);
        return wallNs;
    }

    /** Rows {@code [from, to)}: key, two BIGINTs, a DOUBLE and a VARCHAR of up to 16 bytes. */
    static byte[] csv(long from, long to, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder((int) (to - from) * 48);
        for (long k = from; k < to; k++) {
            sb.append(k).append('\t').append(rnd.nextLong(1_000_000_000L)).append('\t').append(k * 7)
                    .append('\t').append(rnd.nextInt(1_000_000) / 100.0).append('\t').append("val-").append(k % 100_000)
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static HttpRequest.BodyPublisher body(String s) {
        return HttpRequest.BodyPublishers.ofString(s, StandardCharsets.UTF_8);
    }

    private static JsonNode send(HttpClient http, HttpRequest.Builder req) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void check(JsonNode answer, String what) {
        if (!"Success".equals(answer.path("status").asText())) {
            throw new IllegalStateException(what + " failed: " + answer);
        }
    }

    private static Map<String, String> flags(String[] args) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --flag value pairs, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

}
