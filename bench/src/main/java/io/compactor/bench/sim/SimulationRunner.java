package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One simulation run: start (or reach) the node, create the tables, drive the loads while
 * sampling, let compaction settle, then print the summary line and write the report.
 */
public final class SimulationRunner {
    /** Exit codes of {@code bin/compactor simulate}. */
    public static final int OK = 0;
    public static final int FAILED = 1;

    private final SimOptions o;
    private final PrintStream out;
    private final Progress progress;
    private volatile RunResult result;

    public SimulationRunner(SimOptions o, PrintStream out, boolean terminal) {
        this.o = o;
        this.out = out;
        this.progress = new Progress(out, terminal, 5);
    }

    /** What the last {@link #run} reported (its loads, samples and notes); null before a run finished. */
    public RunResult result() {
        return result;
    }

    public int run() throws IOException, InterruptedException {
        EmbeddedNode embedded = null;
        try {
            URI target = o.target;
            if (target == null) {
                Map<String, String> conf = new LinkedHashMap<>(o.scenario.embeddedConf);
                conf.putAll(o.conf);
                embedded = EmbeddedNode.start(conf, o.keepData);
                target = embedded.uri();
                out.println("simulate " + o.scenario.cliName() + ": embedded node on " + target + " (data "
                        + embedded.dir() + (o.keepData ? ", kept" : ", removed afterwards") + ")"
                        + (conf.isEmpty() ? "" : ", conf " + conf));
            } else if (!o.conf.isEmpty()) {
                out.println("simulate: note: --conf applies to an embedded node only; ignored with --target");
            }
            return drive(new NodeClient(target, o.user, o.password), target);
        } finally {
            if (embedded != null) {
                long t0 = System.nanoTime();
                try {
                    embedded.stop();
                } finally {
                    long t1 = System.nanoTime();
                    embedded.removeData();
                    out.printf(Locale.ROOT, "simulate: embedded node stopped in %.1fs, data %s in %.1fs%n",
                            (t1 - t0) / 1e9, o.keepData ? "kept" : "removed", (System.nanoTime() - t1) / 1e9);
                }
            }
        }
    }

