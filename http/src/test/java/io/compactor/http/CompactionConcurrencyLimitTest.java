package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.NodeMetrics;
import io.compactor.api.CompactionProfile;
import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.RowBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that the concurrency limits hold under pressure: 50 tablets flooded with loads (auto
 * compaction on) while manual cumulative, base and table-wide full compactions are triggered over
 * HTTP, with {@code max_cumu_compaction_threads = 2} and {@code max_base_compaction_threads = 1}.
 *
 * <p>Three independent observations: the supervisor's high-water marks per kind (facade and
 * {@code /metrics}); a sampler reading the running gauges; and the intervals of the finished
 * tasks' profiles (a task's [start, end] lies inside the time it held its grant, so two
 * profiles that overlap prove two grants at once) — the only one that sees base and full
 * together, which share the base pool.
 */
class CompactionConcurrencyLimitTest {
    private static final String DB = "db";
    private static final int TABLETS = 50;
    private static final int LOADS = 120;
    private static final int ROWS_PER_LOAD = 150;
    private static final DateTimeFormatter PROFILE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    @TempDir
    Path dir;

    private CompactorServer server;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        sampler.shutdownNow();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void floodOfLoadsAndManualTriggersNeverExceedsTheThreadLimits() throws Exception {
        server = CompactorServer.start(CompactionHttpClient.config(dir, Map.of(
                "max_cumu_compaction_threads", 2, "max_base_compaction_threads", 1)));
        CompactionHttpClient http = new CompactionHttpClient(server.port());
        var node = server.node();
        var table = http.createTable(DB, "flood", "DUPLICATE_KEYS", TABLETS, Map.of());
        assertEquals(TABLETS, table.tablets().size());

        Map<NodeMetrics.Kind, AtomicLong> sampledMax = new EnumMap<>(NodeMetrics.Kind.class);
        for (NodeMetrics.Kind k : NodeMetrics.Kind.values()) {
            sampledMax.put(k, new AtomicLong());
        }
        AtomicLong sampledQueuedMax = new AtomicLong();
        sampler.scheduleAtFixedRate(() -> {
            for (NodeMetrics.Kind k : NodeMetrics.Kind.values()) {
                sampledMax.get(k).accumulateAndGet(node.ops().metrics().running.get(k).get(), Math::max);
            }
            sampledQueuedMax.accumulateAndGet(node.ops().metrics().queued.get(NodeMetrics.Kind.CUMULATIVE).get(), Math::max);
        }, 0, 1, TimeUnit.MILLISECONDS);

        // Manual triggers over HTTP on another thread while the loads run.
        AtomicBoolean loading = new AtomicBoolean(true);
        AtomicInteger triggered = new AtomicInteger();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
        Thread triggers = new Thread(() -> {
            int round = 0;
            while (loading.get()) {
                long tablet = table.tablets().get(round % TABLETS);
                String type = round % 3 == 0 ? "base" : "cumulative";
                record(http.run(tablet, type), unexpected);
                if (round % 8 == 0) {
                    record(http.post("/api/compaction/run?table_id=" + table.tableId() + "&compact_type=full"),
                            unexpected);
                }
                triggered.incrementAndGet();
                round++;
            }
        }, "compaction-triggers");
        triggers.start();

        long expectedRows = 0;
        for (int load = 0; load < LOADS; load++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < ROWS_PER_LOAD; i++) {
                long id = (long) load * ROWS_PER_LOAD + i;
                sb.append(id).append('\t').append("name").append(id).append('\t').append(id % 1000).append('\n');
            }
            LoadResult r = node.loads().streamLoad(DB, "flood", sb.toString().getBytes(StandardCharsets.UTF_8),
                    LoadOptions.DEFAULTS, "flood-" + load).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertTrue(r.isSuccess(), r::toString);
            expectedRows += ROWS_PER_LOAD;
        }
        loading.set(false);
        triggers.join(TimeUnit.SECONDS.toMillis(60));
        assertTrue(unexpected.isEmpty(), () -> "unexpected trigger answers: " + unexpected);
        assertTrue(triggered.get() > 0);

