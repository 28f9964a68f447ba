package io.compactor.api;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Node-wide counters and gauges behind {@code /metrics}. Updates are lock-free; metrics never fail
 * the operation they count.
 */
public final class NodeMetrics {
    /** Compaction kinds as metric labels. */
    public enum Kind { BASE, CUMULATIVE, FULL, SINGLE_REPLICA, SEGMENT;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The metric kind of a scheduled compaction type. */
        public static Kind of(io.compactor.scheduler.CompactionType t) {
            return switch (t) {
                case BASE -> BASE;
                case CUMULATIVE -> CUMULATIVE;
                case FULL -> FULL;
            };
        }
    }

    public final LongAdder loadSuccess = new LongAdder();
    public final LongAdder loadFail = new LongAdder();
    public final LongAdder loadLabelExists = new LongAdder();
    public final LongAdder loadRows = new LongAdder();
    public final LongAdder loadBytes = new LongAdder();
    /** Bytes of segment files that loads made visible (what compaction's output compares to). */
    public final LongAdder loadDiskBytes = new LongAdder();
    public final LongAdder exceedVersionLimit = new LongAdder();
    /** Group commit: loads appended to an internal load, and internal loads committed. */
    public final LongAdder groupCommitLoads = new LongAdder();
    public final LongAdder groupCommitInternalCommits = new LongAdder();
    /** Group commit: bytes of async-mode WAL files not yet deleted (their internal load has not committed). */
    public final AtomicLong groupCommitWalBytes = new AtomicLong();
    /** Graded back-pressure: loads that waited for compaction, and the milliseconds they waited. */
    public final LongAdder loadWaitCompaction = new LongAdder();
    public final LongAdder loadWaitCompactionMs = new LongAdder();
    public final LongAdder segcompactionTotal = new LongAdder();
    public final Map<Kind, LongAdder> compactionDeltas = counters();
    public final Map<Kind, LongAdder> compactionBytes = counters();
    public final Map<Kind, LongAdder> compactionRows = counters();
    public final Map<Kind, LongAdder> compactionSuccess = counters();
    public final Map<Kind, LongAdder> compactionFailed = counters();
    public final Map<Kind, AtomicLong> running = gauges();
    public final Map<Kind, AtomicLong> queued = gauges();
    public final Map<Kind, AtomicLong> runningMax = gauges();
    /** Base and full compactions share one pool (max_base_compaction_threads): running now and its high-water mark. */
    public final AtomicLong basePoolRunning = new AtomicLong();
    public final AtomicLong basePoolRunningMax = new AtomicLong();
    /**
     * Thread CPU time (ThreadMXBean, nanoseconds) spent in compaction merge tasks (cumulative,
     * base, full) and in single-replica fetch tasks (download, verification), per kind.
     */
    public final Map<Kind, LongAdder> compactionCpuNanos = counters();
    /** Single-replica compaction tasks by outcome (Doris: single_compaction requests). */
    public final LongAdder singleReplicaSuccess = new LongAdder();
    public final LongAdder singleReplicaFailed = new LongAdder();
    /** No matching versions on the peer (CANCELLED): not a failure, the tablet skips 10 s. */
    public final LongAdder singleReplicaCancelled = new LongAdder();
    /** Where peer fetches (single-replica compaction, catch-up, clone) spend their time, per phase. */
    public final io.compactor.storage.peer.PeerFetchTimings peerFetch = new io.compactor.storage.peer.PeerFetchTimings();

    /** Bytes downloaded from peers by single-replica compaction and catch-up. */
    public final LongAdder singleReplicaFetchedBytes = new LongAdder();
    public final AtomicLong usedPermits = new AtomicLong();
    /** Permits the compactions waiting in the queue would take (Doris's compaction_waitting_permits). */
    public final AtomicLong waitingPermits = new AtomicLong();
    /** Stream loads being processed now. */
    public final AtomicLong loadsInFlight = new AtomicLong();
    /** Stream load requests answered, and the time they took. */
    public final LongAdder loadRequests = new LongAdder();
    public final LongAdder loadMillis = new LongAdder();
    /** Body bytes received by stream loads (all outcomes). */
    public final LongAdder loadReceivedBytes = new LongAdder();
    public final AtomicLong quarantinedTablets = new AtomicLong();
    /** Tablets the stuck-tablet watchdog reports now, and every report since start. */
    public final AtomicLong stuckTablets = new AtomicLong();
    public final LongAdder stuckReported = new LongAdder();
    /** Compactions cancelled by an operator, queued or running, per kind. */
    public final Map<Kind, LongAdder> compactionCancelled = counters();

    private static Map<Kind, LongAdder> counters() {
        Map<Kind, LongAdder> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            m.put(k, new LongAdder());
        }
        return m;
    }

    private static Map<Kind, AtomicLong> gauges() {
        Map<Kind, AtomicLong> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            m.put(k, new AtomicLong());
        }
        return m;
    }

    /** Records that a compaction of {@code kind} started; keeps the high-water mark. */
    public void compactionStarted(Kind kind) {
        long now = running.get(kind).incrementAndGet();
        runningMax.get(kind).accumulateAndGet(now, Math::max);
        if (kind == Kind.BASE || kind == Kind.FULL) {
            long pool = basePoolRunning.incrementAndGet();
            basePoolRunningMax.accumulateAndGet(pool, Math::max);
        }
    }

    /** CPU seconds spent in compaction tasks of {@code kind} ({@link #compactionCpuNanos}). */
    public double compactionCpuSeconds(Kind kind) {
        return compactionCpuNanos.get(kind).sum() / 1e9;
    }

    /** CPU seconds spent in all compaction tasks: merges of every kind and single-replica fetches. */
    public double totalCompactionCpuSeconds() {
        long n = 0;
        for (LongAdder a : compactionCpuNanos.values()) {
            n += a.sum();
        }
        return n / 1e9;
    }

    /**
     * The CPU time the current thread has used so far, in nanoseconds (0 where the JVM does not
     * measure it): a task's cost is the difference between its end and its start on one thread.
     */
    public static long threadCpuNanos() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            return 0;
        }
        long t = mx.getCurrentThreadCpuTime();
        return t < 0 ? 0 : t;
    }

    public void compactionEnded(Kind kind) {
        running.get(kind).decrementAndGet();
        if (kind == Kind.BASE || kind == Kind.FULL) {
            basePoolRunning.decrementAndGet();
        }
    }
}
