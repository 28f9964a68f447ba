package io.compactor.actors.compaction;

import io.compactor.api.NodeMetrics;
import io.compactor.api.SchedulerOverview;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.explain.ExplainReasons;
import io.compactor.scheduler.explain.GrantCheck;
import io.compactor.scheduler.explain.KindExplain;
import io.compactor.scheduler.explain.TabletExplain;
import io.compactor.scheduler.limit.ConcurrencyLimits;
import io.compactor.scheduler.limit.DataDirSlots;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FairShare;
import io.compactor.scheduler.watchdog.StuckTabletWatchdog;
import io.compactor.storage.compaction.CompactionProgress;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;

/**
 * The supervisor's operator side, apart from its scheduling: the live progress of granted tasks
 * ({@link RunningCompactions}), the stuck-tablet watchdog, and the explain and overview answers
 * built from the supervisor's state with the scheduler's pure rules ({@link GrantCheck},
 * {@link ExplainReasons}). Owned by the supervisor actor, called on its thread only.
 */
final class OperatorState {
    /** The supervisor's grant rule, for a request of a reported tablet. */
    interface VerdictOf {
        GrantCheck.Verdict of(CandidateQueue.Request req, SupervisorProtocol.TabletReport r, boolean auto);
    }

    private final RunningCompactions progress;
    private final StuckTabletWatchdog watchdog;
    private final NodeMetrics metrics;
    private final Logger log;

    OperatorState(RunningCompactions progress, CompactionConfig config, NodeMetrics metrics, Logger log) {
        this.progress = progress;
        this.watchdog = new StuckTabletWatchdog(StuckTabletWatchdog.Settings.of(config));
        this.metrics = metrics;
        this.log = log;
    }

    void setConfig(CompactionConfig c) {
        watchdog.setSettings(StuckTabletWatchdog.Settings.of(c));
    }

    /** A local compaction was granted: its progress, registered before the grant is sent. */
    CompactionProgress started(long taskId, SupervisorProtocol.TabletReport r, CompactionType type, String trigger,
                               Clock clock) {
        CompactionProgress p = new CompactionProgress(taskId, r.tabletId(), r.table().tableId(), type.dorisName(),
                trigger, clock::millis);
        progress.add(p);
        return p;
    }

    void released(long taskId) {
        progress.remove(taskId);
    }

    /** The CANCELLED status of a task whose progress was cancelled. */
    static Status cancelled(CompactionProgress p) {
        return new Status(StatusCode.CANCELLED, p.type() + " compaction of tablet " + p.tabletId() + " cancelled by "
                + p.cancelledBy());
    }

    /**
     * Removes the queued requests a cancel asks for; their waiters get CANCELLED and each waits as
     * parked (until its score changes), so the next dispatch does not undo the cancel.
     */
    static List<CandidateQueue.Request> cancelQueued(SupervisorProtocol.CancelQueued c, CandidateQueue queue,
                                                     ParkedRequests parked,
                                                     ManualRequests manual, long nowMs) {
        List<CandidateQueue.Request> removed = new ArrayList<>();
        for (CandidateQueue.Request req : queue.snapshot()) {
            if (c.tabletIds().contains(req.tabletId()) && (c.type() == null || c.type() == req.type())) {
                queue.remove(req.tabletId(), req.type());
                removed.add(req);
                var key = new TaskKey(req.tabletId(), req.type());
                Status cancelled = new Status(StatusCode.CANCELLED, "queued " + req.type().dorisName()
                        + " compaction of tablet " + req.tabletId() + " cancelled by " + c.by());
                parked.park(key, req.score(), nowMs, cancelled.toString());
                manual.end(key, cancelled);
            }
        }
        return removed;
    }

    void observe(SupervisorProtocol.TabletReport r, long nowMs) {
        watchdog.observe(r.tabletId(), r.table().versionCount(), r.table().totalScore(), nowMs);
    }

    void finished(long tabletId) {
        watchdog.compactionFinished(tabletId);
    }

    void forget(long tabletId) {
        watchdog.forget(tabletId);
    }

