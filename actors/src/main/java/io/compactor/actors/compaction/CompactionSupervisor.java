package io.compactor.actors.compaction;

import io.compactor.api.NodeMetrics;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.CompactionExclusion;
import io.compactor.scheduler.limit.ConcurrencyLimits;
import io.compactor.scheduler.limit.DataDirSlots;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.scheduler.explain.GrantCheck;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.scheduler.queue.FairShare;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Hands out compaction slots on this node.
 *
 * <p>The pick is the scheduler's input, as Lucene's OneMerge is. Tablets report, whenever their
 * meta changes (no periodic scan), a {@link CompactionCandidate} per kind: the kind's score and the
 * pick their policy would run now with the permits that pick holds (a time_series cumulative pick
 * holds one). A (tablet, kind) with a positive score joins one priority queue: manual requests
 * first, then tables in weighted fair shares ({@link FairShare}), within a table by score, then age.
 * A grant happens only when {@link GrantCheck} finds nothing that holds it at that moment (thread
 * limits per kind, data dir slots, {@code total_permits_for_compaction_score},
 * {@link CompactionExclusion}, back-off, the table's cap); explain answers by the same rule. All of
 * this state lives in this one actor, so checks and grants are atomic; the high-water marks it
 * records prove the limits held. The tablet re-picks when the grant arrives: if its pick now needs more permits than
 * granted it gives the grant back ({@link GiveBack}) and the request waits again with its new
 * candidate. A grant counts as running from the moment it is sent until the tablet answers
 * {@link TaskFinished} or {@link GiveBack}, or until the tablet actor dies (it is watched), so a
 * crashed tablet never keeps its slot and permits.
 *
 * <p>Failures back off exponentially per (tablet, kind) and a (tablet, kind) that keeps failing is
 * quarantined: no longer picked automatically, reported in show and metrics, released by a manual
 * compaction that succeeds. A "nothing suitable" answer is not a failure: the (tablet, kind) is
 * parked until its score changes, or for {@link #IDLE_RECHECK} when only time can change the
 * answer (time_series thresholds, base compaction intervals); so is a cancelled one. Each local
 * grant carries a {@link io.compactor.storage.compaction.CompactionProgress}, registered in
 * {@link RunningCompactions} before the grant is sent: cancel and live progress go through it. A
 * request for a tablet that has not reported yet (just created) waits for its report ({@link EarlySubmits}).
 */
public final class CompactionSupervisor extends AbstractBehavior<SupervisorProtocol.Command>
        implements SupervisorProtocol {
    /** How long a tablet whose pick found nothing waits before an unchanged score is retried. */
    static final Duration IDLE_RECHECK = Duration.ofSeconds(60);

    private enum Tick implements Command { INSTANCE }

    private record TabletTerminated(long tabletId) implements Command {
    }

    private final ActorContext<Command> ctx;
    private final Supplier<CompactionConfig> config;
    private final Supplier<Boolean> autoDisabled;
    private final Clock clock;
    private final NodeMetrics metrics;
    private final ConcurrencyLimits limits;
    private final PermitLimiter permits;
    private final DataDirSlots slots = new DataDirSlots();
    private final FailureTracker failures;
    private final CandidateQueue queue = new CandidateQueue();
    private final Map<Long, TabletReport> reports = new HashMap<>();
    private final RunningTasks running = new RunningTasks();
    private final ParkedRequests parked = new ParkedRequests(IDLE_RECHECK.toMillis());
    private final EarlySubmits early = new EarlySubmits();
    private final ManualRequests manual = new ManualRequests();
    private final SingleReplicaPacing pacing = new SingleReplicaPacing();
    private final FairShare shares = new FairShare();
    private final OperatorState operator;
    private final LongPredicate isFollower;
    private final List<String> dataDirs;
    private final int cores;
    private int singleReplicaRunning;
    /** Whether any tablet reported the single-replica property (recomputed every tick). */
    private boolean singleReplicaSeen;
    private final SupervisorViews.Gauges gauges = new SupervisorViews.Gauges();
    private long nextTaskId;

    /**
     * @param isFollower whether this node's replica of a tablet is a single-replica follower by
     *                   designation (another member's replica compacts); asked at each offer and grant
     */
    public static Behavior<Command> create(Supplier<CompactionConfig> config, Supplier<Boolean> autoDisabled,
                                           Clock clock, NodeMetrics metrics, List<String> dataDirs, int cores,
                                           LongPredicate isFollower, RunningCompactions running) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(500));
            return new CompactionSupervisor(ctx, config, autoDisabled, clock, metrics, dataDirs, cores, isFollower,
                    running);
        }));
    }

    private CompactionSupervisor(ActorContext<Command> ctx, Supplier<CompactionConfig> config,
                                 Supplier<Boolean> autoDisabled, Clock clock, NodeMetrics metrics,
                                 List<String> dataDirs, int cores, LongPredicate isFollower,
                                 RunningCompactions progress) {
        super(ctx);
        this.ctx = ctx;
        this.config = config;
        this.autoDisabled = autoDisabled;
        this.clock = clock;
        this.metrics = metrics;
        this.isFollower = isFollower;
        this.dataDirs = List.copyOf(dataDirs);
        this.cores = cores;
        CompactionConfig c = config.get();
        this.limits = ConcurrencyLimits.fromConfig(c, dataDirs.size(), cores);
        this.permits = new PermitLimiter(c.totalPermitsForCompactionScore());
        this.failures = new FailureTracker(c, clock);
        slots.setSlots(dataDirs, c.compactionTaskNumPerDisk());
        this.operator = new OperatorState(progress, c, metrics, ctx.getLog());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TabletReport.class, this::onReport)
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(SubmitSingleReplica.class, this::onSubmitSingleReplica)
                .onMessage(TaskFinished.class, this::onFinished)
                .onMessage(GiveBack.class, this::onGiveBack)
                .onMessage(GetRegistry.class, m -> reply(() -> m.replyTo().tell(
                        new Registry(SupervisorViews.registry(dataDirs, queue, reports, running)))))
                .onMessage(GetFailures.class, m -> reply(() -> m.replyTo().tell(failures.states(m.tabletId()))))
                .onMessage(ConfigChanged.class, m -> onConfigChanged())
                .onMessage(Tick.class, m -> onTick())
                .onMessage(PeerCompacted.class, m -> reply(() -> pacing.peerCompacted(m.tabletId())))
                .onMessage(TabletTerminated.class, this::onTerminated)
                .onMessage(TabletRestarted.class, m -> releaseTasksOf(m.tabletId(), "restarted"))
                .onMessage(CancelQueued.class, this::onCancelQueued)
                .onMessage(Explain.class, m -> reply(() -> m.replyTo().tell(operator.explain(m.tabletId(),
                        reports.get(m.tabletId()), queue, running, parked, this::verdict, clock.millis(),
                        !autoDisabled.get(), shares))))
                .onMessage(GetOverview.class, m -> reply(() -> m.replyTo().tell(operator.overview(!autoDisabled.get(),
                        reports, queue, limits, slots, permits, dataDirs, shares))))
                .build();
    }

    private Behavior<Command> reply(Runnable r) {
        r.run();
        return this;
    }

    private Behavior<Command> onReport(TabletReport r) {
        singleReplicaSeen |= r.singleReplica();
        TabletReport previous = reports.put(r.tabletId(), r);
        shares.configure(r.table().tableId(), r.table().weight(), r.table().cap());
        operator.observe(r, clock.millis());
        if (previous == null || !previous.tablet().equals(r.tablet())) {
            ctx.watchWith(r.tablet(), new TabletTerminated(r.tabletId()));
        }
        offerAutomatic(r, CompactionType.CUMULATIVE);
        offerAutomatic(r, CompactionType.BASE);
        early.reported(r.tabletId());
        dispatch();
        return this;
    }

    /** Whether the tablet's table has the property and this replica is a follower now. */
    private boolean follower(TabletReport r) {
        return r.singleReplica() && isFollower.test(r.tabletId());
    }

    private void offerAutomatic(TabletReport r, CompactionType type) {
        CompactionCandidate c = r.candidate(type);
        long score = c.score();
        long permitsNeeded = c.grantPermits();
        if (follower(r)) {
            // A follower never compacts locally on its own: one single-replica request (under the
            // cumulative key, as Doris registers it) stands for both kinds; its priority is its score,
            // so it is picked only when no local candidate scores higher (Doris's find_best_tablets).
            if (type == CompactionType.BASE) {
                if (!manual.has(new TaskKey(r.tabletId(), type))) {
                    queue.remove(r.tabletId(), type);
                }
                return;
            }
            score = Math.max(r.cumulative().score(), r.base().score());
            permitsNeeded = 0;
        }
        TaskKey key = new TaskKey(r.tabletId(), type);
        if (score <= 0 || !r.autoCompaction()) {
            if (!manual.has(key)) {
                queue.remove(r.tabletId(), type);
            }
            return;
        }
        // Graded back-pressure: a tablet whose loads are being delayed goes ahead of higher scores.
        boolean urgent = type == CompactionType.CUMULATIVE && r.nearVersionLimit();
        if (queue.contains(r.tabletId(), type)) {
            queue.update(r.tabletId(), type, score, permitsNeeded, urgent);
            return;
        }
        if (running.isRunning(r.tabletId(), type)) {
            return;
        }
        if (parked.holds(key, score, clock.millis())) {
            return;
        }
        queue.offer(new CandidateQueue.Request(r.tabletId(), r.table().tableId(), type, score, permitsNeeded, false,
                clock.millis(), urgent));
    }

    private Behavior<Command> onSubmit(Submit s) {
        TabletReport r = reports.get(s.tabletId());
        if (early.holdUnlessKnown(s.tabletId(), r != null, clock.millis(), () -> onSubmit(s), () -> submit(s))) {
            return this;
        }
        if (!s.waitForResult() && follower(r)) {
            // Doris's _submit_compaction_task: submissions that do not wait (table_id runs, loads near
            // the version limit) become a single-replica fetch on a follower; only a manual
            // tablet_id run (which waits) compacts locally, as Doris's detached HTTP thread does.
            return onSubmitSingleReplica(new SubmitSingleReplica(s.tabletId(), s.trigger(), false, s.replyTo()));
        }
        return submit(s);
    }

    private Behavior<Command> submit(Submit s) {
        TabletReport r = reports.get(s.tabletId());
        if (r == null) {
            s.replyTo().tell(Status.tabletNotFound(s.tabletId()));
            return this;
        }
        TaskKey key = new TaskKey(s.tabletId(), s.type());
        if (queue.contains(s.tabletId(), s.type()) && manual.has(key)
                || running.isRunning(s.tabletId(), s.type())) {
            s.replyTo().tell(Status.compactionAlreadySubmitted(s.tabletId(), s.type().dorisName()));
            return this;
        }
        // A manual request replaces an automatic one for the same (tablet, kind) and goes first.
        queue.remove(s.tabletId(), s.type());
        parked.clear(key);
        queueManual(r, s.type());
        manual.add(key, s.trigger(), s.waitForResult() ? s.replyTo() : null);
        if (!s.waitForResult()) {
            s.replyTo().tell(Status.OK);
        }
        dispatch();
        return this;
    }

    private void queueManual(TabletReport r, CompactionType type) {
        CompactionCandidate c = r.candidate(type);
        queue.offer(new CandidateQueue.Request(r.tabletId(), r.table().tableId(), type, Math.max(1, c.score()),
                c.grantPermits(), true, clock.millis()));
    }

    private Behavior<Command> onSubmitSingleReplica(SubmitSingleReplica s) {
        if (early.holdUnlessKnown(s.tabletId(), reports.containsKey(s.tabletId()), clock.millis(),
                () -> onSubmitSingleReplica(s), () -> s.replyTo().tell(Status.tabletNotFound(s.tabletId())))) {
            return this; // the tablet's first report is yet to come
        }
        TaskKey key = new TaskKey(s.tabletId(), CompactionType.CUMULATIVE);
        boolean accepted = !running.isRunning(s.tabletId(), CompactionType.CUMULATIVE)
                && !(queue.contains(s.tabletId(), CompactionType.CUMULATIVE) && manual.has(key));
        if (accepted) {
            manual.markRemote(key);
        }
        return submit(new Submit(s.tabletId(), CompactionType.CUMULATIVE, s.trigger(), s.waitForResult(),
                s.replyTo()));
    }

    /** Whether a granted request runs as a single-replica fetch: a follower's automatic or remote request. */
    private boolean singleReplicaTask(CandidateQueue.Request req, TabletReport r) {
        return req.type() == CompactionType.CUMULATIVE
                && (req.manual() ? manual.isRemote(new TaskKey(req.tabletId(), req.type())) : follower(r));
    }

    /** Grants while the head-most eligible request fits every limit; closed lanes are not walked. */
    private void dispatch() {
        boolean auto = !autoDisabled.get();
        while (singleReplicaSeen && singleReplicaRunning < config.get().maxSingleReplicaCompactionThreads()
                || limits.anyCanStart(slots)) {
            var next = queue.pollEligible(req -> canGrant(req, auto), shares, (type, m) -> laneOpen(type, m, auto));
            if (next.isEmpty()) {
                break;
            }
            grant(next.get());
        }
        gauges.publish(metrics, queue, reports, permits, failures, this::singleReplicaTask);
    }

    /** A necessary condition of {@link #canGrant} for every request of a kind: its lane is worth a look. */
    private boolean laneOpen(CompactionType type, boolean firstLane, boolean auto) {
        if (type == CompactionType.CUMULATIVE && singleReplicaRunning < config.get().maxSingleReplicaCompactionThreads()) {
            return firstLane || auto; // a single-replica fetch takes no local thread or slot
        }
        return (firstLane || auto) && limits.canStart(type) && slots.anyFree(type);
    }

    private boolean canGrant(CandidateQueue.Request req, boolean auto) {
        TabletReport r = reports.get(req.tabletId());
        if (r == null) {
            return false;
        }
        boolean singleReplica = singleReplicaTask(req, r);
        if (!singleReplica && !(limits.canStart(req.type()) && slots.canStart(r.dataDir(), req.type()))) {
            return false; // the cheap limits first: the rule below costs a scan of the running tasks
        }
        if (singleReplica) {
            if (!req.manual() && (!auto || !r.autoCompaction() || !pacing.mayStart(req.tabletId(), clock.millis()))) {
                return false;
            }
            return CompactionExclusion.allowsFetch(running.kinds(req.tabletId()), running.isFetching(req.tabletId()))
                    && singleReplicaRunning < config.get().maxSingleReplicaCompactionThreads();
        }
        return verdict(req, r, auto).grantable();
    }

    /** {@link GrantCheck}: the one rule that both grants and explains. */
    private GrantCheck.Verdict verdict(CandidateQueue.Request req, TabletReport r, boolean auto) {
        var tablet = new GrantCheck.Tablet(r.dataDir(), running.kinds(req.tabletId()), running.isFetching(req.tabletId()),
                r.autoCompaction(), follower(r));
        return GrantCheck.check(req, tablet, auto, new GrantCheck.Ledgers(limits, slots, permits, failures, shares),
                clock.millis());
    }

    private void grant(CandidateQueue.Request req) {
        TabletReport r = reports.get(req.tabletId());
        TaskKey key = new TaskKey(req.tabletId(), req.type());
        String trigger = req.manual() ? manual.trigger(key) : "AUTOMATIC";
        long taskId = ++nextTaskId;
        if (singleReplicaTask(req, r)) {
            // Its own thread limit; no permits or data-dir slots (no local merge), as Doris's pool.
            singleReplicaRunning++;
            pacing.started(req.tabletId());
            running.add(new RunningTasks.Task(taskId, req.tabletId(), r.table().tableId(), req.type(), r.dataDir(), 0,
                    req.manual(), true, null));
            metrics.compactionStarted(NodeMetrics.Kind.SINGLE_REPLICA);
            r.tasks().tell(new RunSingleReplica(taskId, trigger, ctx.getSelf()));
            return;
        }
        long p = req.permits();
        if (!permits.tryAcquire(p)) {
            throw new IllegalStateException("permits checked but not acquirable: " + p + " " + permits);
        }
        limits.started(req.type());
        slots.started(r.dataDir(), req.type());
        shares.started(r.table().tableId());
        var progress = operator.started(taskId, r, req.type(), trigger, clock);
        running.add(new RunningTasks.Task(taskId, req.tabletId(), r.table().tableId(), req.type(), r.dataDir(), p,
                req.manual(), false, progress));
        metrics.compactionStarted(NodeMetrics.Kind.of(req.type()));
        var decision = r.candidate(req.type()).decision();
        r.tasks().tell(new RunCompaction(taskId, req.type(), trigger, req.score(), p,
                decision instanceof CompactionPick pick ? pick : null, ctx.getSelf(), progress));
    }

    private Behavior<Command> onFinished(TaskFinished f) {
        RunningTasks.Task t = running.remove(f.taskId());
        if (t == null) {
            return this;
        }
        release(t);
        return finish(t, f);
    }

    private Behavior<Command> finish(RunningTasks.Task t, TaskFinished f) {
        TaskKey key = new TaskKey(t.tabletId(), t.type());
        if (t.singleReplica()) {
            pacing.finished(t.tabletId(), f.status(), clock.millis());
        } else if (f.status().ok()) {
            failures.recordSuccess(t.tabletId(), t.type());
            parked.clear(key);
            operator.finished(t.tabletId());
        } else if (f.noSuitableVersion() || f.status().is(StatusCode.CANCELLED)) {
            // Not a failure, and no timed delay (Doris waits tablet_sched_delay_time_ms here): the
            // (tablet, kind) is parked until its score changes, i.e. the next load or compaction,
            // so a tablet under frequent small loads is compacted as soon as enough piled up.
            TabletReport r = reports.get(t.tabletId());
            // A cancelled one waits the same way: an operator's cancel is not undone by the next dispatch.
            parked.park(key, r == null ? 0 : r.candidate(t.type()).score(), clock.millis(), f.status().toString());
        } else {
            failures.recordFailure(t.tabletId(), t.type(), f.status().toString());
        }
        metrics.quarantinedTablets.set(failures.quarantinedCount());
        if (t.manual()) {
            manual.end(key, f.status());
        }
        dispatch();
        return this;
    }

    private Behavior<Command> onCancelQueued(CancelQueued c) {
        c.replyTo().tell(OperatorState.cancelQueued(c, queue, parked, manual, clock.millis()));
        dispatch();
        return this;
    }

    private Behavior<Command> onGiveBack(GiveBack g) {
        RunningTasks.Task t = running.remove(g.taskId());
        if (t == null) {
            return this;
        }
        release(t);
        TabletReport r = reports.get(t.tabletId());
        if (t.progress() != null && t.progress().isCancelled()) {
            return finish(t, new TaskFinished(g.taskId(), OperatorState.cancelled(t.progress()), false));
        }
        if (r != null) {
            if (t.manual()) {
                queueManual(r, t.type()); // its waiters and trigger stay with the request
            } else {
                offerAutomatic(r, t.type());
            }
        }
        dispatch();
        return this;
    }

    private void release(RunningTasks.Task t) {
        if (t.singleReplica()) {
            singleReplicaRunning--;
            metrics.compactionEnded(NodeMetrics.Kind.SINGLE_REPLICA);
            return;
        }
        permits.release(t.permits());
        limits.finished(t.type());
        slots.finished(t.dataDir(), t.type());
        shares.finished(t.tableId());
        operator.released(t.taskId());
        metrics.compactionEnded(NodeMetrics.Kind.of(t.type()));
    }

    private Behavior<Command> onTerminated(TabletTerminated m) {
        reports.remove(m.tabletId());
        operator.forget(m.tabletId());
        queue.removeTablet(m.tabletId());
        failures.removeTablet(m.tabletId());
        parked.forgetTablet(m.tabletId());
        pacing.forget(m.tabletId());
        return releaseTasksOf(m.tabletId(), "stopped");
    }

    /** Gives back the slots and permits of a tablet's running tasks; their waiters get an error. */
    private Behavior<Command> releaseTasksOf(long tabletId, String what) {
        for (RunningTasks.Task t : running.removeTablet(tabletId)) {
            release(t);
            manual.end(new TaskKey(t.tabletId(), t.type()), new Status(StatusCode.INTERNAL_ERROR,
                    "tablet " + t.tabletId() + " " + what + " during " + t.type().dorisName() + " compaction"));
        }
        dispatch();
        return this;
    }

    private Behavior<Command> onTick() {
        long now = clock.millis();
        early.expire(now);
        for (TaskKey k : parked.due(now)) {
            TabletReport r = reports.get(k.tabletId());
            if (r != null) {
                offerAutomatic(r, k.type());
            }
        }
        // Single-replica tablets: designation follows membership (and fetches wait out back-offs
        // without a new report), so their requests are re-offered on every tick.
        singleReplicaSeen = false;
        for (TabletReport r : reports.values()) {
            singleReplicaSeen |= r.singleReplica();
            if (r.singleReplica()) {
                offerAutomatic(r, CompactionType.CUMULATIVE);
                offerAutomatic(r, CompactionType.BASE);
            }
        }
        operator.evaluate(now, running);
        dispatch();
        return this;
    }

    private Behavior<Command> onConfigChanged() {
        CompactionConfig c = config.get();
        limits.applyConfig(c, dataDirs.size(), cores);
        permits.setTotal(c.totalPermitsForCompactionScore());
        failures.setConfig(c);
        operator.setConfig(c);
        slots.setSlots(dataDirs, c.compactionTaskNumPerDisk());
        dispatch();
        return this;
    }
}
