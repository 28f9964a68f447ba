package io.compactor.actors.compaction;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.NodeMetrics;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.ConcurrencyLimits;
import io.compactor.scheduler.limit.DataDirSlots;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.storage.util.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
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
 * <p>Ordering and guarantees. Tablets report their scores whenever their meta changes (no periodic
 * scan of all tablets); a (tablet, kind) with a positive score joins one priority queue, manual
 * requests first, then by score, then by age. A grant happens only when, at that moment, the
 * kind's running count is under its limit ({@code max_cumu_compaction_threads}; base and full
 * share {@code max_base_compaction_threads}), the tablet's data dir has a free slot (the last one
 * kept for cumulative), the permits (sum of scores) fit under
 * {@code total_permits_for_compaction_score}, and the tablet runs no conflicting compaction (base
 * and cumulative may run together on disjoint rowsets; full excludes both). All of this state lives
 * in this one actor, so checks and grants are atomic; the high-water marks it records prove the
 * limits held. A grant counts as running from the moment it is sent until the tablet answers
 * {@link TaskFinished}, or until the tablet actor dies (it is watched), so a crashed tablet never
 * keeps its slot and permits.
 *
 * <p>Failures back off exponentially per (tablet, kind) and a (tablet, kind) that keeps failing is
 * quarantined: no longer picked automatically, reported in show and metrics, released by a manual
 * compaction that succeeds. A "nothing suitable" answer is not a failure: the (tablet, kind) is
 * parked until its score changes, or for {@link #IDLE_RECHECK} when only time can change the
 * answer (time_series thresholds, base compaction intervals).
 */
public final class CompactionSupervisor extends AbstractBehavior<CompactionSupervisor.Command> {
    /** How long a tablet whose pick found nothing waits before an unchanged score is retried. */
    static final Duration IDLE_RECHECK = Duration.ofSeconds(60);

    public interface Command {
    }

    /**
     * A tablet's current scores; sent on every meta change. {@code singleReplica}: its table has
     * {@code enable_single_replica_compaction} (whether this replica is a follower is decided at
     * each offer and grant, since designation follows membership).
     */
    public record TabletReport(long tabletId, String dataDir, ActorRef<TabletActor.Command> tablet, long cumulativeScore,
                               long baseScore, long totalScore, boolean autoCompaction, boolean singleReplica)
            implements Command {
        public TabletReport(long tabletId, String dataDir, ActorRef<TabletActor.Command> tablet, long cumulativeScore,
                            long baseScore, long totalScore, boolean autoCompaction) {
            this(tabletId, dataDir, tablet, cumulativeScore, baseScore, totalScore, autoCompaction, false);
        }
    }

    /**
     * A manual single-replica compaction ({@code /api/compaction/run?...&remote=true}) of a
     * follower tablet: same queue and limits as automatic ones, ahead of them. Answers as
     * {@link Submit}.
     */
    public record SubmitSingleReplica(long tabletId, String trigger, boolean waitForResult, ActorRef<Status> replyTo)
            implements Command {
    }

    /**
     * A manual (or load-forced) request. Answers at once with ALREADY_EXIST or NOT_FOUND; otherwise
     * with OK on acceptance if {@code waitForResult} is false, else with the task's status when it ends.
     */
    public record Submit(long tabletId, CompactionType type, String trigger, boolean waitForResult,
                         ActorRef<Status> replyTo) implements Command {
    }

    /** The tablet's answer to a grant: the task ended with {@code status}. */
    public record TaskFinished(long taskId, Status status, boolean noSuitableVersion) implements Command {
    }

    /** Answers queued and running tasks: kind -> data dir -> tablet ids. */
    public record GetRegistry(ActorRef<Registry> replyTo) implements Command {
    }

    public record Registry(Map<CompactionType, Map<String, List<Long>>> tasks) {
    }

    /** Answers the failure/quarantine state of a tablet. */
    public record GetFailures(long tabletId, ActorRef<List<FailureTracker.FailureState>> replyTo) implements Command {
    }

    /**
     * A tablet actor restarted after a failure: its in-memory compaction state is gone, so the
     * slots and permits of its tasks come back now (a merge result that still arrives later is
     * committed or discarded by the new incarnation and its answer ignored).
     */
    public record TabletRestarted(long tabletId) implements Command {
    }

    /** Configuration changed at runtime: re-read limits. */
    public enum ConfigChanged implements Command { INSTANCE }

    private enum Tick implements Command { INSTANCE }

    /**
     * The designated replica of a single-replica tablet committed a compaction: a follower that
     * waits out an "only early" or "no match" skip may fetch at the next tick (a failure back-off
     * still holds).
     */
    public record PeerCompacted(long tabletId) implements Command {
    }

    private record TabletTerminated(long tabletId) implements Command {
    }

    private record Running(long taskId, long tabletId, CompactionType type, String dataDir, long permits,
                           boolean manual, boolean singleReplica) {
    }

    /** Doris: a failed single-replica fetch waits 5 s, a CANCELLED one (no matching versions) 10 s. */
    static final Duration SINGLE_REPLICA_FAILURE_BACKOFF = Duration.ofSeconds(5);
    static final Duration SINGLE_REPLICA_CANCEL_SKIP = Duration.ofSeconds(10);
    /**
     * A follower in step with the designated replica (after a fetch, or a fetch that found nothing
     * newer) looks again after 10 s at the latest, as Doris does; but the designated replica
     * announces each compaction ({@link PeerCompacted}) and the follower then fetches within
     * {@link #SINGLE_REPLICA_FETCH_INTERVAL} of its last fetch, so its versions do not climb by
     * ten seconds of loads.
     */
    static final Duration SINGLE_REPLICA_EARLY_WAIT = Duration.ofSeconds(10);
    /** Ours: the shortest time between two fetches of one follower after an announcement. */
    static final Duration SINGLE_REPLICA_FETCH_INTERVAL = Duration.ofSeconds(2);

    private record Parked(long score, long parkedAtMs) {
    }

    private record Key(long tabletId, CompactionType type) {
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
    private final Map<Long, Running> running = new LinkedHashMap<>();
    private final Map<Key, Parked> parked = new HashMap<>();
    private final Map<Key, List<ActorRef<Status>>> waiters = new HashMap<>();
    private final Map<Key, String> triggers = new HashMap<>();
    /** Manual requests that asked for a single-replica fetch (remote=true). */
    private final java.util.Set<Key> remoteRequests = new java.util.HashSet<>();
    /** Single-replica follower tablets waiting out a failure back-off or a CANCELLED skip: until when. */
    private final Map<Long, Long> singleReplicaNotBefore = new HashMap<>();
    /** Followers told of a designated replica's compaction since their current or last fetch began. */
    private final java.util.Set<Long> singleReplicaNews = new java.util.HashSet<>();
    /** When each follower's last fetch ended (spaces fetches {@link #SINGLE_REPLICA_FETCH_INTERVAL} apart). */
    private final Map<Long, Long> singleReplicaLastDone = new HashMap<>();
    /** Followers whose wait is a failure back-off (a peer's compaction does not cut it short). */
    private final java.util.Set<Long> singleReplicaBackingOff = new java.util.HashSet<>();
    private final java.util.function.LongPredicate isFollower;
    private int singleReplicaRunning;
    private long nextTaskId;

    public static Behavior<Command> create(Supplier<CompactionConfig> config, Supplier<Boolean> autoDisabled,
                                           Clock clock, NodeMetrics metrics, List<String> dataDirs, int cores) {
        return create(config, autoDisabled, clock, metrics, dataDirs, cores, id -> false);
    }

    /**
     * @param isFollower whether this node's replica of a tablet is a single-replica follower by
     *                   designation (another member's replica compacts); asked at each offer and grant
     */
    public static Behavior<Command> create(Supplier<CompactionConfig> config, Supplier<Boolean> autoDisabled,
                                           Clock clock, NodeMetrics metrics, List<String> dataDirs, int cores,
                                           java.util.function.LongPredicate isFollower) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofMillis(500));
            return new CompactionSupervisor(ctx, config, autoDisabled, clock, metrics, dataDirs, cores, isFollower);
        }));
    }

    private CompactionSupervisor(ActorContext<Command> ctx, Supplier<CompactionConfig> config,
                                 Supplier<Boolean> autoDisabled, Clock clock, NodeMetrics metrics,
                                 List<String> dataDirs, int cores, java.util.function.LongPredicate isFollower) {
        super(ctx);
        this.isFollower = isFollower;
        this.ctx = ctx;
        this.config = config;
        this.autoDisabled = autoDisabled;
        this.clock = clock;
        this.metrics = metrics;
        CompactionConfig c = config.get();
        this.limits = ConcurrencyLimits.fromConfig(c, dataDirs.size(), cores);
        this.permits = new PermitLimiter(c.totalPermitsForCompactionScore());
        this.failures = new FailureTracker(c, clock);
        for (String d : dataDirs) {
            slots.setSlots(d, c.compactionTaskNumPerDisk());
        }
        this.dataDirs = List.copyOf(dataDirs);
        this.cores = cores;
    }

    private final List<String> dataDirs;
    private final int cores;

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(TabletReport.class, this::onReport)
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(SubmitSingleReplica.class, this::onSubmitSingleReplica)
                .onMessage(TaskFinished.class, this::onFinished)
                .onMessage(GetRegistry.class, this::onGetRegistry)
                .onMessage(GetFailures.class, m -> {
                    m.replyTo().tell(failures.states(m.tabletId()));
                    return this;
                })
                .onMessage(ConfigChanged.class, m -> onConfigChanged())
                .onMessage(Tick.class, m -> onTick())
                .onMessage(PeerCompacted.class, m -> {
                    singleReplicaNews.add(m.tabletId());
                    if (!singleReplicaBackingOff.contains(m.tabletId())) {
                        // Fetch soon, but at most once per interval: later outputs of the designated
                        // replica cover earlier ones, so waiting a little fetches one rowset, not many.
                        long at = singleReplicaLastDone.getOrDefault(m.tabletId(), 0L)
                                + SINGLE_REPLICA_FETCH_INTERVAL.toMillis();
                        singleReplicaNotBefore.merge(m.tabletId(), at, Math::min);
                    }
                    return this;
                })
                .onMessage(TabletTerminated.class, this::onTerminated)
                .onMessage(TabletRestarted.class, m -> releaseTasksOf(m.tabletId(), "restarted"))
                .build();
    }

    private Behavior<Command> onReport(TabletReport r) {
        TabletReport previous = reports.put(r.tabletId(), r);
        if (previous == null || !previous.tablet().equals(r.tablet())) {
            ctx.watchWith(r.tablet(), new TabletTerminated(r.tabletId()));
        }
        offerAutomatic(r, CompactionType.CUMULATIVE, r.cumulativeScore());
        offerAutomatic(r, CompactionType.BASE, r.baseScore());
        dispatch();
        return this;
    }

    /** Whether the tablet's table has the property and this replica is a follower now. */
    private boolean follower(TabletReport r) {
        return r.singleReplica() && isFollower.test(r.tabletId());
    }

    private void offerAutomatic(TabletReport r, CompactionType type, long score) {
        if (follower(r)) {
            // A follower never compacts locally on its own: one single-replica request (under the
            // cumulative key, as Doris registers it) stands for both kinds; its priority is its score,
            // so it is picked only when no local candidate scores higher (Doris's find_best_tablets).
            if (type == CompactionType.BASE) {
                if (!hasManualWaiter(new Key(r.tabletId(), type))) {
                    queue.remove(r.tabletId(), type);
                }
                return;
            }
            score = Math.max(r.cumulativeScore(), r.baseScore());
        }
        Key key = new Key(r.tabletId(), type);
        if (score <= 0 || !r.autoCompaction()) {
            if (!hasManualWaiter(key)) {
                queue.remove(r.tabletId(), type);
            }
            return;
        }
        if (queue.contains(r.tabletId(), type)) {
            queue.updateScore(r.tabletId(), type, score);
            return;
        }
        if (isRunning(r.tabletId(), type)) {
            return;
        }
        Parked p = parked.get(key);
        if (p != null && p.score() == score && clock.millis() - p.parkedAtMs() < IDLE_RECHECK.toMillis()) {
            return;
        }
        parked.remove(key);
        queue.offer(new CandidateQueue.Request(r.tabletId(), type, score, false, clock.millis()));
    }

    private boolean hasManualWaiter(Key key) {
        return waiters.containsKey(key);
    }

    private boolean isRunning(long tabletId, CompactionType type) {
        for (Running t : running.values()) {
            if (t.tabletId() == tabletId && t.type() == type) {
                return true;
            }
        }
        return false;
    }

    private Behavior<Command> onSubmit(Submit s) {
        TabletReport r = reports.get(s.tabletId());
        if (r != null && !s.waitForResult() && follower(r)) {
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
        Key key = new Key(s.tabletId(), s.type());
        if (queue.contains(s.tabletId(), s.type()) && hasManualWaiter(key) || isRunning(s.tabletId(), s.type())) {
            s.replyTo().tell(new Status(StatusCode.ALREADY_EXIST, "compaction task has already been submitted, tablet_id="
                    + s.tabletId() + ", compaction_type=" + s.type().dorisName()));
            return this;
        }
        // A manual request replaces an automatic one for the same (tablet, kind) and goes first.
        queue.remove(s.tabletId(), s.type());
        parked.remove(key);
        long score = switch (s.type()) {
            case CUMULATIVE -> r.cumulativeScore();
            case BASE -> r.baseScore();
            case FULL -> r.totalScore();
        };
        queue.offer(new CandidateQueue.Request(s.tabletId(), s.type(), Math.max(1, score), true, clock.millis()));
        if (s.waitForResult()) {
            waiters.computeIfAbsent(key, k -> new ArrayList<>()).add(s.replyTo());
        } else {
            waiters.computeIfAbsent(key, k -> new ArrayList<>());
            s.replyTo().tell(Status.OK);
        }
        triggers.put(key, s.trigger());
        dispatch();
        return this;
    }

    private Behavior<Command> onSubmitSingleReplica(SubmitSingleReplica s) {
        Key key = new Key(s.tabletId(), CompactionType.CUMULATIVE);
        boolean accepted = reports.containsKey(s.tabletId()) && !isRunning(s.tabletId(), CompactionType.CUMULATIVE)
                && !(queue.contains(s.tabletId(), CompactionType.CUMULATIVE) && hasManualWaiter(key));
        if (accepted) {
            remoteRequests.add(key);
        }
        return submit(new Submit(s.tabletId(), CompactionType.CUMULATIVE, s.trigger(), s.waitForResult(),
                s.replyTo()));
    }

    /** Whether a granted request runs as a single-replica fetch: a follower's automatic or remote request. */
    private boolean singleReplicaTask(CandidateQueue.Request req, TabletReport r) {
        if (req.type() != CompactionType.CUMULATIVE) {
            return false;
        }
        Key key = new Key(req.tabletId(), req.type());
        if (req.manual()) {
            return remoteRequests.contains(key);
        }
        return follower(r);
    }

    /** Grants slots while the head-most eligible request fits every limit. */
    private void dispatch() {
        boolean auto = !autoDisabled.get();
        while (true) {
            var next = queue.pollEligible(req -> canGrant(req, auto));
            if (next.isEmpty()) {
                break;
            }
            grant(next.get());
        }
        publishGauges();
    }

    private boolean canGrant(CandidateQueue.Request req, boolean auto) {
        TabletReport r = reports.get(req.tabletId());
        if (r == null) {
            return false;
        }
        if (singleReplicaTask(req, r)) {
            if (!req.manual() && (!auto || !r.autoCompaction()
                    || singleReplicaNotBefore.getOrDefault(req.tabletId(), 0L) > clock.millis())) {
                return false;
            }
            return !hasRunningTask(req.tabletId())
                    && singleReplicaRunning < config.get().maxSingleReplicaCompactionThreads();
        }
        if (!req.manual()) {
            if (!auto || !r.autoCompaction() || !failures.isEligible(req.tabletId(), req.type()) || follower(r)) {
                return false;
            }
        }
        if (conflicts(req.tabletId(), req.type())) {
            return false;
        }
        return limits.canStart(req.type()) && slots.canStart(r.dataDir(), req.type())
                && permits.canAcquire(permitsFor(req));
    }

    private static long permitsFor(CandidateQueue.Request req) {
        return Math.max(1, req.score());
    }

    private boolean hasRunningTask(long tabletId) {
        for (Running t : running.values()) {
            if (t.tabletId() == tabletId) {
                return true;
            }
        }
        return false;
    }

    private boolean conflicts(long tabletId, CompactionType type) {
        for (Running t : running.values()) {
            if (t.tabletId() != tabletId) {
                continue;
            }
            if (t.singleReplica() || type == CompactionType.FULL || t.type() == CompactionType.FULL || t.type() == type) {
                return true;
            }
        }
        return false;
    }

    private void grant(CandidateQueue.Request req) {
        TabletReport r = reports.get(req.tabletId());
        Key srKey = new Key(req.tabletId(), req.type());
        if (singleReplicaTask(req, r)) {
            // Its own thread limit; no permits or data-dir slots (no local merge), as Doris's pool.
            singleReplicaRunning++;
            singleReplicaNews.remove(req.tabletId());
            long taskId = ++nextTaskId;
            running.put(taskId, new Running(taskId, req.tabletId(), req.type(), r.dataDir(), 0, req.manual(), true));
            metrics.compactionStarted(NodeMetrics.Kind.SINGLE_REPLICA);
            String trigger = req.manual() ? triggers.getOrDefault(srKey, "MANUAL") : "AUTOMATIC";
            r.tablet().tell(new TabletActor.RunSingleReplica(taskId, trigger, ctx.getSelf()));
            return;
        }
        long p = permitsFor(req);
        if (!permits.tryAcquire(p)) {
            throw new IllegalStateException("permits checked but not acquirable: " + p + " " + permits);
        }
        limits.started(req.type());
        slots.started(r.dataDir(), req.type());
        long taskId = ++nextTaskId;
        running.put(taskId, new Running(taskId, req.tabletId(), req.type(), r.dataDir(), p, req.manual(), false));
        metrics.compactionStarted(kind(req.type()));
        Key key = new Key(req.tabletId(), req.type());
        String trigger = req.manual() ? triggers.getOrDefault(key, "MANUAL") : "AUTOMATIC";
        r.tablet().tell(new TabletActor.RunCompaction(taskId, req.type(), trigger, req.score(), p, ctx.getSelf()));
    }

    private static NodeMetrics.Kind kind(CompactionType t) {
        return NodeMetrics.Kind.of(t);
    }

    private Behavior<Command> onFinished(TaskFinished f) {
        Running t = running.remove(f.taskId());
        if (t == null) {
            return this;
        }
        release(t);
        Key key = new Key(t.tabletId(), t.type());
        if (t.singleReplica()) {
            long now = clock.millis();
            singleReplicaBackingOff.remove(t.tabletId());
            singleReplicaLastDone.put(t.tabletId(), now);
            // News that came while this fetch ran (a newer output of the designated replica) makes
            // the next fetch due after the interval; without news the follower waits for some.
            long quiet = now + (singleReplicaNews.contains(t.tabletId()) ? SINGLE_REPLICA_FETCH_INTERVAL
                    : SINGLE_REPLICA_EARLY_WAIT).toMillis();
            if (f.status().ok()) {
                singleReplicaNotBefore.put(t.tabletId(), quiet);
            } else if (f.status().is(StatusCode.CANCELLED)
                    && f.status().msg().equals(io.compactor.scheduler.replica.ReplicaVersions.NOTHING_NEWER)) {
                // Only early (the designated replica has not compacted past us yet): wait for news.
                singleReplicaNotBefore.put(t.tabletId(), quiet);
            } else if (f.status().is(StatusCode.CANCELLED)) {
                singleReplicaNotBefore.put(t.tabletId(), now + SINGLE_REPLICA_CANCEL_SKIP.toMillis());
            } else {
                singleReplicaBackingOff.add(t.tabletId());
                singleReplicaNotBefore.put(t.tabletId(), now + SINGLE_REPLICA_FAILURE_BACKOFF.toMillis());
            }
        } else if (f.status().ok()) {
            failures.recordSuccess(t.tabletId(), t.type());
            parked.remove(key);
        } else if (f.noSuitableVersion()) {
            // Not a failure, and no timed delay (Doris waits tablet_sched_delay_time_ms here): the
            // (tablet, kind) is parked until its score changes, i.e. the next load or compaction,
            // so a tablet under frequent small loads is compacted as soon as enough piled up.
            TabletReport r = reports.get(t.tabletId());
            long score = r == null ? 0 : t.type() == CompactionType.BASE ? r.baseScore() : r.cumulativeScore();
            parked.put(key, new Parked(score, clock.millis()));
        } else {
            failures.recordFailure(t.tabletId(), t.type(), f.status().toString());
        }
        metrics.quarantinedTablets.set(failures.quarantinedCount());
        if (t.manual()) {
            List<ActorRef<Status>> ws = waiters.remove(key);
            triggers.remove(key);
            remoteRequests.remove(key);
            if (ws != null) {
                ws.forEach(w -> w.tell(f.status()));
            }
        }
        dispatch();
        return this;
    }

    private void release(Running t) {
        if (t.singleReplica()) {
            singleReplicaRunning--;
            metrics.compactionEnded(NodeMetrics.Kind.SINGLE_REPLICA);
            return;
        }
        permits.release(t.permits());
        limits.finished(t.type());
        slots.finished(t.dataDir(), t.type());
        metrics.compactionEnded(kind(t.type()));
    }

    private Behavior<Command> onTerminated(TabletTerminated m) {
        reports.remove(m.tabletId());
        queue.removeTablet(m.tabletId());
        failures.removeTablet(m.tabletId());
        parked.keySet().removeIf(k -> k.tabletId() == m.tabletId());
        singleReplicaNotBefore.remove(m.tabletId());
        singleReplicaBackingOff.remove(m.tabletId());
        singleReplicaLastDone.remove(m.tabletId());
        singleReplicaNews.remove(m.tabletId());
        return releaseTasksOf(m.tabletId(), "stopped");
    }

    /** Gives back the slots and permits of a tablet's running tasks; their waiters get an error. */
    private Behavior<Command> releaseTasksOf(long tabletId, String what) {
        List<Long> dead = new ArrayList<>();
        for (Running t : running.values()) {
            if (t.tabletId() == tabletId) {
                dead.add(t.taskId());
            }
        }
        for (long id : dead) {
            Running t = running.remove(id);
            release(t);
            Key key = new Key(t.tabletId(), t.type());
            triggers.remove(key);
            remoteRequests.remove(key);
            List<ActorRef<Status>> ws = waiters.remove(key);
            if (ws != null) {
                ws.forEach(w -> w.tell(new Status(StatusCode.INTERNAL_ERROR,
                        "tablet " + t.tabletId() + " " + what + " during " + t.type().dorisName() + " compaction")));
            }
        }
        dispatch();
        return this;
    }

    private Behavior<Command> onTick() {
        long now = clock.millis();
        List<Key> due = new ArrayList<>();
        for (var e : parked.entrySet()) {
            if (now - e.getValue().parkedAtMs() >= IDLE_RECHECK.toMillis()) {
                due.add(e.getKey());
            }
        }
        for (Key k : due) {
            parked.remove(k);
        }
        for (Key k : due) {
            TabletReport r = reports.get(k.tabletId());
            if (r != null) {
                offerAutomatic(r, k.type(), k.type() == CompactionType.BASE ? r.baseScore() : r.cumulativeScore());
            }
        }
        // Single-replica tablets: designation follows membership (and fetches wait out back-offs
        // without a new report), so their requests are re-offered on every tick.
        for (TabletReport r : reports.values()) {
            if (r.singleReplica()) {
                offerAutomatic(r, CompactionType.CUMULATIVE, r.cumulativeScore());
                offerAutomatic(r, CompactionType.BASE, r.baseScore());
            }
        }
        dispatch();
        return this;
    }

    private Behavior<Command> onConfigChanged() {
        CompactionConfig c = config.get();
        limits.setMaxBaseThreads(ConcurrencyLimits.resolveBaseThreads(c.maxBaseCompactionThreads(), dataDirs.size()));
        limits.setMaxCumuThreads(ConcurrencyLimits.resolveCumuThreads(c.maxCumuCompactionThreads(), dataDirs.size(),
                cores));
        permits.setTotal(c.totalPermitsForCompactionScore());
        failures.setConfig(c);
        for (String d : dataDirs) {
            slots.setSlots(d, c.compactionTaskNumPerDisk());
        }
        dispatch();
        return this;
    }

    private void publishGauges() {
        Map<CompactionType, Integer> queued = new EnumMap<>(CompactionType.class);
        int singleReplicaQueued = 0;
        for (CandidateQueue.Request r : queue.snapshot()) {
            // Waiting for a slot, not waiting out a failure back-off or a quarantine.
            TabletReport rep = reports.get(r.tabletId());
            if (rep != null && singleReplicaTask(r, rep)) {
                singleReplicaQueued++;
            } else if (r.manual() || failures.isEligible(r.tabletId(), r.type())) {
                queued.merge(r.type(), 1, Integer::sum);
            }
        }
        for (CompactionType t : CompactionType.values()) {
            metrics.queued.get(kind(t)).set(queued.getOrDefault(t, 0));
        }
        metrics.queued.get(NodeMetrics.Kind.SINGLE_REPLICA).set(singleReplicaQueued);
        metrics.usedPermits.set(permits.used());
    }

    private Behavior<Command> onGetRegistry(GetRegistry m) {
        Map<CompactionType, Map<String, TreeSet<Long>>> tasks = new EnumMap<>(CompactionType.class);
        for (CompactionType t : CompactionType.values()) {
            Map<String, TreeSet<Long>> dirs = new TreeMap<>();
            for (String d : dataDirs) {
                dirs.put(d, new TreeSet<>());
            }
            tasks.put(t, dirs);
        }
        for (CandidateQueue.Request r : queue.snapshot()) {
            TabletReport rep = reports.get(r.tabletId());
            if (rep != null) {
                tasks.get(r.type()).computeIfAbsent(rep.dataDir(), d -> new TreeSet<>()).add(r.tabletId());
            }
        }
        for (Running t : running.values()) {
            tasks.get(t.type()).computeIfAbsent(t.dataDir(), d -> new TreeSet<>()).add(t.tabletId());
        }
        Map<CompactionType, Map<String, List<Long>>> out = new EnumMap<>(CompactionType.class);
        tasks.forEach((t, dirs) -> {
            Map<String, List<Long>> m2 = new TreeMap<>();
            dirs.forEach((d, ids) -> m2.put(d, List.copyOf(ids)));
            out.put(t, m2);
        });
        m.replyTo().tell(new Registry(out));
        return this;
    }
}