        // One more table-wide full compaction once the loads stopped; wait for it to finish everywhere.
        JsonNode full = http.post("/api/compaction/run?table_id=" + table.tableId() + "&compact_type=full");
        assertTrue(List.of("Success", "ALREADY_EXIST").contains(full.get("status").asText()), full::toString);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50)).until(() -> {
            var m = node.ops().metrics();
            return m.running.get(NodeMetrics.Kind.FULL).get() == 0 && m.queued.get(NodeMetrics.Kind.FULL).get() == 0;
        });

        // 1. High-water marks kept by the supervisor, through the facade and /metrics.
        var metrics = node.ops().metrics();
        long cumuMax = metrics.runningMax.get(NodeMetrics.Kind.CUMULATIVE).get();
        long baseMax = metrics.runningMax.get(NodeMetrics.Kind.BASE).get();
        long fullMax = metrics.runningMax.get(NodeMetrics.Kind.FULL).get();
        assertEquals(2, cumuMax, "cumulative compactions saturate their limit of 2 but never exceed it");
        assertTrue(baseMax <= 1, "base high-water mark " + baseMax);
        assertEquals(1, fullMax, "full high-water mark");
        assertEquals(cumuMax, http.metric("compactor_compaction_running_max{type=\"cumulative\"}"));
        assertEquals(baseMax, http.metric("compactor_compaction_running_max{type=\"base\"}"));
        assertEquals(fullMax, http.metric("compactor_compaction_running_max{type=\"full\"}"));
        assertEquals(1, metrics.basePoolRunningMax.get(), "base + full together never exceeded their shared pool of 1");
        assertEquals(1, http.metric("compactor_compaction_pool_running_max{pool=\"base\"}"));

        // 2. What an outside observer sampled.
        assertTrue(sampledMax.get(NodeMetrics.Kind.CUMULATIVE).get() <= 2, sampledMax::toString);
        assertTrue(sampledMax.get(NodeMetrics.Kind.BASE).get() <= 1, sampledMax::toString);
        assertTrue(sampledMax.get(NodeMetrics.Kind.FULL).get() <= 1, sampledMax::toString);
        assertTrue(sampledQueuedMax.get() > 2, "tasks had to wait for a slot: " + sampledQueuedMax);

        // 3. Profiles of finished tasks: never more than 2 cumulative, never more than 1 base + full.
        List<CompactionProfile> profiles = node.compaction().profiles(p -> true, 0);
        assertTrue(metrics.compactionSuccess.get(NodeMetrics.Kind.CUMULATIVE).sum() >= TABLETS,
                "cumulative compactions ran throughout");
        assertTrue(metrics.compactionSuccess.get(NodeMetrics.Kind.FULL).sum() > 0);
        List<CompactionProfile> cumulative = profiles.stream().filter(p -> p.compactionType().equals("cumulative"))
                .toList();
        List<CompactionProfile> basePool = profiles.stream().filter(p -> !p.compactionType().equals("cumulative"))
                .toList();
        assertTrue(maxOverlap(cumulative) <= 2, "cumulative tasks overlapping: " + maxOverlap(cumulative));
        assertTrue(maxOverlap(basePool) <= 1, "base + full tasks overlapping: " + maxOverlap(basePool));

        // Every row is still there, once, with its values.
        assertEquals(expectedRows, node.reads().count(DB, "flood").toCompletableFuture().get(60, TimeUnit.SECONDS));
        RowBatch rows = node.reads().scan(DB, "flood", Long.MAX_VALUE).toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertEquals(expectedRows, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            long id = rows.getLong(r, 0);
            assertEquals(r, id, "ids in key order without gaps or duplicates");
            assertEquals("name" + id, rows.text(r, 1));
            assertEquals(id % 1000, rows.getLong(r, 2));
        }
    }

    private static void record(JsonNode answer, ConcurrentLinkedQueue<String> unexpected) {
        String s = answer.get("status").asText();
        // Success, a duplicate request, or Doris's "nothing suitable" / try-lock answers are all expected.
        if (!List.of("Success", "ALREADY_EXIST", "E-2000", "E-808", "E-2008", "E-216").contains(s)) {
            unexpected.add(answer.toString());
        }
    }

    /** Most profiles whose [start, end] strictly overlap at one instant (touching ends do not count). */
    static int maxOverlap(List<CompactionProfile> profiles) {
        List<long[]> events = new ArrayList<>();
        for (CompactionProfile p : profiles) {
            events.add(new long[]{millis(p.startTime()), +1});
            events.add(new long[]{millis(p.endTime()), -1});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int now = 0;
        int max = 0;
        for (long[] e : events) {
            now += (int) e[1];
            max = Math.max(max, now);
        }
        return max;
    }

    private static long millis(String text) {
        return LocalDateTime.parse(text, PROFILE_TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
    }
}
