package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Sends stream loads at a target rate from several client threads. The n-th load is due at
 * {@code start + n / rate} (open loop): a client that falls behind sends at once, so a slow node
 * shows as latency and a lower achieved rate, never as silently skipped loads.
 */
public final class LoadDriver {
    private final NodeClient client;
    private final String db;
    private final String labelPrefix;
    private final LoadStats stats;
    private final long runStartNanos;
    private final Map<String, Set<Long>> keysByTable = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    public LoadDriver(NodeClient client, String db, String labelPrefix, LoadStats stats, long runStartNanos) {
        this.client = client;
        this.db = db;
        this.labelPrefix = labelPrefix;
        this.stats = stats;
        this.runStartNanos = runStartNanos;
    }

    /** Distinct keys of successful loads per table (UNIQUE_KEYS workloads). */
    public Map<String, Set<Long>> keysByTable() {
        return keysByTable;
    }

    /**
     * Runs {@code clients} threads sending {@code make.apply(n)} for n = 0, 1, ... at {@code rate}
     * loads/s until {@code durationNanos} have passed; returns when every client has finished its last load.
     */
    public void run(int clients, double rate, long durationNanos, LongFunction<Workload.Load> make)
            throws InterruptedException {
        long phaseStart = System.nanoTime();
        long end = phaseStart + durationNanos;
        double intervalNanos = 1e9 / rate;
        long first = seq.get();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    long n = seq.getAndIncrement();
                    long due = phaseStart + (long) ((n - first) * intervalNanos);
                    if (due >= end) {
                        return;
                    }
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        try {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    send(make.apply(n), n);
                }
            }, "sim-load-" + c);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        try {
            for (Thread t : threads) {
                t.join();
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            throw e;
        }
    }

    /** Sends one load and records it; never throws for a failed load. */
    public LoadStats.Record send(Workload.Load load, long n) {
        String label = labelPrefix + "-" + n;
        Map<String, String> headers = new HashMap<>();
        headers.put("label", label);
        headers.put("format", "csv");
        headers.put("column_separator", Workload.SEPARATOR);
        headers.put("Content-Type", "text/plain");
        long t0 = System.nanoTime();
        LoadStats.Outcome outcome;
        String message;
        try {
            NodeClient.Response r = client.putData("/api/" + db + "/" + load.table() + "/_stream_load", load.body(),
                    headers);
            if (r.status() != 200) {
                outcome = LoadStats.Outcome.ERROR;
                message = "HTTP " + r.status() + ": " + r.message();
            } else {
                JsonNode j = r.json();
                String status = j.path("Status").asText("");
                message = j.path("Message").asText("");
                outcome = LoadStats.classify(status, message);
            }
        } catch (RuntimeException e) {
            outcome = LoadStats.Outcome.ERROR;
            message = e.getMessage();
        }
        long t1 = System.nanoTime();
        if (outcome == LoadStats.Outcome.SUCCESS && load.keys() != null) {
            Set<Long> keys = keysByTable.computeIfAbsent(load.table(), k -> ConcurrentHashMap.newKeySet());
            for (long k : load.keys()) {
                keys.add(k);
            }
        }
        LoadStats.Record rec = new LoadStats.Record((t0 - runStartNanos) / 1_000_000, (t1 - t0) / 1_000_000,
                load.table(), outcome, load.rows(), load.body().length,
                outcome == LoadStats.Outcome.SUCCESS ? null : message);
        stats.add(rec);
        return rec;
    }
}
