package io.compactor.bench.sim;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Offers stream loads at a target rate from several client threads, for a fixed time
 * ({@link #run}) or a fixed number of loads ({@link #runCount}).
 *
 * <p><b>Schedule.</b> The n-th load of a phase is due at {@code start + n / rate} (open loop): a
 * client that falls behind sends the next due load at once, so a slow node shows as latency and a
 * lower achieved rate, never as silently skipped loads while the phase lasts.
 *
 * <p><b>Deadline.</b> Offering stops at {@code start + duration}: a client that finds the deadline
 * passed sends nothing more, even if loads that came due earlier were never sent (the node did not
 * keep up with them; they count as offered, not achieved). A run therefore ends on time whatever
 * the node does, instead of working through {@code rate x duration} loads.
 *
 * <p><b>Drain.</b> Loads in flight at the deadline may finish during a bounded drain
 * ({@link #DEFAULT_DRAIN}); a load still in flight after it is abandoned: its client is interrupted
 * and its outcome is not recorded (it may still commit on the node; {@link Phase#abandoned()} says
 * how many).
 *
 * <p>Time comes from a {@link Ticker}, so tests drive the schedule with a fake clock.
 */
public final class LoadDriver {
    /** How long loads in flight at the deadline may take to finish. */
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(30);

    /**
     * What one offering phase did.
     *
     * @param offered   loads that came due before the deadline ({@code rate x duration})
     * @param sent      loads sent
     * @param achieved  loads that answered Success by the deadline
     * @param late      loads that finished during the drain (any outcome)
     * @param abandoned loads still in flight when the drain ended (outcome unknown)
     * @param seconds   the phase's length (its duration)
     * @param startNanos when it started, by the driver's ticker
     */
    public record Phase(long offered, long sent, long achieved, long late, long abandoned, double seconds,
                        long startNanos) {
    }

    /** One phase's schedule, for {@link #offeredSoFar()}. */
    private record Window(long start, long end, double intervalNanos, long offered) {
        long offeredBy(long now) {
            if (now <= start) {
                return 0;
            }
            if (now >= end) {
                return offered;
            }
            return Math.min(offered, (long) Math.floor((now - start) / intervalNanos) + 1);
        }
    }

    private final LoadTransport transport;
    private final String labelPrefix;
    private final LoadStats stats;
    private final long runStartNanos;
    private final Ticker ticker;
    private final long drainNanos;
    private final Map<String, Set<Long>> keysByTable = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();
    private final List<Window> windows = new CopyOnWriteArrayList<>();
    private final List<Phase> phases = new CopyOnWriteArrayList<>();
    private volatile String groupCommit;

    /** A driver over HTTP in real time with the default drain. */
    public LoadDriver(NodeClient client, String db, String labelPrefix, LoadStats stats, long runStartNanos) {
        this(LoadTransport.http(client, db), labelPrefix, stats, runStartNanos, Ticker.SYSTEM, DEFAULT_DRAIN);
    }

    public LoadDriver(LoadTransport transport, String labelPrefix, LoadStats stats, long runStartNanos, Ticker ticker,
                      Duration drain) {
        if (drain.isNegative()) {
            throw new IllegalArgumentException("drain must not be negative, got " + drain);
        }
        this.transport = transport;
        this.labelPrefix = labelPrefix;
        this.stats = stats;
        this.runStartNanos = runStartNanos;
        this.ticker = ticker;
        this.drainNanos = drain.toNanos();
    }

    /**
     * Sends the stream-load header {@code group_commit} with every load ({@code off_mode},
     * {@code sync_mode}, {@code async_mode}); loads in sync or async mode carry no label (Doris
     * refuses a label with group commit). Null: no header.
     */
    public void groupCommit(String mode) {
        this.groupCommit = mode;
    }

    /** Distinct keys of successful loads per table (UNIQUE_KEYS workloads). */
    public Map<String, Set<Long>> keysByTable() {
        return keysByTable;
    }

    /** Loads that have come due so far in all phases (the offered load, whether sent or not). */
    public long offeredSoFar() {
        long now = ticker.nanoTime();
        long n = 0;
        for (Window w : windows) {
            n += w.offeredBy(now);
        }
        return n;
    }

    /** The phases run so far. */
    public List<Phase> phases() {
        return List.copyOf(phases);
    }

    /** Number of n >= 0 with {@code (long) (n * interval) < duration}: the loads due in a phase. */
    static long dueCount(long durationNanos, double intervalNanos) {
        long c = (long) Math.ceil(durationNanos / intervalNanos);
        while ((long) (c * intervalNanos) < durationNanos) {
            c++;
        }
        while (c > 0 && (long) ((c - 1) * intervalNanos) >= durationNanos) {
            c--;
        }
        return c;
    }

    /**
     * Offers {@code make.apply(n)} for n = 0, 1, ... at {@code rate} loads/s from {@code clients}
     * threads until {@code durationNanos} have passed, then waits at most the drain for loads in
     * flight. Returns what the phase did.
     */
    public Phase run(int clients, double rate, long durationNanos, LongFunction<Workload.Load> make)
            throws InterruptedException {
        if (clients < 1 || !(rate > 0) || durationNanos <= 0) {
            throw new IllegalArgumentException("clients, rate and duration must be positive, got " + clients + ", "
                    + rate + ", " + durationNanos + " ns");
        }
        long start = ticker.nanoTime();
        double intervalNanos = 1e9 / rate;
        long offered = dueCount(durationNanos, intervalNanos);
        return phase(clients, start, start + durationNanos, intervalNanos, offered, false, make);
    }

    /**
     * Offers exactly {@code loads} loads, {@code make.apply(n)}, at {@code rate} loads/s from
     * {@code clients} threads, with no deadline: the phase lasts until every load has answered
     * (each load is bounded by the transport's own timeout), so two runs with the same count do
     * the same work however fast the node is. The phase's seconds are the time it took.
     */
    public Phase runCount(int clients, double rate, long loads, LongFunction<Workload.Load> make)
            throws InterruptedException {
        if (clients < 1 || !(rate > 0) || loads < 1) {
            throw new IllegalArgumentException("clients, rate and loads must be positive, got " + clients + ", "
                    + rate + ", " + loads);
        }
        return phase(clients, ticker.nanoTime(), Long.MAX_VALUE, 1e9 / rate, loads, true, make);
    }

    /** One phase: until {@code end} (by duration) or until {@code offered} loads answered (by count). */
    private Phase phase(int clients, long start, long end, double intervalNanos, long offered, boolean byCount,
                        LongFunction<Workload.Load> make) throws InterruptedException {
        windows.add(new Window(start, end, intervalNanos, offered));
        long first = seq.get();
        long limit = byCount ? offered : Long.MAX_VALUE;
        PhaseState state = new PhaseState();
        CountDownLatch finished = new CountDownLatch(clients);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> {
                try {
                    offer(state, start, end, limit, intervalNanos, first, make);
                } finally {
                    finished.countDown();
                }
            }, "sim-load-" + c);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        try {
            if (byCount) {
                finished.await();
            }
            // Until the deadline plus the drain, by the ticker; a fake ticker that stands still waits for the clients.
            while (!byCount) {
                long left = end + drainNanos - ticker.nanoTime();
                if (left <= 0 || finished.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            threads.forEach(Thread::interrupt);
            throw e;
        }
        long abandoned;
        synchronized (state) {
            state.closed = true;
            abandoned = state.inFlight;
        }
        if (abandoned > 0) {
            threads.forEach(Thread::interrupt);
        }
        Phase p;
        synchronized (state) {
            double seconds = (byCount ? ticker.nanoTime() - start : end - start) / 1e9;
            p = new Phase(offered, state.sent, state.achieved, state.late, abandoned, seconds, start);
        }
        phases.add(p);
        return p;
    }

    /** Counters of one phase; {@code closed} once the drain ended (later outcomes are not recorded). */
    private static final class PhaseState {
        long sent;
        long inFlight;
        long achieved;
        long late;
        boolean closed;
    }

    private void offer(PhaseState state, long start, long end, long limit, double intervalNanos, long first,
                       LongFunction<Workload.Load> make) {
        while (!Thread.currentThread().isInterrupted()) {
            long n = seq.getAndIncrement();
            long due = start + (long) ((n - first) * intervalNanos);
            long now = ticker.nanoTime();
            if (n - first >= limit || due >= end || now >= end) {
                return;
            }
            try {
                ticker.sleepNanos(due - now);
            } catch (InterruptedException e) {
                return;
            }
            Workload.Load load = make.apply(n);
            synchronized (state) {
                if (state.closed) {
                    return;
                }
                state.sent++;
                state.inFlight++;
            }
            LoadStats.Record r = attempt(load, n);
            long finishedAt = ticker.nanoTime();
            synchronized (state) {
                state.inFlight--;
                if (state.closed) {
                    return;
                }
                if (finishedAt > end) {
                    state.late++;
                } else if (r.outcome() == LoadStats.Outcome.SUCCESS) {
                    state.achieved++;
                }
                record(load, r);
            }
        }
    }

    /** Sends one load outside any phase and records it; never throws for a failed load. */
    public LoadStats.Record send(Workload.Load load, long n) {
        LoadStats.Record r = attempt(load, n);
        record(load, r);
        return r;
    }

    private void record(Workload.Load load, LoadStats.Record r) {
        if (r.outcome() == LoadStats.Outcome.SUCCESS && load.keys() != null) {
            Set<Long> keys = keysByTable.computeIfAbsent(load.table(), k -> ConcurrentHashMap.newKeySet());
            for (long k : load.keys()) {
                keys.add(k);
            }
        }
        stats.add(r);
    }

    private LoadStats.Record attempt(Workload.Load load, long n) {
        Map<String, String> headers = new HashMap<>();
        String gc = groupCommit;
        if (gc != null) {
            headers.put("group_commit", gc);
        }
        if (gc == null || gc.equals("off_mode")) {
            headers.put("label", labelPrefix + "-" + n);
        }
        headers.put("format", "csv");
        headers.put("column_separator", Workload.SEPARATOR);
        headers.put("Content-Type", "text/plain");
        long t0 = ticker.nanoTime();
        LoadTransport.Answer a = transport.send(load.table(), load.body(), headers);
        long t1 = ticker.nanoTime();
        return new LoadStats.Record((t0 - runStartNanos) / 1_000_000, (t1 - t0) / 1_000_000, load.table(),
                a.outcome(), load.rows(), load.body().length, a.outcome() == LoadStats.Outcome.SUCCESS ? null
                : a.message());
    }
}
