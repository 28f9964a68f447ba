package io.compactor.storage.peer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where peer fetches spend their time: wall-clock and thread CPU nanoseconds per phase, summed over
 * every fetch of a node ({@code compactor_peer_fetch_seconds_total{phase,clock}}), so a fetch's
 * cost can be compared with the merge it replaces. Thread-safe.
 */
public final class PeerFetchTimings {
    /** The phases of a fetch, in order. */
    public enum Phase {
        /** Asking the peer for its rowsets ({@code /api/_tablet/_rowsets}) and parsing the answer. */
        LIST,
        /** Receiving the segment files and writing them to temp files (checksums computed on the way). */
        TRANSFER,
        /** Checking each file against the peer's meta (size, footer, rows, key bounds, page checksums). */
        VERIFY,
        /** Making the files durable (fsync of every file and the directory) and renaming them. */
        SYNC;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private final Map<Phase, LongAdder> wall = new EnumMap<>(Phase.class);
    private final Map<Phase, LongAdder> cpu = new EnumMap<>(Phase.class);
    private final LongAdder fetches = new LongAdder();
    private final LongAdder requests = new LongAdder();

    public PeerFetchTimings() {
        for (Phase p : Phase.values()) {
            wall.put(p, new LongAdder());
            cpu.put(p, new LongAdder());
        }
    }

    /** A running measurement of one phase on the current thread. */
    public final class Span {
        private final Phase phase;
        private final long wallStart = System.nanoTime();
        private final long cpuStart = threadCpu();

        private Span(Phase phase) {
            this.phase = phase;
        }

        /** Adds the time since {@link #start} to the phase. */
        public void end() {
            wall.get(phase).add(System.nanoTime() - wallStart);
            cpu.get(phase).add(threadCpu() - cpuStart);
        }
    }

    /** Starts measuring {@code phase} on the current thread. */
    public Span start(Phase phase) {
        return new Span(phase);
    }

    /** Counts one finished fetch (all its rowsets). */
    public void fetched() {
        fetches.increment();
    }

    /** Counts one HTTP request to a peer. */
    public void request() {
        requests.increment();
    }

    public long fetches() {
        return fetches.sum();
    }

    public long requests() {
        return requests.sum();
    }

    public long wallNanos(Phase p) {
        return wall.get(p).sum();
    }

    public long cpuNanos(Phase p) {
        return cpu.get(p).sum();
    }

    private static long threadCpu() {
        if (!MX.isCurrentThreadCpuTimeSupported()) {
            return 0;
        }
        long t = MX.getCurrentThreadCpuTime();
        return t < 0 ? 0 : t;
    }
}
