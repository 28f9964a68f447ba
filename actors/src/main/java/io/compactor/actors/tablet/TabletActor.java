package io.compactor.actors.tablet;

import io.compactor.api.DeleteBitmapInfo;
import io.compactor.actors.compaction.SupervisorProtocol;
import io.compactor.actors.compaction.SupervisorProtocol.RunCompaction;
import io.compactor.actors.compaction.SupervisorProtocol.RunSingleReplica;
import io.compactor.api.NodeMetrics;
import io.compactor.api.CatchUpResult;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.CompactionExclusion;
import io.compactor.scheduler.limit.VersionLimits;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.PolicyContext;
import io.compactor.storage.RowsetId;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One tablet replica: owns its {@link TabletState} and serializes every change to it. The work is
 * done by plain collaborators, each with its own tests: the load reservation protocol
 * ({@link LoadReservations}, whose essay explains the deferral races), a compaction run
 * ({@link CompactionRun}: pick, merge, commit, profile), peer rowset sync ({@link PeerRowsetSync}:
 * single-replica fetch and catch-up) and the {@link StaleSweeper}. Writing segments, merging and
 * fetching run on executors and come back with {@code pipeToSelf}; the actor never waits on them.
 */
public final class TabletActor extends AbstractBehavior<TabletProtocol.Command> implements TabletProtocol {
    private record Granted(SupervisorProtocol.Task task) implements Command {
    }

    private record Merged(RunCompaction task, CompactionPick pick, CompactionOutput output, Throwable error,
                          long scheduledMs, long startMs, Runnable release) implements Command {
    }

    /** A peer fetch came back; {@code task} for a single-replica compaction, {@code catchUp} for a catch-up. */
    private record PeerFetched(RunSingleReplica task, CatchUpFrom catchUp, String peer, PeerRowsetSync.Fetch fetch,
                               Throwable error, long versionBefore, Runnable release) implements Command {
    }

    private record Realigned(PrepareCommit m, TabletWrite write, Throwable error, Runnable release) implements Command {
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final TabletState s;
    private final NodeMetrics metrics;
    private final TabletStatsRegistry statsRegistry;
    private final Executor loadExecutor;
    private final CompactionEnv env;
    private final ActorRef<SupervisorProtocol.Task> tasks;
    private final LoadReservations reservations = new LoadReservations();
    private final PublishRealign realign = new PublishRealign();
    private final CompactionStatusBook book = new CompactionStatusBook();
    private final Map<CompactionType, CompactionPick> runningPicks = new EnumMap<>(CompactionType.class);

