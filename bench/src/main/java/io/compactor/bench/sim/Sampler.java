package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Samples the node over HTTP once per interval: {@code /metrics} (Prometheus text), the top
 * {@code /api/compaction_score}, every table's tablets ({@code GET /api/{db}/{table}}) for the
 * version-count distribution, {@code /api/show_config} for the allowed concurrency, and
 * {@code /api/compaction/profile} for compaction output bytes. A failed sample is counted and
 * skipped; the run goes on.
 */
public final class Sampler {
    static final String MAX_VERSION_COUNT = "compactor_tablet_max_versions";
    static final String RUNNING = "compactor_compaction_running";
    static final String QUEUED = "compactor_compaction_queued";
    static final String COMPACTION_BYTES = "compactor_compaction_bytes_total";
    static final String COMPACTION_SUCCESS = "compactor_compaction_success_total";
    static final String LOAD_BYTES = "compactor_load_bytes_total";
    /** Segment bytes loads wrote: the same unit as compaction output, so preferred when present. */
    static final String LOAD_DISK_BYTES = "compactor_load_disk_bytes_total";
    static final String CUMU_MAX_SCORE = "compactor_tablet_cumulative_max_compaction_score";
    static final String SEGCOMPACTION = "compactor_segcompaction_total";

    private final NodeClient client;
    private final String db;
    private final List<String> tables;
    private final LoadStats loads;
    private final long runStartNanos;
    private final LongSupplier offered;
    private final ProfileTracker profiles;
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    /** Wall-clock time of each sample (same index), to match compaction profile times. */
    private final List<Long> sampleWallMs = new ArrayList<>();
    private long baselineWallMs;
    private final NodeConfig config;

    private double baseLoadBytes;
    private double baseCompactionBytes;
    private double baseSuccess;
    private double baseSegcompactions;
    private boolean successMetric;
    private int loadCursor;
    private double lastT;
    private long lastLoads;
    private long lastOffered;
    private long lastSuccess;
    private int n;
    private long errors;
    private String lastError;

    /**
     * @param offered loads offered so far by the driver's schedule (sent or not), for the
     *                offered-against-achieved series
     */
    public Sampler(NodeClient client, String db, List<String> tables, LoadStats loads, long runStartNanos,
                   LongSupplier offered) {
        this.client = client;
        this.offered = offered;
        this.db = db;
        this.tables = List.copyOf(tables);
        this.loads = loads;
        this.runStartNanos = runStartNanos;
        this.profiles = new ProfileTracker(client);
        this.config = new NodeConfig(client);
    }

    /** Reads the counters' starting values; call once before the loads start. */
    public void baseline() {
        baselineWallMs = System.currentTimeMillis();
        PrometheusText m = metrics();
        diskBytes = m.has(LOAD_DISK_BYTES);
        baseLoadBytes = loadBytes(m);
        baseCompactionBytes = compactionBytes(m);
        successMetric = m.has(COMPACTION_SUCCESS);
        baseSuccess = compactionSuccess(m);
        baseSegcompactions = m.sum(SEGCOMPACTION);
        profiles.baseline();
        config.refresh();
    }

    private boolean diskBytes;

    private double loadBytes(PrometheusText m) {
        return m.sum(diskBytes ? LOAD_DISK_BYTES : LOAD_BYTES);
    }

    /** Whether load bytes are on-disk segment bytes (else stream-load body bytes). */
    public boolean loadBytesOnDisk() {
        return diskBytes;
    }

    private PrometheusText metrics() {
        NodeClient.Response r = NodeClient.ok(client.get("/metrics"), "GET /metrics");
        return PrometheusText.parse(r.body());
    }

    /** Compaction kinds that rewrite rowsets of a tablet; segment compaction happens inside loads. */
    private static double compactionBytes(PrometheusText m) {
        return m.sum(COMPACTION_BYTES) - m.value(COMPACTION_BYTES, "type", "segment");
    }

    private static double compactionSuccess(PrometheusText m) {
        return m.sum(COMPACTION_SUCCESS) - m.value(COMPACTION_SUCCESS, "type", "segment");
    }

    /** Takes one sample, hands it to {@code listener}; returns null (and counts an error) if the node did not answer. */
    public synchronized Sample sampleOnce(Consumer<Sample> listener) {
        try {
            Sample s = take();
            synchronized (samples) {
                samples.add(s);
                sampleWallMs.add(System.currentTimeMillis());
            }
            if (listener != null) {
                listener.accept(s);
            }
            return s;
        } catch (RuntimeException e) {
            errors++;
            lastError = e.getMessage();
            return null;
        }
    }

