package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/compactor bench overload}: a node process under {@code --clients} (1,000) concurrent
 * clients for {@code --seconds} (60). Each client keeps one request in flight (async
 * java.net.http, a bounded executor, no thread per client): mostly small stream loads into four
 * tables, some manual compaction triggers (tablet cumulative/base/full, whole-table full). A
 * separate prober on its own connection measures {@code /api/health} latency. Counted: requests,
 * "busy" answers (a load refused because {@code max_concurrent_loads} are running, or HTTP 503),
 * 5xx answers, transport errors. At the end {@code compactor_compaction_running_max{type}} from
 * {@code /metrics} is checked against the configured thread limits (cumulative against
 * {@code max_cumu_compaction_threads}, base and full against {@code max_base_compaction_threads}).
 * Last line: {@code overload: clients=<n> requests=<n> busy=<n> errors_5xx=<n> health_p99_ms=<n>
 * limits_exceeded=<n>}.
 *
 * <p>Flags: {@code --clients 1000 --seconds 60 --max-concurrent-loads 64 --rows 200}.
 */
public final class OverloadBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TABLES = 4;
    private static final Pattern RUNNING_MAX =
            Pattern.compile("compactor_compaction_running_max\\{type=\"(cumulative|base|full)\"} (\\d+)");

    private OverloadBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("clients", "seconds", "max-concurrent-loads", "rows"));
        int clients = Flags.intFlag(f, "clients", 1000, 1);
        int seconds = Flags.intFlag(f, "seconds", 60, 1);
        int maxLoads = Flags.intFlag(f, "max-concurrent-loads", 64, 1);
        int rows = Flags.intFlag(f, "rows", 200, 1);
        int cumuLimit = 2;
        int baseLimit = 1;
        Path root = Files.createTempDirectory("compactor-overload-");
        System.out.printf("overload: %d clients for %d s, max_concurrent_loads=%d, max_cumu_compaction_threads=%d, "
                + "max_base_compaction_threads=%d, data in %s%n", clients, seconds, maxLoads, cumuLimit, baseLimit, root);
        Map<String, String> settings = Map.of("max_concurrent_loads", Integer.toString(maxLoads),
                "max_cumu_compaction_threads", Integer.toString(cumuLimit),
                "max_base_compaction_threads", Integer.toString(baseLimit), "write_buffer_size", "65536");
        try (NodeProcess node = NodeProcess.start(root.resolve("node"), settings, root.resolve("node.log"))) {
            new OverloadBench.Run(node, clients, seconds, rows, cumuLimit, baseLimit).run();
        }
    }

    private static final class Run {
        final NodeProcess node;
        final int clients;
        final int seconds;
        final int rows;
        final int cumuLimit;
        final int baseLimit;
        final ExecutorService executor = Executors.newFixedThreadPool(16);
        final List<HttpClient> pool = new ArrayList<>();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong loadsOk = new AtomicLong();
        final AtomicLong busy = new AtomicLong();
        final AtomicLong errors5xx = new AtomicLong();
        final AtomicLong transportErrors = new AtomicLong();
        final AtomicLong otherFail = new AtomicLong();
        final ConcurrentLinkedQueue<String> samples5xx = new ConcurrentLinkedQueue<>();
        final List<Long> tablets = new ArrayList<>();
        final List<Long> tableIds = new ArrayList<>();
        volatile boolean stop;

        Run(NodeProcess node, int clients, int seconds, int rows, int cumuLimit, int baseLimit) {
            this.node = node;
            this.clients = clients;
            this.seconds = seconds;
            this.rows = rows;
            this.cumuLimit = cumuLimit;
            this.baseLimit = baseLimit;
            for (int i = 0; i < 8; i++) {
                pool.add(HttpClient.newBuilder().executor(executor).connectTimeout(Duration.ofSeconds(30)).build());
            }
        }

        void run() throws Exception {
            HttpClient admin = HttpClient.newHttpClient();
            for (int t = 0; t < TABLES; t++) {
                String body = "{\"keys_type\":\"" + (t % 2 == 0 ? "DUPLICATE_KEYS" : "UNIQUE_KEYS") + "\",\"columns\":["
                        + "{\"name\":\"id\",\"type\":\"BIGINT\"},{\"name\":\"v\",\"type\":\"BIGINT\"},"
                        + "{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],\"key_columns\":[\"id\"],\"buckets\":4}";
                HttpResponse<String> r = admin.send(HttpRequest.newBuilder(URI.create(node.base() + "/api/ov/t" + t))
                        .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode n = JSON.readTree(r.body());
                tableIds.add(n.get("table_id").asLong());
                n.get("tablets").forEach(x -> tablets.add(x.asLong()));
            }
            long[] health = new long[1 << 16];
            int[] healthCount = new int[1];
            Thread prober = new Thread(() -> probe(health, healthCount), "health-prober");
            long start = System.nanoTime();
            prober.start();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                loops.add(clientLoop(new SplittableRandom(c * 7919L + 1), c, 0));
            }
            long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                // A benchmark's run time is its point; report progress every few seconds.
                Thread.sleep(Math.min(5000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
                System.out.printf("  t=%ds requests=%d loads_ok=%d busy=%d 5xx=%d transport_errors=%d%n",
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), requests.get(), loadsOk.get(),
                        busy.get(), errors5xx.get(), transportErrors.get());
            }
            stop = true;
            prober.join();
            CompletableFuture.allOf(loops.toArray(new CompletableFuture[0])).get(10, TimeUnit.MINUTES);
            long[] lat = Arrays.copyOf(health, healthCount[0]);
            Arrays.sort(lat);
            long p99 = lat.length == 0 ? -1 : lat[(int) Math.min(lat.length - 1, Math.ceil(lat.length * 0.99) - 1)];
            long p50 = lat.length == 0 ? -1 : lat[lat.length / 2];
            int exceeded = checkLimits(admin);
            samples5xx.stream().limit(5).forEach(s -> System.out.println("  5xx sample: " + s));
            System.out.printf("  loads_ok=%d other_fail=%d transport_errors=%d health_probes=%d health_p50_ms=%d%n",
                    loadsOk.get(), otherFail.get(), transportErrors.get(), lat.length, p50);
            System.out.printf("overload: clients=%d requests=%d busy=%d errors_5xx=%d health_p99_ms=%d limits_exceeded=%d%n",
                    clients, requests.get(), busy.get(), errors5xx.get(), p99, exceeded);
            executor.shutdownNow();
        }

        /** One client: one request in flight at a time, the next sent when the answer arrives. */
        CompletableFuture<Void> clientLoop(SplittableRandom r, int client, long n) {
            if (stop) {
                return CompletableFuture.completedFuture(null);
            }
            HttpClient http = pool.get(client % pool.size());
            HttpRequest req;
            boolean load = r.nextInt(10) != 0;
            if (load) {
                StringBuilder sb = new StringBuilder(rows * 24);
                for (int i = 0; i < rows; i++) {
                    sb.append(r.nextInt(1_000_000)).append('\t').append(n).append('\t').append("c").append(client).append('\n');
                }
                req = HttpRequest.newBuilder(URI.create(node.base() + "/api/ov/t" + r.nextInt(TABLES) + "/_stream_load"))
                        .timeout(Duration.ofSeconds(120)).PUT(HttpRequest.BodyPublishers.ofString(sb.toString())).build();
            } else {
                String q = r.nextInt(5) == 0 ? "table_id=" + tableIds.get(r.nextInt(tableIds.size())) + "&compact_type=full"
                        : "tablet_id=" + tablets.get(r.nextInt(tablets.size())) + "&compact_type="
                        + new String[] {"cumulative", "base", "full"}[r.nextInt(3)];
                req = HttpRequest.newBuilder(URI.create(node.base() + "/api/compaction/run?" + q))
                        .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.noBody()).build();
            }
            return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                    .handle((resp, err) -> {
                        requests.incrementAndGet();
                        if (err != null) {
                            transportErrors.incrementAndGet();
                        } else {
                            classify(load, resp);
                        }
                        return null;
                    })
                    .thenComposeAsync(x -> clientLoop(r, client, n + 1), executor);
        }

        void classify(boolean load, HttpResponse<String> resp) {
            int code = resp.statusCode();
            if (code == 503) {
                busy.incrementAndGet();
            } else if (code >= 500) {
                errors5xx.incrementAndGet();
                if (samples5xx.size() < 10) {
                    samples5xx.add(code + " " + resp.body());
                }
            } else if (load) {
                String body = resp.body();
                if (body.contains("\"Success\"")) {
                    loadsOk.incrementAndGet();
                } else if (body.contains("SERVICE_UNAVAILABLE") || body.contains("too many")) {
                    busy.incrementAndGet();
                } else {
                    otherFail.incrementAndGet();
                }
            }
        }

        void probe(long[] out, int[] count) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            HttpRequest health = HttpRequest.newBuilder(URI.create(node.base() + "/api/health"))
                    .timeout(Duration.ofSeconds(60)).GET().build();
            while (!stop && count[0] < out.length) {
                long t0 = System.nanoTime();
                long ms;
                try {
                    int code = http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode();
                    ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    if (code != 200) {
                        ms = 60_000;
                    }
                } catch (IOException e) {
                    ms = 60_000;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                out[count[0]++] = ms;
                try {
                    // The probe rate, not a wait for a condition.
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        int checkLimits(HttpClient admin) throws IOException, InterruptedException {
            String metrics = admin.send(HttpRequest.newBuilder(URI.create(node.base() + "/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = RUNNING_MAX.matcher(metrics);
            int exceeded = 0;
            while (m.find()) {
                String type = m.group(1);
                long max = Long.parseLong(m.group(2));
                int limit = type.equals("cumulative") ? cumuLimit : baseLimit;
                System.out.printf("  compactor_compaction_running_max{type=%s}=%d limit=%d%n", type, max, limit);
                if (max > limit) {
                    exceeded++;
                }
            }
            return exceeded;
        }
    }
}