    public static Behavior<Command> create(StorageEngine engine, TableMeta table, TabletMeta meta, NodeMetrics metrics,
                                           TabletStatsRegistry stats, Executor loadExecutor, CompactionEnv env) {
        // No timer or ask at spawn: 100,000 idle tablets cost no timers (the stale sweep arms only when needed).
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new TabletActor(ctx, timers,
                new TabletState(engine, table, meta), metrics, stats, loadExecutor, env)));
    }

    private TabletActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, TabletState state,
                        NodeMetrics metrics, TabletStatsRegistry stats, Executor loadExecutor, CompactionEnv env) {
        super(ctx);
        this.ctx = ctx;
        this.timers = timers;
        this.s = state;
        this.metrics = metrics;
        this.statsRegistry = stats;
        this.loadExecutor = loadExecutor;
        this.env = env;
        this.tasks = ctx.messageAdapter(SupervisorProtocol.Task.class, Granted::new);
        publishStats();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WriteRowset.class, this::onWrite)
                .onMessage(PrepareCommit.class, this::onPrepare)
                .onMessage(Realigned.class, this::onRealigned)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(AbortCommit.class, this::onAbort)
                .onMessage(GetSnapshot.class, m -> reply(() -> m.replyTo().tell(SnapshotAt.now(s))))
                .onMessage(GetSnapshotAt.class, m -> reply(() -> m.replyTo().tell(SnapshotAt.of(s, m.version()))))
                .onMessage(OwnerGone.class, m -> onAbort(new AbortCommit(m.txnId(), null)))
                .onMessage(GetMeta.class, m -> reply(() -> m.replyTo().tell(s.meta)))
                .onMessage(SetCompactionCap.class, m -> reply(() -> s.raiseCompactionCap(m.version())))
                .onMessage(UpdateTable.class, m -> reply(() -> {
                    s.table = m.table();
                    publishStats();
                }))
                .onMessage(Drop.class, m -> {
                    s.dropped = true;
                    statsRegistry.remove(s.tabletId());
                    return onSweep();
                })
                .onMessage(SweepStale.class, m -> onSweep())
                .onMessage(Granted.class, m -> m.task() instanceof RunCompaction r ? onRunCompaction(r)
                        : onRunSingleReplica((RunSingleReplica) m.task()))
                .onMessage(Merged.class, this::onMerged)
                .onMessage(GetCompactionStatus.class, m -> reply(() -> m.replyTo().tell(book.status(
                        s.table.properties().compactionPolicy(), s.meta, runningPicks.keySet(),
                        SingleReplicaFetches.showBlock(s, env.peers(), book)))))
                .onMessage(InstallPeerRowsets.class, this::onInstallPeerRowsets)
                .onMessage(CatchUpFrom.class, m -> startPeerFetch(null, m, m.peerAddress()))
                .onMessage(PeerFetched.class, this::onPeerFetched)
                .onMessage(GetDeleteBitmap.class, m -> reply(() -> m.replyTo().tell(s.mow == null
                        ? DeleteBitmapInfo.NONE : s.mow.info())))
                .onSignal(PreRestart.class, sig -> reply(() -> env.supervisor().tell(
                        new SupervisorProtocol.TabletRestarted(s.tabletId()))))
                .build();
    }

    private Behavior<Command> reply(Runnable r) {
        r.run();
        return this;
    }

    // ---- loads

    private Behavior<Command> onWrite(WriteRowset m) {
        long tabletId = s.tabletId();
        Status refused = s.dropped ? Status.tabletNotFound(tabletId) : VersionLimits.checkLoad(tabletId,
                s.meta.versionCount(), s.table.properties(), env.config().get()).orElse(null);
        if (refused != null) {
            if (refused.is(StatusCode.TOO_MANY_VERSION)) {
                metrics.exceedVersionLimit.increment();
            }
            m.replyTo().tell(new WriteResult(tabletId, null, refused));
            return this;
        }
        long delay = m.waited() ? 0 : VersionLimits.loadDelayMs(s.meta.versionCount(), s.table.properties(),
                env.config().get());
        if (delay > 0) { // graded back-pressure: a timer, never a held thread; E-235 is re-checked after it
            ctx.scheduleOnce(Duration.ofMillis(delay), ctx.getSelf(), new WriteRowset(m.txnId(), m.rows(),
                    m.partial(), m.replyTo(), delay));
            return this;
        }
        long waited = Math.max(0, m.waitedMs());
        int limit = VersionLimits.limitFor(s.table.properties(), env.config().get());
        if (VersionLimits.shouldForceCumulative(s.meta.versionCount(), limit) && autoCompaction()
                && !Boolean.TRUE.equals(s.engine.config().value("disable_auto_compaction"))) {
            // Doris: a load close to the version limit forces a cumulative compaction.
            env.supervisor().tell(new SupervisorProtocol.Submit(tabletId, CompactionType.CUMULATIVE,
                    "LOAD_VERSION_LIMIT", false, ctx.getSystem().ignoreRef()));
        }
        Runnable release = s.mow == null ? () -> { } : s.readers.acquire(s.meta.rowsets());
        LoadWriter.writeAsync(s, m.rows(), m.partial(), env.segcompaction(), loadExecutor).whenComplete((w, err) -> {
            release.run();
            m.replyTo().tell(err == null ? new WriteResult(tabletId, w, Status.OK, waited)
                    : new WriteResult(tabletId, null, StatusException.statusOf(err), waited));
        });
        return this;
    }

    private Behavior<Command> onPrepare(PrepareCommit m) {
        if (PublishRealign.needed(s, m.write()) && reservations.refusal(s.tabletId(), m.txnId()).isEmpty()) {
            reservations.reserve(s.tabletId(), m.txnId()); // held while the rows are re-filled off the actor
            Runnable release = s.readers.acquire(s.meta.rowsets());
            ctx.pipeToSelf(PublishRealign.start(s, m.write(), loadExecutor), (w, e) -> new Realigned(m, w, e, release));
            return this;
        }
        return prepare(m, m.write());
    }

    private Behavior<Command> onRealigned(Realigned r) {
        r.release().run();
        TabletWrite w = realign.finished(s, reservations, r.m().txnId(), r.m().write(), r.write(), r.error(),
                r.m().replyTo());
        return w == null ? runDeferred() : prepare(r.m(), w);
    }

    private Behavior<Command> prepare(PrepareCommit m, TabletWrite write) {
        PrepareResult r = reservations.prepare(s, m.txnId(), write);
        if (r.status().ok() && m.owner() != null) {
            ctx.unwatch(m.owner());
            ctx.watchWith(m.owner(), new OwnerGone(m.txnId()));
        }
        m.replyTo().tell(r);
        return this;
    }

    private Behavior<Command> onPublish(Publish m) {
        reservations.publish(s, m.txnId(), m.rowset(), m.delta());
        realign.published(s, m.txnId());
        metrics.loadDiskBytes.add(m.rowset().totalBytes());
        publishStats();
        return runDeferred();
    }

    private Behavior<Command> onAbort(AbortCommit m) {
        reservations.abort(m.txnId());
        realign.aborted(s, m.txnId());
        if (m.rowset() != null) {
            s.deleteFiles(m.rowset().rowsetId(), m.rowset().segments().size());
        }
        return runDeferred();
    }

    private Behavior<Command> runDeferred() {
        reservations.takeRunnable().forEach(Runnable::run);
        return this;
    }

    private Behavior<Command> onSweep() {
        return StaleSweeper.sweepDue(s, timers) ? Behaviors.stopped() : this;
    }

    // ---- compaction

    private boolean autoCompaction() {
        return !s.table.properties().disableAutoCompaction();
    }

    private PolicyContext policyContext() {
        return TabletReports.policyContext(s, env.config().get(), book);
    }

    private Behavior<Command> onRunCompaction(RunCompaction m) {
        long now = s.now();
        if (CompactionRun.endIfCancelled(m, env.profiles(), metrics, now)) {
            return this;
        }
        book.scheduled(m.type(), now);
        if (s.engine.debugPoints().hit("tablet.crash_on_compaction")) {
            throw new IllegalStateException("debug point tablet.crash_on_compaction: tablet " + s.tabletId()
                    + " actor fails on purpose");
        }
        var start = CompactionRun.start(s, m.type(), m.permits(), runningPicks.keySet(), book.fetching(),
                policyContext());
        if (start instanceof CompactionRun.GiveBack) {
            publishStats(); // the supervisor sees the new candidate before the grant comes back
            m.supervisor().tell(new SupervisorProtocol.GiveBack(m.taskId()));
            return this;
        }
        if (start instanceof CompactionRun.Refused r) {
            m.progress().failed();
            if (!r.status().is(StatusCode.NOT_FOUND)) {
                book.failed(m.type(), now, r.status());
            }
            m.supervisor().tell(new SupervisorProtocol.TaskFinished(m.taskId(), r.status(), r.noSuitableVersion()));
            if (r.decided()) {
                publishStats();
            }
            return this;
        }
        CompactionPick pick = ((CompactionRun.Run) start).pick();
        runningPicks.put(m.type(), pick);
        RowsetId outputId = s.engine.nextRowsetId();
        Runnable release = s.readers.acquire(pick.inputs());
        var settings = CompactionRun.settings(s.engine.config(), s.table, m.type());
        var files = new CompactionRun.TabletFiles(s.dir, s.tabletId(), s.table.schema());
        var debug = s.engine.debugPoints();
        var cpu = metrics.compactionCpuNanos.get(NodeMetrics.Kind.of(m.type()));
        CompletableFuture<CompactionOutput> merged = CompletableFuture.supplyAsync(() -> {
            long cpuStart = NodeMetrics.threadCpuNanos();
            try {
                return CompactionRun.merge(files, pick, outputId, settings, debug, m.progress());
            } finally {
                cpu.add(NodeMetrics.threadCpuNanos() - cpuStart);
            }
        }, env.executor());
        long startMs = s.now();
        ctx.pipeToSelf(merged, (out, err) -> new Merged(m, pick, out, err, now, startMs, release));
        return this;
    }

    private Behavior<Command> onMerged(Merged m) {
        if (s.mow != null && m.error() == null && reservations.deferCompactionCommit(() -> onMerged(m))) {
            return this; // LoadReservations: a load's marks must reach the bitmap before the conversion
        }
        m.release().run();
        CompactionType type = m.task().type();
        runningPicks.remove(type);
        var committed = CompactionRun.commit(s, m.pick(), m.output(), m.error(), policyContext(), m.task().progress());
        Status status = committed.status();
        long now = s.now();
        CompactionRun.record(s, m.task(), m.pick(), m.output(), committed, new CompactionRun.Times(m.scheduledMs(), m.startMs(), now),
                env, metrics, book, ctx.getLog());
        m.task().supervisor().tell(new SupervisorProtocol.TaskFinished(m.task().taskId(), status, false));
        publishStats();
        return this;
    }

    // ---- peer rowsets: single-replica compaction, catch-up, installs

    private Behavior<Command> onRunSingleReplica(RunSingleReplica m) {
        Status refused = SingleReplicaFetches.refusal(s, env.peers(), CompactionExclusion.fetchRefusal(s.tabletId(),
                runningPicks.keySet(), book.fetching()).orElse(null));
        if (refused != null) {
            singleReplicaDone(refused, null);
            m.supervisor().tell(new SupervisorProtocol.TaskFinished(m.taskId(), refused, false));
            return this;
        }
        book.fetchStarted();
        return startPeerFetch(m, null, env.peers().fetchSource(s.tabletId()).orElseThrow().httpAddress());
    }

    private Behavior<Command> startPeerFetch(RunSingleReplica task, CatchUpFrom catchUp, String peer) {
        if (s.dropped && catchUp != null) {
            catchUp.replyTo().tell(new CatchUpAnswer(Status.tabletNotFound(s.tabletId()), null));
            return this;
        }
        List<RowsetMeta> local = s.meta.rowsets();
        long before = s.meta.maxVersion();
        Runnable release = s.readers.acquire(local);
        var purpose = task != null ? PeerRowsetSync.Purpose.SINGLE_REPLICA : catchUp.wholeChain()
                ? PeerRowsetSync.Purpose.CLONE : PeerRowsetSync.Purpose.CATCH_UP;
        var work = PeerRowsetSync.fetchFrom(peer, purpose, s, local, env, metrics);
        ctx.pipeToSelf(work, (f, err) -> new PeerFetched(task, catchUp, peer, f, err, before, release));
        return this;
    }

    private Behavior<Command> onPeerFetched(PeerFetched m) {
        boolean installs = m.error() == null && !m.fetch().isEmpty();
        if (installs && !s.dropped && reservations.deferInstall(() -> onPeerFetched(m))) {
            return this; // LoadReservations: an install must not move the chain under a reserved version
        }
        m.release().run();
        Status status = m.error() != null ? SingleReplicaFetches.failure(s.tabletId(), m.task() != null, m.peer(),
                m.error())
                : installs ? PeerRowsetSync.install(s, m.fetch()) : Status.OK;
        if (installs && status.ok()) {
            publishStats();
        }
        if (m.catchUp() != null) {
            var f = m.fetch();
            m.catchUp().replyTo().tell(new CatchUpAnswer(status, !status.ok() ? null : new CatchUpResult(s.tabletId(),
                    m.peer(), m.versionBefore(), s.meta.maxVersion(), f.installed().size(), f.replaced().size(),
                    f.bytes())));
            if (!status.ok()) {
                ctx.getLog().warn("tablet {}: catch-up from {} failed: {}", s.tabletId(), m.peer(), status);
            }
            return this;
        }
        singleReplicaDone(status, installs && status.ok() ? m.fetch() : null);
        if (!status.ok() && !status.is(StatusCode.CANCELLED)) {
            ctx.getLog().warn("tablet {}: single replica compaction from {} failed: {}", s.tabletId(), m.peer(),
                    status);
        }
        m.task().supervisor().tell(new SupervisorProtocol.TaskFinished(m.task().taskId(), status, false));
        return this;
    }

    private void singleReplicaDone(Status status, PeerRowsetSync.Fetch fetched) {
        List<RowsetMeta> got = fetched == null ? List.of() : fetched.installed();
        book.fetchEnded(status, got.isEmpty() ? null : got.get(got.size() - 1).version().toString());
        SingleReplicaFetches.count(metrics, status, fetched);
    }

    private Behavior<Command> onInstallPeerRowsets(InstallPeerRowsets m) {
        if (!s.dropped && reservations.deferInstall(() -> onInstallPeerRowsets(m))) {
            return this;
        }
        Status status = PeerRowsetSync.install(s, m.replaced(), m.installed(), m.expectedVisible(), m.bitmap(),
                m.peerCumulativePoint());
        if (status.ok()) {
            publishStats();
        } else {
            ctx.getLog().warn("tablet {}: install of peer rowsets ({}) refused: {}", s.tabletId(), m.reason(), status);
        }
        m.replyTo().tell(new InstallResult(status, s.meta));
        return this;
    }

    /** Publishes the tablet's figures and tells the supervisor its candidates (event-driven scheduling). */
    private void publishStats() {
        if (s.dropped) {
            return;
        }
        StaleSweeper.arm(s, timers);
        var report = TabletReports.report(s, policyContext(), ctx.getSelf(), tasks, autoCompaction(),
                ctx.getLog());
        statsRegistry.publish(TabletReports.stats(s, report));
        env.supervisor().tell(report);
    }
}