    /** Applies the watchdog's rules; logs each tablet once when it becomes stuck. */
    void evaluate(long nowMs, RunningTasks running) {
        List<StuckTabletWatchdog.Running> views = new ArrayList<>();
        for (RunningTasks.Task t : running.all()) {
            if (t.progress() != null) {
                var s = t.progress().snapshot();
                views.add(new StuckTabletWatchdog.Running(t.taskId(), t.tabletId(), s.type(), s.startedAtMs(),
                        s.inputs() == null ? 0 : s.inputs().rows()));
            }
        }
        for (StuckTabletWatchdog.Stuck s : watchdog.evaluate(nowMs, views)) {
            log.warn("tablet {} is stuck ({}): {}; GET /api/compaction/explain?tablet_id={} says why", s.tabletId(),
                    s.reason().label(), s.detail(), s.tabletId());
            metrics.stuckReported.increment();
        }
        metrics.stuckTablets.set(watchdog.stuck().size());
    }

    TabletExplain explain(long tabletId, SupervisorProtocol.TabletReport r, CandidateQueue queue, RunningTasks running,
                          ParkedRequests parked, VerdictOf verdict, long nowMs, boolean nodeAuto, FairShare shares) {
        if (r == null) {
            return null;
        }
        long tableId = r.table().tableId();
        List<CandidateQueue.Request> waiting = queue.snapshot();
        List<KindExplain> kinds = new ArrayList<>();
        for (CompactionType type : List.of(CompactionType.CUMULATIVE, CompactionType.BASE, CompactionType.FULL)) {
            var candidate = r.candidate(type);
            long taskId = 0;
            for (RunningTasks.Task t : running.all()) {
                if (t.tabletId() == tabletId && t.type() == type && !t.singleReplica()) {
                    taskId = t.taskId();
                }
            }
            int position = 0;
            int length = 0;
            for (CandidateQueue.Request w : waiting) {
                if (w.type() == type) {
                    length++;
                    if (w.tabletId() == tabletId) {
                        position = length;
                    }
                }
            }
            var queued = queue.get(tabletId, type);
            var req = queued.orElse(new CandidateQueue.Request(tabletId, tableId, type, candidate.score(),
                    candidate.grantPermits(), type == CompactionType.FULL, nowMs));
            var key = new TaskKey(tabletId, type);
            var p = parked.get(key);
            kinds.add(ExplainReasons.kind(new ExplainReasons.Facts(type, candidate, taskId, position, length,
                    queued.map(CandidateQueue.Request::manual).orElse(false), p == null ? null : p.status(),
                    parked.leftMs(key, nowMs), verdict.of(req, r, nodeAuto))));
        }
        var stuck = watchdog.stuck(tabletId).orElse(null);
        return new TabletExplain(tabletId, tableId, nodeAuto, r.autoCompaction(), shares.weight(tableId),
                shares.cap(tableId), shares.running(tableId), kinds, stuck, ExplainReasons.summary(kinds, stuck != null));
    }

    SchedulerOverview overview(boolean nodeAuto, Map<Long, SupervisorProtocol.TabletReport> reports,
                               CandidateQueue queue, ConcurrencyLimits limits, DataDirSlots slots,
                               PermitLimiter permits, List<String> dataDirs, FairShare shares) {
        Map<CompactionType, Integer> queued = new java.util.EnumMap<>(CompactionType.class);
        Map<Long, Integer> queuedByTable = new TreeMap<>();
        for (CandidateQueue.Request w : queue.snapshot()) {
            queued.merge(w.type(), 1, Integer::sum);
            queuedByTable.merge(w.tableId(), 1, Integer::sum);
        }
        List<SchedulerOverview.Kind> kinds = new ArrayList<>();
        for (CompactionType t : List.of(CompactionType.CUMULATIVE, CompactionType.BASE, CompactionType.FULL)) {
            kinds.add(new SchedulerOverview.Kind(t.dorisName(), queued.getOrDefault(t, 0), limits.running(t),
                    limits.limit(t)));
        }
        List<SchedulerOverview.DataDir> dirs = new ArrayList<>();
        for (String d : dataDirs) {
            dirs.add(new SchedulerOverview.DataDir(d, slots.executing(d), slots.slots(d)));
        }
        Map<Long, SchedulerOverview.TableShare> tables = new TreeMap<>();
        for (SupervisorProtocol.TabletReport r : reports.values()) {
            long t = r.table().tableId();
            tables.computeIfAbsent(t, id -> new SchedulerOverview.TableShare(id, shares.weight(id), shares.cap(id),
                    shares.running(id), queuedByTable.getOrDefault(id, 0)));
        }
        return new SchedulerOverview(nodeAuto, reports.size(), kinds, permits.used(), permits.total(), dirs,
                List.copyOf(tables.values()), watchdog.stuck());
    }
}
