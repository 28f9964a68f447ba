package io.compactor.actors.compaction;

import io.compactor.api.NodeMetrics;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/** What the supervisor shows of its state: run_status's registry and the queue/permit gauges. */
final class SupervisorViews {
    private SupervisorViews() {
    }

    /** Queued and running tasks: kind -> data dir -> tablet ids (every data dir listed). */
    static Map<CompactionType, Map<String, List<Long>>> registry(List<String> dataDirs, CandidateQueue queue,
            Map<Long, CompactionSupervisor.TabletReport> reports, RunningTasks running) {
        Map<CompactionType, Map<String, TreeSet<Long>>> tasks = new EnumMap<>(CompactionType.class);
        for (CompactionType t : CompactionType.values()) {
            Map<String, TreeSet<Long>> dirs = new TreeMap<>();
            for (String d : dataDirs) {
                dirs.put(d, new TreeSet<>());
            }
            tasks.put(t, dirs);
        }
        for (CandidateQueue.Request r : queue.snapshot()) {
            CompactionSupervisor.TabletReport rep = reports.get(r.tabletId());
            if (rep != null) {
                tasks.get(r.type()).computeIfAbsent(rep.dataDir(), d -> new TreeSet<>()).add(r.tabletId());
            }
        }
        for (RunningTasks.Task t : running.all()) {
            tasks.get(t.type()).computeIfAbsent(t.dataDir(), d -> new TreeSet<>()).add(t.tabletId());
        }
        Map<CompactionType, Map<String, List<Long>>> out = new EnumMap<>(CompactionType.class);
        tasks.forEach((t, dirs) -> {
            Map<String, List<Long>> m = new TreeMap<>();
            dirs.forEach((d, ids) -> m.put(d, List.copyOf(ids)));
            out.put(t, m);
        });
        return out;
    }

    /** Queued counts per kind (waiting for a slot, not a back-off or quarantine) and used permits. */
    /**
     * Publishes the gauges at every dispatch while the queue is short; a long queue is scanned at
     * most every 200 ms (the supervisor's tick dispatches every 500 ms, so they stay fresh).
     */
    static final class Gauges {
        private static final int SCAN_EVERY_TIME_UP_TO = 256;
        private static final long INTERVAL_NANOS = 200_000_000L;
        private long lastNanos;

        void publish(NodeMetrics metrics, CandidateQueue queue, Map<Long, CompactionSupervisor.TabletReport> reports,
                     PermitLimiter permits, FailureTracker failures,
                     BiPredicate<CandidateQueue.Request, CompactionSupervisor.TabletReport> singleReplica) {
            long now = System.nanoTime();
            if (queue.size() <= SCAN_EVERY_TIME_UP_TO || now - lastNanos >= INTERVAL_NANOS) {
                lastNanos = now;
                publishGauges(metrics, queue, reports, permits, failures, singleReplica);
            }
        }
    }

    static void publishGauges(NodeMetrics metrics, CandidateQueue queue,
                              Map<Long, CompactionSupervisor.TabletReport> reports, PermitLimiter permits,
                              FailureTracker failures,
                              BiPredicate<CandidateQueue.Request, CompactionSupervisor.TabletReport> singleReplica) {
        Map<CompactionType, Integer> queued = new EnumMap<>(CompactionType.class);
        int singleReplicaQueued = 0;
        long waiting = 0;
        for (CandidateQueue.Request r : queue.snapshot()) {
            CompactionSupervisor.TabletReport rep = reports.get(r.tabletId());
            if (rep != null && singleReplica.test(r, rep)) {
                singleReplicaQueued++;
            } else if (r.manual() || failures.isEligible(r.tabletId(), r.type())) {
                queued.merge(r.type(), 1, Integer::sum);
                waiting += r.permits();
            }
        }
        for (CompactionType t : CompactionType.values()) {
            metrics.queued.get(NodeMetrics.Kind.of(t)).set(queued.getOrDefault(t, 0));
        }
        metrics.queued.get(NodeMetrics.Kind.SINGLE_REPLICA).set(singleReplicaQueued);
        metrics.usedPermits.set(permits.used());
        metrics.waitingPermits.set(waiting);
    }
}
