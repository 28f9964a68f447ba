package io.compactor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.bench.TortureModel.Load;
import io.compactor.bench.TortureModel.Outcome;
import io.compactor.bench.TortureModel.Table;
import io.compactor.storage.engine.FileAudit;
import io.compactor.storage.meta.RocksDbMetaStore;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Crash torture: {@code bin/compactor torture --iterations N}. Each iteration starts a real node
 * process, runs loads into a DUPLICATE and a UNIQUE (merge-on-write) table from several client
 * threads plus manual compactions (cumulative, base, full, whole-table full) next to the
 * automatic ones, kills the node with SIGKILL at a random moment, restarts it (automatic
 * compaction off, so the check sees a still node) and checks the invariants of docs/DESIGN.md:
 * <ul>
 *   <li>every load answered Success is fully visible with its exact rows; a Fail is invisible;
 *       an unanswered load is all or nothing and keeps its visibility across restarts
 *       ({@link TortureModel});</li>
 *   <li>no key visible twice in the unique table and its delete bitmap consistent
 *       ({@code /api/check_tablet} for every tablet);</li>
 *   <li>version chains contiguous ({@code missing_rowsets} empty) and every segment whole
 *       ({@code check_tablet_segment_lost} finds nothing);</li>
 *   <li>after an idle kill, the {@code *.dat} files on disk are exactly the segments the meta
 *       store references (read directly with {@link RocksDbMetaStore}), and no temp file is
 *       left.</li>
 * </ul>
 * Prints one line per iteration and last {@code torture: iterations=<n> violations=<n>}.
 *
 * <p>Flags: {@code --iterations 10 --seconds 4} (longest work phase before the kill)
 * {@code --clients 3 --seed <n> --root <dir>} (default: a new temp dir).
 */