    private int drive(NodeClient client, URI target) throws IOException, InterruptedException {
        NodeClient.Response health = client.get("/api/health");
        if (health.status() != 200) {
            throw new NodeClient.NodeException("GET /api/health answered HTTP " + health.status() + ": " + health.message());
        }
        Workload workload = Workload.of(o);
        List<String> tables = new ArrayList<>();
        for (Workload.TableDef t : workload.tables()) {
            NodeClient.Response r = client.putJson("/api/" + o.db + "/" + t.name(), t.spec());
            if (r.status() == 409) {
                throw new NodeClient.NodeException("table " + o.db + "." + t.name()
                        + " already exists on the node: pick another database with --db");
            }
            NodeClient.ok(r, "PUT /api/{db}/{table}");
            tables.add(t.name());
        }
        out.printf(Locale.ROOT, "simulate %s: %s%n  %d table(s) x %d buckets in db %s, %s loads/s x %d rows, %s,"
                        + " %d client(s), policy %s, node %s%n", o.scenario.cliName(), o.scenario.description,
                tables.size(), o.buckets, o.db, Sample.num(o.rate), o.rowsPerLoad,
                o.loads > 0 ? o.loads + " loads" : Durations.format(o.duration),
                o.clients, o.policy, target);
        if (o.groupCommit != null) {
            out.printf(Locale.ROOT, "  group_commit: %s%s%n", o.groupCommit, o.tableProperties.isEmpty() ? ""
                    : ", table properties " + o.tableProperties);
        }
        long start = System.nanoTime();
        LoadStats stats = new LoadStats();
        String runId = Long.toString(System.currentTimeMillis(), 36);
        LoadDriver driver = new LoadDriver(client, o.db, "sim-" + o.scenario.cliName() + "-" + runId, stats, start);
        driver.groupCommit(o.groupCommit);
        Sampler sampler = new Sampler(client, o.db, tables, stats, start, driver::offeredSoFar);
        sampler.baseline();
        List<String> notes = new ArrayList<>();
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sim-sampler");
            t.setDaemon(true);
            return t;
        });
        long period = o.sampleInterval.toMillis();
        ticker.scheduleAtFixedRate(() -> sampler.sampleOnce(progress::show), period, period, TimeUnit.MILLISECONDS);
        String failure = null;
        try {
            if (o.scenario == ScenarioKind.RECOVERY) {
                new RecoveryStory(client, o, (Workload.Upsert) workload, driver, progress, notes, tables.get(0)).run();
            } else {
                LoadDriver.Phase phase = o.loads > 0 ? driver.runCount(o.clients, o.rate, o.loads, workload::load)
                        : driver.run(o.clients, o.rate, o.duration.toNanos(), workload::load);
                progress.message(String.format(Locale.ROOT, "simulate: offering stopped %s: %d loads offered,"
                                + " %d sent, %d succeeded in time, %d finished during the drain, %d abandoned after it",
                        o.loads > 0 ? String.format(Locale.ROOT, "after %d loads in %.1fs", o.loads, phase.seconds())
                                : "at " + Durations.format(o.duration), phase.offered(), phase.sent(),
                        phase.achieved(), phase.late(), phase.abandoned()));
            }
            if (!o.settle.isZero()) {
                progress.message("simulate: loads done; sampling " + Durations.format(o.settle)
                        + " more while compaction settles");
                Thread.sleep(o.settle.toMillis());
            }
        } catch (NodeClient.EndpointMissingException | RecoveryStory.StoryFailed | NodeClient.NodeException e) {
            failure = e.getMessage();
        } finally {
            ticker.shutdownNow();
            ticker.awaitTermination(10, TimeUnit.SECONDS);
        }
        sampler.sampleOnce(progress::show);
        progress.finish();
        long abandoned = driver.phases().stream().mapToLong(LoadDriver.Phase::abandoned).sum();
        if (workload.tracksKeys() && o.scenario != ScenarioKind.RECOVERY && failure == null) {
            if (abandoned == 0) {
                verifyKeys(client, driver, notes);
            } else {
                notes.add("key check skipped: " + abandoned + " load(s) were still in flight after the "
                        + Durations.format(LoadDriver.DEFAULT_DRAIN) + " drain, so the loaded keys are not known");
            }
        }
        String watchdog = watchdog(client);
        progress.message("simulate: " + watchdog);
        notes.add(watchdog);
        KeepUp keepUp = KeepUp.judge(driver.phases(), sampler.samples(), start);
        RunResult result = result(stats, sampler, notes, failure, keepUp, driver.phases());
        this.result = result;
        ReportWriter.write(o.report, result);
        if (failure != null) {
            out.println("simulate " + o.scenario.cliName() + ": FAILED: " + failure);
        }
        if (sampler.errors() > 0) {
            out.println("simulate: " + sampler.errors() + " sample(s) failed; last: " + sampler.lastError());
        }
        out.println(result.summaryLine());
        out.println("report: " + o.report.toAbsolutePath().resolve("report.html"));
        return failure == null ? OK : FAILED;
    }

    /**
     * What the node's stuck-tablet watchdog said during the run: how many times a tablet became
     * stuck (compactor_compaction_stuck_reported_total, counted from the node's start) and how many
     * are stuck at the end; "n/a" for a node without the watchdog.
     */
    static String watchdog(NodeClient client) {
        NodeClient.Response r = client.get("/metrics");
        if (r.status() != 200) {
            return "watchdog: n/a (GET /metrics answered HTTP " + r.status() + ")";
        }
        PrometheusText m = PrometheusText.parse(r.body());
        if (!m.has("compactor_compaction_stuck_reported_total")) {
            return "watchdog: n/a (the node reports no stuck tablets metric)";
        }
        return String.format(Locale.ROOT, "watchdog: stuck_reported=%d stuck_now=%d",
                (long) m.sum("compactor_compaction_stuck_reported_total"), (long) m.sum("compactor_compaction_stuck_tablets"));
    }

    /** UNIQUE_KEYS: the merged row count must equal the distinct keys that successful loads wrote. */
    private void verifyKeys(NodeClient client, LoadDriver driver, List<String> notes) {
        for (Map.Entry<String, Set<Long>> e : driver.keysByTable().entrySet()) {
            JsonNode count = client.getJson("/api/" + o.db + "/" + e.getKey() + "/_count");
            long rows = count.path("rows").asLong();
            String line = String.format(Locale.ROOT, "%s: _count=%d, distinct keys loaded=%d%s", e.getKey(), rows,
                    e.getValue().size(), rows == e.getValue().size() ? " (consistent)" : " (MISMATCH)");
            notes.add(line);
            progress.message("simulate: " + line);
        }
    }

    private RunResult result(LoadStats stats, Sampler sampler, List<String> notes, String failure, KeepUp keepUp,
                             List<LoadDriver.Phase> phases) {
        List<Sample> samples = sampler.samplesWithPeakRunning();
        List<LoadStats.Record> loads = stats.snapshot();
        long maxVersions = 0;
        for (Sample s : samples) {
            maxVersions = Math.max(maxVersions, s.maxVersions());
        }
        double p99 = Percentiles.of(LoadStats.latencies(loads), 99);
        Sample last = samples.isEmpty() ? null : samples.get(samples.size() - 1);
        long loadBytes = last == null ? 0 : last.loadBytes();
        boolean fromProfiles = sampler.profilesAvailable();
        long compactionBytes = last == null ? 0 : fromProfiles ? last.compactionOutputBytes() : last.compactionInputBytes();
        double wa = loadBytes == 0 ? Double.NaN : (loadBytes + compactionBytes) / (double) loadBytes;
        String summary = String.format(Locale.ROOT, "simulate %s: loads=%d failed=%d e235=%d max_versions=%d"
                        + " p99_load_ms=%d compactions=%d write_amplification=%s %s", o.scenario.cliName(), stats.total(),
                stats.failed(), stats.e235(), maxVersions, Double.isNaN(p99) ? 0 : (long) p99,
                last == null ? 0 : last.compactions(), Double.isNaN(wa) ? "n/a" : String.format(Locale.ROOT, "%.2f", wa),
                keepUp.fields());
        List<String> allNotes = new ArrayList<>();
        if (failure != null) {
            allNotes.add("FAILED: " + failure);
        }
        allNotes.addAll(notes);
        allNotes.add("kept_up=" + (keepUp.keptUp() ? "yes" : "no") + ": " + keepUp.reason() + ". Offering stops at"
                + " --duration; loads due but not sent by then count as offered, not achieved; achieved = loads that"
                + " answered Success by the deadline; kept_up needs achieved >= 95% of offered and version counts"
                + " not still growing in the last quarter of the offering window");
        for (LoadDriver.Phase p : phases) {
            allNotes.add(String.format(Locale.ROOT, "offering phase of %.1fs: %d offered, %d sent, %d succeeded in"
                            + " time, %d finished during the drain (at most %s), %d abandoned after it", p.seconds(),
                    p.offered(), p.sent(), p.achieved(), p.late(), Durations.format(LoadDriver.DEFAULT_DRAIN),
                    p.abandoned()));
        }
        allNotes.add("write_amplification = (load bytes + compaction bytes) / load bytes; load bytes = "
                + (sampler.loadBytesOnDisk()
                ? "compactor_load_disk_bytes_total (segment files written by successful loads, " + loadBytes
                : "compactor_load_bytes_total (stream-load bodies received by successful loads, " + loadBytes)
                + " bytes); compaction bytes = " + (fromProfiles
                ? "sum of output_total_size of the successful compactions in /api/compaction/profile (on-disk"
                + " segment bytes, " + compactionBytes + " bytes)"
                : "compactor_compaction_bytes_total (compaction INPUT bytes as a proxy, " + compactionBytes
                + " bytes), because " + sampler.profilesUnavailableReason()));
        allNotes.add("compactions = " + (sampler.successMetric()
                ? "increase of compactor_compaction_success_total over base, cumulative, full and single-replica"
                : "successful compaction profiles") + " during the run; segment compactions (inside loads): "
                + (last == null ? 0 : last.segcompactions()));
        allNotes.add(String.format(Locale.ROOT, "loads: %d success, %d failed (E-235 %d, E-238 %d)", stats.success(),
                stats.failed(), stats.e235(), stats.e238()));
        Map<String, Long> failures = new LinkedHashMap<>();
        stats.failureMessages().forEach((k, v) -> failures.put(k, v.get()));
        long limit = sampler.config().versionLimit(o.policy.equals("time_series"));
        return new RunResult(o.scenario.cliName(), o.describe(), samples, loads, failures, summary, limit, allNotes,
                failure == null);
    }
}