    /**
     * Version counts come from the run's own tables (the node-wide gauge
     * {@code compactor_tablet_max_versions} would include other tables of a shared node; it is
     * the fallback when the tables list no tablets).
     */
    private Sample take() {
        double t = (System.nanoTime() - runStartNanos) / 1e9;
        PrometheusText m = metrics();
        JsonNode top = client.getJson("/api/compaction_score?top_n=1");
        long topScore = top.size() == 0 ? 0 : Long.parseLong(top.get(0).path("compaction_score").asText("0"));
        List<Long> versions = new ArrayList<>();
        for (String table : tables) {
            for (JsonNode tablet : client.getJson("/api/" + db + "/" + table).path("tablets")) {
                versions.add(tablet.path("version_count").asLong());
            }
        }
        long[] vs = versions.stream().mapToLong(Long::longValue).toArray();
        long tableMax = 0;
        for (long v : vs) {
            tableMax = Math.max(tableMax, v);
        }
        long p99 = vs.length == 0 ? 0 : (long) Percentiles.of(vs, 99);
        if (n++ % 5 == 0) {
            config.refresh();
        }
        profiles.poll();
        List<LoadStats.Record> window = loads.since(loadCursor);
        loadCursor += window.size();
        long[] lat = LoadStats.latencies(window);
        long total = loads.total();
        long offeredNow = offered.getAsLong();
        long successNow = loads.success();
        double dt = t - lastT;
        double rate = dt > 0 ? (total - lastLoads) / dt : 0;
        double offeredRate = dt > 0 ? (offeredNow - lastOffered) / dt : 0;
        double achievedRate = dt > 0 ? (successNow - lastSuccess) / dt : 0;
        lastT = t;
        lastLoads = total;
        lastOffered = offeredNow;
        lastSuccess = successNow;
        long compactions = successMetric ? Math.round(compactionSuccess(m) - baseSuccess) : profiles.count();
        return new Sample(t, total, loads.failed(), loads.e235(), rate, offeredRate, achievedRate,
                Percentiles.of(lat, 50), Percentiles.of(lat, 99),
                vs.length > 0 ? tableMax : (long) m.sum(MAX_VERSION_COUNT), p99,
                topScore, (long) m.sum(CUMU_MAX_SCORE),
                kind(m, RUNNING, "cumulative"), kind(m, RUNNING, "base"), kind(m, RUNNING, "full"),
                kind(m, RUNNING, "segment"),
                kind(m, QUEUED, "cumulative"), kind(m, QUEUED, "base"), kind(m, QUEUED, "full"),
                config.allowedCumulative(), config.allowedBaseAndFull(),
                Math.round(loadBytes(m) - baseLoadBytes), Math.round(compactionBytes(m) - baseCompactionBytes),
                profiles.outputBytes(), compactions, Math.round(m.sum(SEGCOMPACTION) - baseSegcompactions));
    }

    private static long kind(PrometheusText m, String name, String type) {
        return Math.round(m.value(name, "type", type));
    }

    public List<Sample> samples() {
        synchronized (samples) {
            return new ArrayList<>(samples);
        }
    }

    /**
     * The samples with each window's running counts raised to the peak concurrency of the
     * compactions that finished with a profile in that window (compactions shorter than the
     * sampling interval never show in the running gauge).
     */
    public List<Sample> samplesWithPeakRunning() {
        List<Sample> raw;
        List<Long> walls;
        synchronized (samples) {
            raw = new ArrayList<>(samples);
            walls = new ArrayList<>(sampleWallMs);
        }
        List<ProfileTracker.Interval> intervals = profiles.intervals();
        List<Sample> out = new ArrayList<>(raw.size());
        long from = baselineWallMs;
        for (int i = 0; i < raw.size(); i++) {
            long to = walls.get(i);
            out.add(raw.get(i).withRunningAtLeast(
                    ProfileTracker.peakConcurrency(intervals, "cumulative", from, to),
                    ProfileTracker.peakConcurrency(intervals, "base", from, to),
                    ProfileTracker.peakConcurrency(intervals, "full", from, to)));
            from = to;
        }
        return out;
    }

    public long errors() {
        return errors;
    }

    public String lastError() {
        return lastError;
    }

    public NodeConfig config() {
        return config;
    }

    /** Whether compaction output bytes come from profiles (else the input-bytes metric is the proxy). */
    public boolean profilesAvailable() {
        return profiles.available();
    }

    public String profilesUnavailableReason() {
        return profiles.unavailableReason();
    }

    public boolean successMetric() {
        return successMetric;
    }
}