public final class Torture {
    static {
        io.compactor.storage.util.CommonPool.ensureParallelism(); // before any CompletableFuture is used
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "torture";

    /** Settings of a run. */
    public record Options(int iterations, double seconds, int clients, long seed, Path root) {
        static Options parse(String[] args) throws IOException {
            Map<String, String> f = Flags.parse(args, Set.of("iterations", "seconds", "clients", "seed", "root"));
            int iterations = Flags.intFlag(f, "iterations", 10, 1);
            double seconds = Double.parseDouble(f.getOrDefault("seconds", "4"));
            if (!(seconds > 0)) {
                throw new IllegalArgumentException("--seconds must be positive, got " + seconds);
            }
            int clients = Flags.intFlag(f, "clients", 3, 1);
            long seed = f.containsKey("seed") ? Long.parseLong(f.get("seed")) : System.nanoTime();
            Path root = f.containsKey("root") ? Path.of(f.get("root")) : Files.createTempDirectory("compactor-torture-");
            return new Options(iterations, seconds, clients, seed, root);
        }
    }

    /** Outcome of a run. */
    public record Result(int iterations, int violations, long loads, long unanswered) {
    }

    private final Options options;
    private final PrintStream out;
    private final TortureModel model = new TortureModel();
    private final AtomicLong nextSeq = new AtomicLong();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SplittableRandom random;
    private final Path logs;
    private List<Long> dupTablets = List.of();
    private List<Long> mowTablets = List.of();
    private long dupTableId;

    private Torture(Options options, PrintStream out) throws IOException {
        this.options = options;
        this.out = out;
        this.random = new SplittableRandom(options.seed());
        this.logs = Files.createDirectories(options.root().resolve("logs"));
    }

    public static void main(String[] args) throws Exception {
        boolean cluster = args.length > 0 && args[0].equals("--cluster");
        Options o = Options.parse(cluster ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
        Result r = cluster ? runCluster(o, System.out) : run(o, System.out);
        System.exit(r.violations() == 0 ? 0 : 1);
    }

    /** {@code torture --cluster}: {@link ClusterTorture} (three node processes, replication 3, a nemesis). */
    public static Result runCluster(Options options, PrintStream out) throws Exception {
        return new ClusterTorture(options, out).run();
    }

    public static Result run(Options options, PrintStream out) throws Exception {
        return new Torture(options, out).run();
    }

    private Result run() throws Exception {
        Path data = options.root().resolve("node");
        out.printf("torture: %d iterations, up to %.1f s of work each, %d clients, seed %d, data in %s%n",
                options.iterations(), options.seconds(), options.clients(), options.seed(), data);
        int violations = 0;
        for (int i = 1; i <= options.iterations(); i++) {
            List<String> found = new ArrayList<>();
            String summary = iteration(i, data, found::add);
            violations += found.size();
            out.printf("iteration %d: %s violations=%d%n", i, summary, found.size());
            found.stream().limit(20).forEach(v -> out.println("  VIOLATION " + v));
        }
        List<Load> all = model.loads();
        long unanswered = all.stream().filter(l -> l.outcome == Outcome.VISIBLE || l.outcome == Outcome.INVISIBLE)
                .count();
        out.printf("torture: iterations=%d violations=%d%n", options.iterations(), violations);
        return new Result(options.iterations(), violations, all.size(), unanswered);
    }

    private Map<String, String> settings(boolean work) {
        return Map.of("write_buffer_size", "16384", "enable_debug_points", "true",
                "max_cumu_compaction_threads", "2", "max_base_compaction_threads", "1",
                "tablet_rowset_stale_sweep_time_sec", "1",
                "disable_auto_compaction", Boolean.toString(!work));
    }

    private String iteration(int i, Path data, Consumer<String> violation) throws Exception {
        Stats stats = new Stats();
        long killAfterMs = (long) (options.seconds() * 1000 * (0.3 + 0.7 * random.nextDouble()));
        try (NodeProcess node = NodeProcess.start(data, settings(true), logs.resolve("work-" + i + ".log"))) {
            if (i == 1) {
                createTables(node);
            }
            work(node, killAfterMs, stats);
        }
        String recovery;
        try (NodeProcess node = NodeProcess.start(data, settings(false), logs.resolve("check-" + i + ".log"))) {
            recovery = node.recoveryLine();
            check(node, violation);
            // An idle kill: nothing in flight, so the files must match the meta exactly.
            node.kill();
        }
        checkFiles(data, violation);
        return String.format("loads ok=%d fail=%d unanswered=%d compactions ok=%d refused=%d kill_after_ms=%d %s",
                stats.ok.get(), stats.fail.get(), stats.unanswered.get(), stats.compactOk.get(),
                stats.compactRefused.get(), killAfterMs, recovery);
    }

    private static final class Stats {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger fail = new AtomicInteger();
        final AtomicInteger unanswered = new AtomicInteger();
        final AtomicInteger compactOk = new AtomicInteger();
        final AtomicInteger compactRefused = new AtomicInteger();
    }

    private void createTables(NodeProcess node) throws IOException, InterruptedException {
        JsonNode dup = request(node, "PUT", "/api/" + DB + "/dup", tableBody("DUPLICATE_KEYS", 3), Map.of());
        JsonNode mow = request(node, "PUT", "/api/" + DB + "/mow", tableBody("UNIQUE_KEYS", 3), Map.of());
        dupTableId = dup.get("table_id").asLong();
        dupTablets = ids(dup.get("tablets"));
        mowTablets = ids(mow.get("tablets"));
    }

    private static List<Long> ids(JsonNode array) {
        List<Long> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asLong()));
        return out;
    }

    private static String tableBody(String keys, int buckets) {
        return "{\"keys_type\":\"" + keys + "\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"v\",\"type\":\"BIGINT\"},{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],"
                + "\"key_columns\":[\"id\"],\"buckets\":" + buckets + ",\"replication_num\":1}";
    }

