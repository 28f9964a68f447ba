package io.compactor.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Peak live heap of a piece of work, measured, not estimated. A full GC before the work gives the
 * baseline; while it runs, a sampler thread forces a full GC ({@code System.gc()}) every
 * {@code intervalMs}, and the heap in use at the end of each full GC — as the collector reports it
 * in its GC notification, before any new allocation — is the live set at that moment:
 * everything unreachable was just collected. The peak is the largest such sample minus the
 * baseline. Garbage never counts, unlike "allocated bytes" or a pool's peak usage (which includes
 * garbage not collected yet); young collections the work triggers on its own are ignored, since
 * what they leave in the old generation may be dead.
 *
 * <p>Limits: a live peak shorter than the interval can fall between two samples, and the forced
 * GCs slow the work down, so time it in a separate run. The work must run alone in the JVM.
 */
final class LiveHeapPeak {
    /** The action of a full collection's notification (every collector of JDK 17 uses it). */
    private static final String FULL_GC = "end of major GC";

    /** What one measured run gave. */
    record Result(long peakBytes, long baselineBytes, int samples) {
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    /** Collects the heap in use after every explicit full GC, from the collectors' notifications. */
    private static final class Listener implements NotificationListener {
        private final Set<String> heapPools = new HashSet<>();
        private long received;
        private long last;
        private long peak;

        Listener() {
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP) {
                    heapPools.add(p.getName());
                }
            }
        }

        @Override
        public synchronized void handleNotification(Notification n, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from(
                    (CompositeData) n.getUserData());
            if (!FULL_GC.equals(info.getGcAction())) {
                return;
            }
            long used = 0;
            for (Map.Entry<String, MemoryUsage> e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            last = used;
            peak = Math.max(peak, used);
            received++;
            notifyAll();
        }

        /**
         * Forces a full GC and waits for its notification; returns the heap in use after it. An
         * explicit GC asked while a thread is in a JNI critical section (LZ4) can be dropped, so
         * it is asked again until a full GC is seen.
         */
        long gcAndRead() throws InterruptedException {
            long before;
            synchronized (this) {
                before = received;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                System.gc();
                long retryAt = Math.min(deadline, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
                synchronized (this) {
                    while (received == before) {
                        long left = retryAt - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    }
                    if (received != before) {
                        return last;
                    }
                }
                if (System.nanoTime() >= deadline) {
                    throw new IllegalStateException("no full GC notification after System.gc() within 30 s"
                            + " (explicit GC disabled with -XX:+DisableExplicitGC?)");
                }
            }
        }

        synchronized void resetPeak() {
            peak = 0;
        }

        synchronized long peak() {
            return peak;
        }
    }

    private LiveHeapPeak() {
    }

    static Result measure(long intervalMs, Work work) throws Exception {
        Listener listener = new Listener();
        List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
        for (GarbageCollectorMXBean gc : collectors) {
            ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
        }
        try {
            long baseline = listener.gcAndRead();
            listener.resetPeak();
            int[] samples = {0};
            Object lock = new Object();
            boolean[] stop = {false};
            Throwable[] failure = {null};
            Thread sampler = new Thread(() -> {
                try {
                    while (true) {
                        synchronized (lock) {
                            lock.wait(intervalMs);
                            if (stop[0]) {
                                return;
                            }
                        }
                        listener.gcAndRead();
                        samples[0]++;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            }, "live-heap-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {
                work.run();
            } finally {
                synchronized (lock) {
                    stop[0] = true;
                    lock.notifyAll();
                }
                sampler.join();
            }
            if (failure[0] != null) {
                throw new IllegalStateException("live heap sampling failed: " + failure[0].getMessage(), failure[0]);
            }
            return new Result(Math.max(0, listener.peak() - baseline), baseline, samples[0]);
        } finally {
            for (GarbageCollectorMXBean gc : collectors) {
                try {
                    ((NotificationEmitter) gc).removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // never added
                }
            }
        }
    }
}