    /** Loads from every client and compactions from one more thread; kills the node after {@code killAfterMs}. */
    private void work(NodeProcess node, long killAfterMs, Stats stats) throws Exception {
        AtomicBoolean killed = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(options.clients() + 1);
        try {
            for (int c = 0; c < options.clients(); c++) {
                int clientId = c;
                pool.submit(() -> loadLoop(node, clientId, killed, stats));
            }
            long compactSeed = random.nextLong();
            pool.submit(() -> compactLoop(node, new SplittableRandom(compactSeed), killed, stats));
            // The moment of the kill is the point of the program: wait for it.
            Thread.sleep(killAfterMs);
            killed.set(true);
            node.kill();
            pool.shutdown();
            if (!pool.awaitTermination(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("torture clients did not stop after the kill");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Void loadLoop(NodeProcess node, int clientId, AtomicBoolean killed, Stats stats) {
        boolean dup = clientId % 2 == 0;
        while (!killed.get()) {
            Table table = dup ? Table.DUP : Table.MOW;
            dup = !dup;
            long seq = nextSeq.getAndIncrement();
            Load load = new Load(seq, table, clientId, Outcome.NO_ANSWER, "");
            model.record(load);
            String path = "/api/" + DB + "/" + table.name().toLowerCase() + "/_stream_load";
            try {
                JsonNode a = request(node, "PUT", path, TortureModel.body(table, seq, clientId),
                        Map.of("label", load.label()));
                load.answer = a.toString();
                if ("Success".equals(a.path("Status").asText())) {
                    load.outcome = Outcome.SUCCESS;
                    stats.ok.incrementAndGet();
                } else {
                    load.outcome = Outcome.FAIL;
                    stats.fail.incrementAndGet();
                }
            } catch (IOException | RuntimeException e) {
                load.answer = e.toString();
                stats.unanswered.incrementAndGet();
                // This client's loads must commit in sequence order: stop after an unanswered one.
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private Void compactLoop(NodeProcess node, SplittableRandom r, AtomicBoolean killed, Stats stats) {
        String[] types = {"cumulative", "base", "full"};
        while (!killed.get()) {
            String query;
            if (r.nextInt(8) == 0) {
                query = "table_id=" + dupTableId + "&compact_type=full";
            } else {
                List<Long> tablets = r.nextBoolean() ? dupTablets : mowTablets;
                query = "tablet_id=" + tablets.get(r.nextInt(tablets.size())) + "&compact_type="
                        + types[r.nextInt(types.length)];
            }
            try {
                JsonNode a = request(node, "POST", "/api/compaction/run?" + query, "", Map.of());
                (("Success".equals(a.path("status").asText())) ? stats.compactOk : stats.compactRefused)
                        .incrementAndGet();
            } catch (IOException | RuntimeException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private void check(NodeProcess node, Consumer<String> violation) throws IOException, InterruptedException {
        if (dupTablets.isEmpty()) {
            return;
        }
        model.checkDup(scan(node, "dup"), violation);
        model.checkMow(scan(node, "mow"), violation);
        List<Long> all = new ArrayList<>(dupTablets);
        all.addAll(mowTablets);
        for (long t : all) {
            JsonNode show = request(node, "GET", "/api/compaction/show?tablet_id=" + t, null, Map.of());
            if (show.path("missing_rowsets").size() != 0) {
                violation.accept("tablet " + t + " has missing versions " + show.get("missing_rowsets"));
            }
        }
        for (long t : mowTablets) {
            JsonNode c = request(node, "GET", "/api/check_tablet?tablet_id=" + t, null, Map.of());
            if (c.path("duplicate_keys").asLong(-1) != 0 || !c.path("delete_bitmap_consistent").asBoolean(false)) {
                violation.accept("check_tablet " + t + ": " + c);
            }
        }
        JsonNode lost = request(node, "POST", "/api/check_tablet_segment_lost", "", Map.of());
        if (lost.path("num").asInt(-1) != 0) {
            violation.accept("check_tablet_segment_lost: " + lost);
        }
    }

    private List<String[]> scan(NodeProcess node, String table) throws IOException, InterruptedException {
        HttpResponse<String> r = send(node, "GET", "/api/" + DB + "/" + table + "/_scan?format=csv", null, Map.of());
        if (r.statusCode() != 200) {
            throw new IOException("scan of " + table + " failed: HTTP " + r.statusCode() + " " + r.body());
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (!line.isEmpty()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** The *.dat files under {@code data} equal the segments the meta references; no temp file. */
    private static void checkFiles(Path root, Consumer<String> violation) throws IOException {
        FileAudit audit = FileAudit.of(root);
        audit.tempFiles().forEach(t -> violation.accept("temp file left after start-up: " + t));
        audit.orphans().forEach(o -> violation.accept("orphan segment file: " + o));
        audit.missing().forEach(l -> violation.accept("segment referenced by the meta is missing: " + l));
    }

    private JsonNode request(NodeProcess node, String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpResponse<String> r = send(node, method, path, body, headers);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> send(NodeProcess node, String method, String path, String body,
                                      Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.base() + path)).timeout(Duration.ofSeconds(120));
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
