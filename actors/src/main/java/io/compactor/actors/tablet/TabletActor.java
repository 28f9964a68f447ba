package io.compactor.actors.tablet;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.NodeMetrics;
import io.compactor.actors.TimeFormat;
import io.compactor.actors.compaction.CompactionProfile;
import io.compactor.actors.compaction.CompactionSupervisor;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.BasePolicy;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.scheduler.policy.CompactionPolicy;
import io.compactor.scheduler.policy.CumulativeCompactionPolicy;
import io.compactor.scheduler.policy.PickResult;
import io.compactor.scheduler.policy.PolicyContext;
import io.compactor.scheduler.policy.Refusal;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.compaction.CompactionSettings;
import io.compactor.storage.compaction.RowsetCompactor;
import io.compactor.storage.meta.TabletHeader;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.DataDir;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.ReaderRegistry;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One tablet replica. Owns the tablet's in-memory meta and serializes every change to it: load
 * commits (reserve a version, then publish), compaction commits, property changes and the
 * removal of stale rowsets. Segment writing runs on the load executor; the actor never waits on
 * it.
 *
 * <p>Load commit protocol (driven by the {@code LoadCommitter}, one load at a time node-wide, so
 * two loads can never wait on each other's reservations): {@link PrepareCommit} reserves the
 * next version and answers the rowset meta; the committer writes every tablet's rowset and the
 * label in one synced meta batch; {@link Publish} then makes the rowset visible in memory, or
 * {@link AbortCommit} releases the reservation and deletes the files.
 */
public final class TabletActor extends AbstractBehavior<TabletActor.Command> {

    /** Messages a tablet accepts. */
    public interface Command {
    }

    /** Write rows of a load into a new rowset's files; answers {@link WriteResult}. */
    public record WriteRowset(long txnId, RowBatch rows, ActorRef<WriteResult> replyTo) implements Command {
    }

    /** Outcome of {@link WriteRowset}: {@code write} on success, else {@code status}. */
    public record WriteResult(long tabletId, TabletWrite write, Status status) {
    }

    public record PrepareCommit(long txnId, TabletWrite write, ActorRef<PrepareResult> replyTo) implements Command {
    }

    /**
     * Outcome of {@link PrepareCommit}: the rowset meta with its reserved version and, for
     * merge-on-write, its final delete-bitmap marks (with that version); or a status.
     */
    public record PrepareResult(long tabletId, RowsetMeta rowset, DeleteBitmap delta, Status status) {
    }

    public record Publish(long txnId, RowsetMeta rowset, DeleteBitmap delta) implements Command {
    }

    /** Answers the tablet's {@link DeleteBitmapInfo}. */
    public record GetDeleteBitmap(ActorRef<DeleteBitmapInfo> replyTo) implements Command {
    }

    /**
     * A merge-on-write tablet's delete bitmap for {@code /api/delete_bitmap/count_local}.
     *
     * @param entries every entry with its cardinality and size, for the verbose form
     */
    public record DeleteBitmapInfo(long count, long cardinality, long sizeBytes,
                                   java.util.Map<io.compactor.storage.mow.DeleteBitmapKey, long[]> entries) {
        /** A tablet without a delete bitmap. */
        public static final DeleteBitmapInfo NONE = new DeleteBitmapInfo(0, 0, 0, java.util.Map.of());
    }

    public record AbortCommit(long txnId, PendingRowset rowset) implements Command {
    }

    /** Answers a {@link TabletSnapshot}; the asker must close it. */
    public record GetSnapshot(ActorRef<TabletSnapshot> replyTo) implements Command {
    }

    /** Answers the current meta. */
    public record GetMeta(ActorRef<TabletMeta> replyTo) implements Command {
    }

    /** The table's properties changed (ALTER ... SET). */
    public record UpdateTable(TableMeta table) implements Command {
    }

    /** The table was dropped (its meta already deleted): delete files once no reader holds them, then stop. */
    public record Drop() implements Command {
    }

    /**
     * The supervisor granted a compaction slot: pick inputs with the table's policy, merge on the
     * compaction executor, commit, and answer {@link CompactionSupervisor.TaskFinished}.
     */
    public record RunCompaction(long taskId, CompactionType type, String trigger, long score, long permits,
                                ActorRef<CompactionSupervisor.Command> supervisor) implements Command {
    }

    /** Answers the tablet's {@link TabletCompactionStatus}. */
    public record GetCompactionStatus(ActorRef<TabletCompactionStatus> replyTo) implements Command {
    }

    private record CompactionMerged(RunCompaction task, CompactionPick pick, CompactionOutput output, Throwable error,
                                    long scheduledMs, long startMs, Runnable release) implements Command {
    }

    /** Remove stale rowsets whose time is up and that no reader holds. */
    public enum SweepStale implements Command { INSTANCE }

    /**
     * The supervisor granted a single-replica compaction (this replica is a follower): ask the
     * designated peer for its rowsets, fetch the one that replaces local rowsets
     * ({@code findRowsetToFetch}), verify and install it; answer
     * {@link CompactionSupervisor.TaskFinished}.
     */
    public record RunSingleReplica(long taskId, String trigger, ActorRef<CompactionSupervisor.Command> supervisor)
            implements Command {
    }

    /**
     * Installs rowsets copied from a peer replica, atomically: only if every {@code replaced} rowset
     * is still visible (and, when {@code expectedVisible} is given, the visible rowsets are exactly
     * those), in one synced meta batch; replaced rowsets become stale as compaction inputs do.
     * {@code installed} may extend the version chain (catch-up). Merge-on-write tablets need
     * {@code bitmap}: the delete bitmap recomputed for the resulting chain. On refusal the
     * installed rowsets' files are deleted. Answers {@link InstallResult}.
     *
     * @param peerCumulativePoint the peer's cumulative point (adopted when it lies on a rowset
     *                            boundary and is ahead of ours), or -1
     */
    public record InstallPeerRowsets(List<RowsetMeta> replaced, List<RowsetMeta> installed,
                                     List<RowsetMeta> expectedVisible, DeleteBitmap bitmap, long peerCumulativePoint,
                                     String reason, ActorRef<InstallResult> replyTo) implements Command {
    }

    /** Outcome of {@link InstallPeerRowsets}: the status and the tablet's meta afterwards. */
    public record InstallResult(Status status, TabletMeta meta) {
    }

    private record SingleReplicaFetched(RunSingleReplica task, String peer, List<RowsetMeta> replaced,
                                        io.compactor.storage.peer.PeerRowsetFetcher.Fetched fetched, long peerCp,
                                        Throwable error, long startMs) implements Command {
    }

    private final ActorContext<Command> ctx;
    private final StorageEngine engine;
    private final NodeMetrics metrics;
    private final TabletStatsRegistry statsRegistry;
    private final Executor loadExecutor;
    private final DataDir dir;
    private final ReaderRegistry readers = new ReaderRegistry();
    private TableMeta table;
    private TabletMeta meta;
    private long reservedTxn;
    private boolean dropped;
    private final CompactionEnv compaction;
    private final CompactionStatusBook book = new CompactionStatusBook();
    private final Map<CompactionType, CompactionPick> runningPicks = new EnumMap<>(CompactionType.class);
    /** Merge-on-write: the live delete bitmap and its bookkeeping (null for duplicate-key tables). */
    private final MowState mow;
    /** Compaction commits waiting for a load's reservation to end (their row-id conversion must see its marks). */
    private final List<CompactionMerged> deferredCommits = new ArrayList<>();
    /**
     * Peer installs (single-replica fetches, catch-up) that arrived while a load held a version
     * reservation: they run once it is released, instead of failing and backing off (in cluster
     * mode a reservation spans a round trip to the load coordinator, so they would collide often).
     */
    private final List<Command> deferredInstalls = new ArrayList<>();
    /** Single-replica compaction: last failure (OK if none) and last fetched version. */
    private Status singleReplicaFailure = Status.OK;
    private String singleReplicaFetched = "";
    private boolean singleReplicaRunning;

    public static Behavior<Command> create(StorageEngine engine, TableMeta table, TabletMeta meta, NodeMetrics metrics,
                                           TabletStatsRegistry stats, Executor loadExecutor, CompactionEnv compaction) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(SweepStale.INSTANCE, Duration.ofSeconds(10));
            return new TabletActor(ctx, engine, table, meta, metrics, stats, loadExecutor, compaction);
        }));
    }

    private TabletActor(ActorContext<Command> ctx, StorageEngine engine, TableMeta table, TabletMeta meta,
                        NodeMetrics metrics, TabletStatsRegistry stats, Executor loadExecutor,
                        CompactionEnv compaction) {
        super(ctx);
        this.compaction = compaction;
        this.ctx = ctx;
        this.engine = engine;
        this.table = table;
        this.meta = meta;
        this.metrics = metrics;
        this.statsRegistry = stats;
        this.loadExecutor = loadExecutor;
        this.dir = engine.dataDir(meta.dataDir());
        this.mow = table.isMergeOnWrite() ? MowState.load(engine, dir, meta.tabletId(), table.schema()) : null;
        publishStats();
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(WriteRowset.class, this::onWrite)
                .onMessage(PrepareCommit.class, this::onPrepare)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(AbortCommit.class, this::onAbort)
                .onMessage(GetSnapshot.class, this::onSnapshot)
                .onMessage(GetMeta.class, m -> {
                    m.replyTo().tell(meta);
                    return this;
                })
                .onMessage(UpdateTable.class, m -> {
                    table = m.table();
                    publishStats();
                    return this;
                })
                .onMessage(Drop.class, m -> onDrop())
                .onMessage(SweepStale.class, m -> onSweep())
                .onMessage(RunCompaction.class, this::onRunCompaction)
                .onSignal(PreRestart.class, sig -> {
                    compaction.supervisor().tell(new CompactionSupervisor.TabletRestarted(tabletId()));
                    return this;
                })
                .onMessage(CompactionMerged.class, this::onCompactionMerged)
                .onMessage(GetCompactionStatus.class, this::onGetCompactionStatus)
                .onMessage(RunSingleReplica.class, this::onRunSingleReplica)
                .onMessage(SingleReplicaFetched.class, this::onSingleReplicaFetched)
                .onMessage(InstallPeerRowsets.class, this::onInstallPeerRowsets)
                .onMessage(GetDeleteBitmap.class, m -> {
                    m.replyTo().tell(mow == null ? DeleteBitmapInfo.NONE : mow.info());
                    return this;
                })
                .build();
    }

    private long tabletId() {
        return meta.tabletId();
    }

    private long versionLimit() {
        long normal = engine.config().get(StorageKeys.MAX_TABLET_VERSION_NUM);
        if (table.properties().isTimeSeries()) {
            return Math.max(normal, engine.config().get(StorageKeys.TIME_SERIES_MAX_TABLET_VERSION_NUM));
        }
        return normal;
    }

    private Behavior<Command> onWrite(WriteRowset m) {
        if (dropped) {
            m.replyTo().tell(new WriteResult(tabletId(), null, Status.tabletNotFound(tabletId())));
            return this;
        }
        long limit = versionLimit();
        int count = meta.versionCount();
        if (count > limit) {
            metrics.exceedVersionLimit.increment();
            m.replyTo().tell(new WriteResult(tabletId(), null, new Status(StatusCode.TOO_MANY_VERSION,
                    "failed to init rowset builder. version count: " + count + ", exceed limit: " + limit
                            + ", tablet: " + tabletId() + ". Please reduce the frequency of loading data or adjust the"
                            + " max_tablet_version_num or time_series_max_tablet_version_num in be.conf to a larger value.")));
            return this;
        }
        if (count > limit - 100 && autoCompaction()
                && !Boolean.TRUE.equals(engine.config().value("disable_auto_compaction"))) {
            // Doris: a load close to the version limit forces a cumulative compaction.
            compaction.supervisor().tell(new CompactionSupervisor.Submit(tabletId(), CompactionType.CUMULATIVE,
                    "LOAD_VERSION_LIMIT", false, ctx.getSystem().ignoreRef()));
        }
        RowsetId rowsetId = engine.nextRowsetId();
        long writeBuffer = engine.config().get(StorageKeys.WRITE_BUFFER_SIZE);
        long maxSegments = engine.config().get(StorageKeys.MAX_SEGMENT_NUM_PER_ROWSET);
        long tabletId = tabletId();
        var schema = table.schema();
        var segcompaction = compaction.segcompaction();
        if (mow == null) {
            CompletableFuture.supplyAsync(() -> new TabletWrite(LoadWriter.write(dir, tabletId, rowsetId, schema,
                            m.rows(), writeBuffer, maxSegments, segcompaction), null, Set.of()), loadExecutor)
                    .whenComplete((w, err) -> m.replyTo().tell(err == null ? new WriteResult(tabletId, w, Status.OK)
                            : new WriteResult(tabletId, null, StatusException.statusOf(err))));
            return this;
        }
        // Merge-on-write: mark the rows this load supersedes against the rowsets visible now (held,
        // so compaction can not delete their files meanwhile); the commit reconciles what changed since.
        List<RowsetMeta> basis = meta.rowsets();
        var deleted = mow.deleted();
        Runnable hold = readers.acquire(basis);
        var calculator = mow.calculator();
        CompletableFuture.supplyAsync(() -> {
            PendingRowset rowset = LoadWriter.write(dir, tabletId, rowsetId, schema, m.rows(), writeBuffer, maxSegments,
                    segcompaction);
            try {
                DeleteBitmap delta = calculator.calculate(rowsetId, rowset.segments(), basis, deleted, true);
                return new TabletWrite(rowset, delta, ids(basis));
            } catch (IOException | RuntimeException e) {
                deleteRowsetQuietly(rowset);
                throw new StatusException(new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId
                        + ": delete bitmap calculation failed: " + e.getMessage()), e);
            }
        }, loadExecutor).whenComplete((w, err) -> {
            hold.run();
            m.replyTo().tell(err == null ? new WriteResult(tabletId, w, Status.OK)
                    : new WriteResult(tabletId, null, StatusException.statusOf(err)));
        });
        return this;
    }

    private Behavior<Command> onPrepare(PrepareCommit m) {
        if (dropped) {
            m.replyTo().tell(new PrepareResult(tabletId(), null, null,
                    Status.tabletNotFound(tabletId())));
        } else if (reservedTxn != 0) {
            m.replyTo().tell(new PrepareResult(tabletId(), null, null, new Status(StatusCode.INTERNAL_ERROR,
                    "tablet " + tabletId() + " is committing txn " + reservedTxn)));
        } else {
            long version = meta.maxVersion() + 1;
            RowsetMeta rs = m.write().rowset().toMeta(Version.of(version), engine.clock().millis(), m.txnId());
            DeleteBitmap delta = null;
            if (mow != null) {
                try {
                    delta = mow.finalDelta(m.write(), meta.rowsets(), version);
                } catch (IOException | RuntimeException e) {
                    m.replyTo().tell(new PrepareResult(tabletId(), null, null, new Status(StatusCode.INTERNAL_ERROR,
                            "tablet " + tabletId() + ": delete bitmap update failed: " + e.getMessage())));
                    return this;
                }
            }
            reservedTxn = m.txnId();
            m.replyTo().tell(new PrepareResult(tabletId(), rs, delta, Status.OK));
        }
        return this;
    }


    private static Set<RowsetId> ids(List<RowsetMeta> rowsets) {
        return MowState.ids(rowsets);
    }

    private void deleteRowsetQuietly(PendingRowset rowset) {
        try {
            dir.deleteRowsetFiles(tabletId(), rowset.rowsetId(), rowset.segments().size());
        } catch (IOException e) {
            ctx.getLog().warn("tablet {}: could not delete files of rowset {} (swept at next start): {}",
                    tabletId(), rowset.rowsetId(), e.toString());
        }
    }

    private Behavior<Command> onPublish(Publish m) {
        if (reservedTxn != m.txnId()) {
            throw new IllegalStateException("tablet " + tabletId() + ": publish of txn " + m.txnId()
                    + " without its reservation (reserved: " + reservedTxn + ")");
        }
        reservedTxn = 0;
        meta = meta.addRowset(m.rowset());
        metrics.loadDiskBytes.add(m.rowset().totalBytes());
        if (mow != null && m.delta() != null) {
            mow.apply(m.delta());
        }
        publishStats();
        return runDeferredCommits();
    }

    private Behavior<Command> runDeferredCommits() {
        if (reservedTxn == 0 && !deferredInstalls.isEmpty()) {
            List<Command> installs = new ArrayList<>(deferredInstalls);
            deferredInstalls.clear();
            for (Command c : installs) {
                if (c instanceof SingleReplicaFetched f) {
                    onSingleReplicaFetched(f);
                } else if (c instanceof InstallPeerRowsets i) {
                    onInstallPeerRowsets(i);
                }
            }
        }
        if (reservedTxn != 0 || deferredCommits.isEmpty()) {
            return this;
        }
        List<CompactionMerged> todo = new ArrayList<>(deferredCommits);
        deferredCommits.clear();
        for (CompactionMerged c : todo) {
            onCompactionMerged(c);
        }
        return this;
    }

    private Behavior<Command> onAbort(AbortCommit m) {
        if (reservedTxn == m.txnId()) {
            reservedTxn = 0;
        }
        if (m.rowset() != null) {
            deleteFiles(m.rowset().rowsetId(), m.rowset().segments().size());
        }
        return runDeferredCommits();
    }

    private Behavior<Command> onSnapshot(GetSnapshot m) {
        Runnable release = readers.acquire(meta.rowsets());
        m.replyTo().tell(new TabletSnapshot(meta, table.schema(), dir, release,
                mow == null ? null : mow.deleted()));
        return this;
    }

    private Behavior<Command> onDrop() {
        dropped = true;
        statsRegistry.remove(tabletId());
        return onSweep();
    }

    /**
     * Stale rowsets go once their sweep time has passed and no reader holds them: meta first (so a
     * crash leaves at worst an orphan file, swept at start), then files.
     */
    private Behavior<Command> onSweep() {
        if (dropped) {
            if (readers.isEmpty()) {
                try {
                    dir.deleteTabletDir(tabletId());
                } catch (IOException e) {
                    ctx.getLog().warn("tablet {}: could not remove the dropped tablet's files (swept at next start): {}",
                            tabletId(), e.toString());
                }
                return Behaviors.stopped();
            }
            return this;
        }
        if (meta.staleRowsets().isEmpty()) {
            return this;
        }
        long now = engine.clock().millis();
        long keepMs = engine.config().get(StorageKeys.TABLET_ROWSET_STALE_SWEEP_TIME_SEC) * 1000;
        Set<RowsetId> removable = new HashSet<>();
        MetaBatch batch = new MetaBatch();
        for (StaleRowset s : meta.staleRowsets()) {
            RowsetId id = s.rowset().rowsetId();
            if (now - s.staleAtMs() >= keepMs && !readers.isHeld(id)) {
                removable.add(id);
                batch.deleteRowset(tabletId(), id);
                batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId(), id));
            }
        }
        if (removable.isEmpty()) {
            return this;
        }
        engine.meta().write(batch);
        for (StaleRowset s : meta.staleRowsets()) {
            if (removable.contains(s.rowset().rowsetId())) {
                deleteFiles(s.rowset().rowsetId(), s.rowset().numSegments());
            }
        }
        meta = meta.withoutStale(removable);
        return this;
    }

    /** Deletes a rowset's files; a failure only leaves an orphan, which the start-up sweep removes. */
    private void deleteFiles(RowsetId id, int segments) {
        try {
            dir.deleteRowsetFiles(tabletId(), id, segments);
        } catch (IOException e) {
            ctx.getLog().warn("tablet {}: could not delete files of rowset {} (swept at next start): {}",
                    tabletId(), id, e.toString());
        }
    }

    // ---- compaction

    private boolean autoCompaction() {
        return !table.properties().disableAutoCompaction();
    }

    private PolicyContext policyContext() {
        return PolicyContext.builder(compaction.config().get(), engine.clock())
                .tableProperties(table.properties())
                .keysType(table.schema().keysType())
                .lastCumulativeSuccessMs(book.lastSuccess(CompactionType.CUMULATIVE))
                .lastBaseSuccessMs(book.lastSuccess(CompactionType.BASE))
                .visibleVersion(meta.maxVersion())
                .build();
    }

    private CumulativeCompactionPolicy cumulativePolicy() {
        return CumulativeCompactionPolicy.forTable(table.properties());
    }

    /** Doris's try-lock refusals: base and cumulative exclude themselves; full excludes both. */
    private Status conflict(CompactionType type) {
        boolean full = runningPicks.containsKey(CompactionType.FULL);
        boolean cumu = runningPicks.containsKey(CompactionType.CUMULATIVE);
        boolean base = runningPicks.containsKey(CompactionType.BASE);
        return switch (type) {
            case CUMULATIVE -> cumu || full ? new Status(StatusCode.TRY_LOCK_FAILED,
                    "The tablet is under cumulative compaction. tablet=" + tabletId()) : null;
            case BASE -> base || full ? new Status(StatusCode.TRY_LOCK_FAILED,
                    "another base compaction is running. tablet=" + tabletId()) : null;
            case FULL -> cumu || base || full ? new Status(StatusCode.TRY_LOCK_FAILED,
                    "The tablet is under compaction, full compaction can not run now. tablet=" + tabletId()) : null;
        };
    }

    private Behavior<Command> onRunCompaction(RunCompaction m) {
        long now = engine.clock().millis();
        CompactionType type = m.type();
        book.scheduled(type, now);
        if (engine.debugPoints().hit("tablet.crash_on_compaction")) {
            throw new IllegalStateException("debug point tablet.crash_on_compaction: tablet " + tabletId()
                    + " actor fails on purpose");
        }
        if (dropped) {
            finish(m, Status.tabletNotFound(tabletId()), false);
            return this;
        }
        var bad = engine.badTablets().reason(tabletId());
        if (bad.isPresent()) {
            // Never merge a damaged tablet: the output would replace inputs that might be repaired.
            Status s = new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId() + " is bad, compaction refused: "
                    + bad.get());
            book.failed(type, now, s);
            finish(m, s, false);
            return this;
        }
        Status busy = conflict(type);
        if (busy != null) {
            book.failed(type, now, busy);
            finish(m, busy, false);
            return this;
        }
        PolicyContext pc = policyContext();
        PickResult result;
        try {
            if (meta.cumulativePoint() == TabletMeta.INVALID_CUMULATIVE_POINT) {
                updateCumulativePoint(cumulativePolicy().initialCumulativePoint(meta, pc));
            }
            result = CompactionPolicy.of(type, pc).pick(meta, pc);
        } catch (RuntimeException e) {
            Status s = new Status(StatusCode.INTERNAL_ERROR, "prepare " + type.dorisName() + " compaction of tablet "
                    + tabletId() + " failed: " + e.getMessage());
            book.failed(type, now, s);
            finish(m, s, false);
            return this;
        }
        if (result.cumulativePoint() > meta.cumulativePoint()) {
            updateCumulativePoint(result.cumulativePoint());
        }
        if (result instanceof Refusal r) {
            Status s = r.toStatus();
            book.failed(type, now, s);
            finish(m, s, r.isNoSuitableVersion());
            reportScores();
            return this;
        }
        CompactionPick pick = (CompactionPick) result;
        runningPicks.put(type, pick);
        RowsetId outputId = engine.nextRowsetId();
        Runnable release = readers.acquire(pick.inputs());
        CompactionSettings settings = compactionSettings(type);
        long tabletId = tabletId();
        var schema = table.schema();
        var debug = engine.debugPoints();
        NodeMetrics.Kind cpuKind = kindOf(type);
        CompletableFuture<CompactionOutput> merged = CompletableFuture.supplyAsync(() -> {
            long cpuStart = NodeMetrics.threadCpuNanos();
            try {
                debug.failIfHit("compaction.merge", type.dorisName() + " compaction of tablet " + tabletId);
                // Holds the merge (on its compaction thread, never the actor) while the point is
                // set, so tests can commit loads in the middle of a compaction.
                while (debug.hit("compaction.merge.block")) {
                    java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
                }
                return RowsetCompactor.compact(dir, tabletId, schema, pick.inputs(), outputId, settings);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                metrics.compactionCpuNanos.get(cpuKind).add(NodeMetrics.threadCpuNanos() - cpuStart);
            }
        }, compaction.executor());
        long start = engine.clock().millis();
        ctx.pipeToSelf(merged, (out, err) -> new CompactionMerged(m, pick, out, err, now, start, release));
        return this;
    }

    private CompactionSettings compactionSettings(CompactionType type) {
        var c = engine.config();
        boolean ordered = c.get(StorageKeys.ENABLE_ORDERED_DATA_COMPACTION) && type != CompactionType.FULL
                && !table.isMergeOnWrite();
        return new CompactionSettings(c.get(StorageKeys.ENABLE_VERTICAL_COMPACTION),
                c.getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP),
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB) << 20,
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_SEGMENT_SIZE), table.isMergeOnWrite(), ordered,
                c.get(StorageKeys.ORDERED_DATA_COMPACTION_MIN_SEGMENT_SIZE));
    }

    /** Moves the cumulative point forward, durably (it never moves back). */
    private void updateCumulativePoint(long cp) {
        if (cp <= meta.cumulativePoint()) {
            return;
        }
        engine.meta().write(new MetaBatch().putTablet(header(cp)));
        meta = meta.withCumulativePoint(cp);
    }

    private TabletHeader header(long cp) {
        return new TabletHeader(tabletId(), meta.tableId(), meta.bucket(), meta.dataDir(), cp);
    }

    /**
     * Commits a merged compaction if its inputs are still the tablet's current rowsets
     * (consistency rule 3 of docs/DESIGN.md); otherwise, or if the meta write fails, deletes the output.
     */
    private Behavior<Command> onCompactionMerged(CompactionMerged m) {
        if (mow != null && reservedTxn != 0 && m.error() == null) {
            // A load holds a reservation: its marks (computed against the inputs) are not in the
            // bitmap yet. Commit after it publishes, so the conversion carries them (docs/DESIGN.md rule 4).
            deferredCommits.add(m);
            return this;
        }
        m.release().run();
        CompactionType type = m.task().type();
        runningPicks.remove(type);
        CompactionPick pick = m.pick();
        long now = engine.clock().millis();
        Status status;
        RowsetMeta output = null;
        if (m.error() != null) {
            engine.badTablets().markIfCorrupt(m.error());
            status = StatusException.statusOf(m.error());
            if (status.is(StatusCode.INTERNAL_ERROR) && m.error().getMessage() != null
                    && m.error().getMessage().contains("CHECK_LINES_ERROR")) {
                status = new Status(StatusCode.CHECK_LINES_ERROR, status.msg());
            }
        } else if (dropped) {
            deleteFiles(m.output().rowset().rowsetId(), m.output().rowset().segments().size());
            status = Status.tabletNotFound(tabletId());
        } else if (!meta.allVisible(pick.inputs())) {
            deleteFiles(m.output().rowset().rowsetId(), m.output().rowset().segments().size());
            status = new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + tabletId() + ": inputs "
                    + pick.inputVersionRange() + " of the " + type.dorisName()
                    + " compaction are no longer current; output discarded");
        } else {
            output = m.output().rowset().toMeta(pick.outputVersion(), now, 0).withCompactionLevel(pick.outputLevel());
            status = commit(pick, output, m.output(), now);
            if (!status.ok()) {
                deleteFiles(output.rowsetId(), output.numSegments());
                output = null;
            }
        }
        if (status.ok()) {
            book.succeeded(type, now);
            NodeMetrics.Kind kind = kindOf(type);
            metrics.compactionDeltas.get(kind).add(pick.inputs().size());
            metrics.compactionBytes.get(kind).add(pick.inputBytes());
            metrics.compactionRows.get(kind).add(pick.inputRows());
            metrics.compactionSuccess.get(kind).increment();
            if (table.properties().enableSingleReplicaCompaction()) {
                compaction.peers().peers().announceCompaction(tabletId());
            }
        } else {
            book.failed(type, now, status);
            metrics.compactionFailed.get(kindOf(type)).increment();
            ctx.getLog().warn("tablet {}: {} compaction of {} failed: {}", tabletId(), type.dorisName(),
                    pick.inputVersionRange(), status);
        }
        recordProfile(m, output, status, now);
        finish(m.task(), status, false);
        publishStats();
        return this;
    }

    private Status commit(CompactionPick pick, RowsetMeta output, CompactionOutput merged, long now) {
        try {
            engine.debugPoints().failIfHit("compaction.commit", "commit of tablet " + tabletId());
            engine.debugPoints().failIfHit("meta.commit", tabletId(), "meta commit of the " + pick.type().dorisName()
                    + " compaction of tablet " + tabletId());
            long cp = cumulativePolicy().updatedCumulativePoint(meta, pick, output, policyContext());
            cp = Math.max(cp, meta.cumulativePoint());
            MetaBatch batch = new MetaBatch();
            for (RowsetMeta in : pick.inputs()) {
                batch.putStaleRowset(in, now);
            }
            batch.putRowset(output);
            batch.putTablet(header(cp));
            Set<RowsetId> inputIds = ids(pick.inputs());
            DeleteBitmap outputMarks = null;
            if (mow != null) {
                outputMarks = pick.type() == CompactionType.FULL ? mow.repairMarks(output, meta.rowsets())
                        : mow.convertMarks(pick.inputs(), output, merged);
                for (RowsetId in : inputIds) {
                    batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId(), in));
                }
                batch.putDeleteBitmap(tabletId(), outputMarks);
            }
            engine.meta().write(batch);
            meta = meta.replaceRowsets(pick.inputs(), output, now).withCumulativePoint(cp);
            if (mow != null) {
                mow.replace(inputIds, outputMarks);
            }
            return Status.OK;
        } catch (IOException e) {
            return new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return StatusException.statusOf(e);
        }
    }




    // ---- single-replica compaction and installs of peer rowsets

    private Behavior<Command> onRunSingleReplica(RunSingleReplica m) {
        long now = engine.clock().millis();
        Status refused = null;
        var source = compaction.peers().fetchSource(tabletId());
        if (dropped) {
            refused = Status.tabletNotFound(tabletId());
        } else if (!table.properties().enableSingleReplicaCompaction()) {
            refused = new Status(StatusCode.NOT_IMPLEMENTED_ERROR, "tablet should do compaction locally");
        } else if (source.isEmpty()) {
            refused = new Status(StatusCode.CANCELLED, "tablet " + tabletId()
                    + " is the designated single-replica compactor now; it compacts locally");
        } else if (!runningPicks.isEmpty() || singleReplicaRunning) {
            refused = new Status(StatusCode.TRY_LOCK_FAILED, "The tablet is under compaction. tablet=" + tabletId());
        } else if (!source.get().reachable()) {
            refused = new Status(StatusCode.INTERNAL_ERROR, "designated peer " + source.get().httpAddress()
                    + " of tablet " + tabletId() + " is unreachable");
        } else if (engine.badTablets().reason(tabletId()).isPresent()) {
            refused = new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId() + " is bad, compaction refused");
        }
        if (refused != null) {
            singleReplicaDone(refused);
            m.supervisor().tell(new CompactionSupervisor.TaskFinished(m.taskId(), refused, false));
            return this;
        }
        singleReplicaRunning = true;
        String peer = source.get().httpAddress();
        String token = compaction.peers().peers().downloadToken();
        List<RowsetMeta> local = meta.rowsets();
        long tabletId = tabletId();
        var schema = table.schema();
        var fetcher = compaction.peers().fetcher();
        CompletableFuture<SingleReplicaFetched> work = CompletableFuture.supplyAsync(() -> {
            long cpuStart = NodeMetrics.threadCpuNanos();
            try {
                var peerRowsets = fetcher.listRowsets(peer, token, tabletId);
                var matches = io.compactor.scheduler.replica.ReplicaVersions.findRowsetsToFetch(
                        local.stream().map(RowsetMeta::version).toList(), peerRowsets.versions());
                if (matches.isEmpty()) {
                    var rv = local.stream().map(RowsetMeta::version).toList();
                    throw new StatusException(StatusCode.CANCELLED,
                            io.compactor.scheduler.replica.ReplicaVersions.onlyEarly(rv, peerRowsets.versions())
                                    ? io.compactor.scheduler.replica.ReplicaVersions.NOTHING_NEWER
                                    : io.compactor.scheduler.replica.ReplicaVersions.NO_MATCH);
                }
                List<RowsetMeta> replaced = new ArrayList<>();
                List<RowsetMeta> wanted = new ArrayList<>();
                for (var match : matches) {
                    for (RowsetMeta r : local) {
                        if (match.replaced().contains(r.version())) {
                            replaced.add(r);
                        }
                    }
                    wanted.add(peerRowsets.rowset(match.fetch()));
                }
                var fetched = fetcher.fetch(peer, token, tabletId, wanted, dir, schema, engine::nextRowsetId);
                return new SingleReplicaFetched(m, peer, replaced, fetched, peerRowsets.cumulativePoint(), null, now);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                metrics.compactionCpuNanos.get(NodeMetrics.Kind.SINGLE_REPLICA)
                        .add(NodeMetrics.threadCpuNanos() - cpuStart);
            }
        }, compaction.executor());
        ctx.pipeToSelf(work, (ok, err) -> err == null ? ok
                : new SingleReplicaFetched(m, peer, List.of(), null, -1, unwrap(err), now));
        return this;
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException || e instanceof java.io.UncheckedIOException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private Behavior<Command> onSingleReplicaFetched(SingleReplicaFetched m) {
        if (reservedTxn != 0 && m.error() == null && !dropped) {
            deferredInstalls.add(m);
            return this;
        }
        singleReplicaRunning = false;
        Status status;
        if (m.error() != null) {
            status = m.error() instanceof StatusException se ? se.status()
                    : new Status(StatusCode.INTERNAL_ERROR, "single replica compaction of tablet " + tabletId()
                    + " from " + m.peer() + " failed: " + m.error().getMessage());
        } else {
            status = install(m.replaced(), m.fetched().rowsets(), null, null, m.peerCp());
            if (status.ok()) {
                List<RowsetMeta> got = m.fetched().rowsets();
                singleReplicaFetched = got.get(got.size() - 1).version().toString();
                metrics.singleReplicaFetchedBytes.add(m.fetched().bytes());
                metrics.compactionDeltas.get(NodeMetrics.Kind.SINGLE_REPLICA).add(m.replaced().size());
                metrics.compactionBytes.get(NodeMetrics.Kind.SINGLE_REPLICA).add(m.fetched().bytes());
                metrics.compactionRows.get(NodeMetrics.Kind.SINGLE_REPLICA)
                        .add(got.stream().mapToLong(RowsetMeta::numRows).sum());
            }
        }
        singleReplicaDone(status);
        if (!status.ok() && !status.is(StatusCode.CANCELLED)) {
            ctx.getLog().warn("tablet {}: single replica compaction from {} failed: {}", tabletId(), m.peer(), status);
        }
        m.task().supervisor().tell(new CompactionSupervisor.TaskFinished(m.task().taskId(), status, false));
        return this;
    }

    private void singleReplicaDone(Status status) {
        if (status.ok()) {
            metrics.singleReplicaSuccess.increment();
            metrics.compactionSuccess.get(NodeMetrics.Kind.SINGLE_REPLICA).increment();
        } else if (status.is(StatusCode.CANCELLED)) {
            metrics.singleReplicaCancelled.increment();
            singleReplicaFailure = status;
        } else {
            metrics.singleReplicaFailed.increment();
            metrics.compactionFailed.get(NodeMetrics.Kind.SINGLE_REPLICA).increment();
            singleReplicaFailure = status;
        }
    }

    private Behavior<Command> onInstallPeerRowsets(InstallPeerRowsets m) {
        if (reservedTxn != 0 && !dropped) {
            deferredInstalls.add(m);
            return this;
        }
        Status s = install(m.replaced(), m.installed(), m.expectedVisible(), m.bitmap(), m.peerCumulativePoint());
        if (!s.ok()) {
            ctx.getLog().warn("tablet {}: install of peer rowsets ({}) refused: {}", tabletId(), m.reason(), s);
        }
        m.replyTo().tell(new InstallResult(s, meta));
        return this;
    }

    /**
     * Commits rowsets copied from a peer in place of {@code replaced} (docs/DESIGN.md rule 3: only if they are all
     * still visible), in one synced meta batch; on any refusal deletes the installed files.
     */
    private Status install(List<RowsetMeta> replaced, List<RowsetMeta> installed, List<RowsetMeta> expectedVisible,
                           DeleteBitmap bitmap, long peerCp) {
        Status s = tryInstall(replaced, installed, expectedVisible, bitmap, peerCp);
        if (!s.ok()) {
            for (RowsetMeta r : installed) {
                deleteFiles(r.rowsetId(), r.numSegments());
            }
        } else {
            publishStats();
        }
        return s;
    }

    private Status tryInstall(List<RowsetMeta> replaced, List<RowsetMeta> installed, List<RowsetMeta> expectedVisible,
                              DeleteBitmap bitmap, long peerCp) {
        if (dropped) {
            return Status.tabletNotFound(tabletId());
        }
        if (installed.isEmpty()) {
            return new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId() + ": nothing to install");
        }
        if (reservedTxn != 0) {
            return new Status(StatusCode.SERVICE_UNAVAILABLE, "tablet " + tabletId() + " is committing txn " + reservedTxn
                    + "; peer rowsets not installed, try again");
        }
        if (!meta.allVisible(replaced)) {
            return new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + tabletId() + ": rowsets "
                    + replaced.stream().map(r -> r.version().toString()).toList()
                    + " to replace are no longer current; fetched rowsets discarded");
        }
        if (expectedVisible != null && !ids(expectedVisible).equals(ids(meta.rowsets()))) {
            return new Status(StatusCode.DELETE_VERSION_ERROR, "tablet " + tabletId()
                    + ": rowsets changed while the peer rowsets were fetched; fetched rowsets discarded");
        }
        if (mow != null && bitmap == null) {
            return new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId()
                    + " is merge-on-write: peer rowsets need a recomputed delete bitmap");
        }
        long now = engine.clock().millis();
        try {
            engine.debugPoints().failIfHit("meta.commit", tabletId(), "meta commit of peer rowsets of tablet "
                    + tabletId());
            TabletMeta next = meta.installRowsets(replaced, installed, now);
            long cp = boundaryCumulativePoint(next, Math.max(meta.cumulativePoint(), peerCp));
            MetaBatch batch = new MetaBatch();
            for (RowsetMeta r : replaced) {
                batch.putStaleRowset(r, now);
            }
            for (RowsetMeta r : installed) {
                batch.putRowset(r);
            }
            batch.putTablet(header(cp));
            if (mow != null) {
                for (RowsetMeta r : meta.rowsets()) {
                    batch.add(new MetaBatch.DeleteDeleteBitmap(tabletId(), r.rowsetId()));
                }
                batch.putDeleteBitmap(tabletId(), bitmap);
            }
            engine.meta().write(batch);
            meta = next.withCumulativePoint(cp);
            if (mow != null) {
                mow.replaceAll(bitmap);
            }
            return Status.OK;
        } catch (RuntimeException e) {
            return StatusException.statusOf(e);
        }
    }

    /**
     * A cumulative point for the new chain that never moves back and never falls inside a rowset
     * (a point inside one moves to just after it; beyond the chain it stays at its end + 1).
     */
    private long boundaryCumulativePoint(TabletMeta next, long wanted) {
        long cp = Math.max(meta.cumulativePoint(), wanted);
        if (cp == TabletMeta.INVALID_CUMULATIVE_POINT) {
            return cp;
        }
        for (RowsetMeta r : next.rowsets()) {
            if (r.startVersion() < cp && cp <= r.endVersion()) {
                return r.endVersion() + 1;
            }
        }
        return Math.max(meta.cumulativePoint(), Math.min(cp, next.maxVersion() + 1));
    }

    private static NodeMetrics.Kind kindOf(CompactionType t) {
        return NodeMetrics.Kind.of(t);
    }

    private void recordProfile(CompactionMerged m, RowsetMeta output, Status status, long now) {
        CompactionPick pick = m.pick();
        var stats = m.output() == null ? null : m.output().stats();
        int inputSegments = pick.inputSegments();
        compaction.profiles().add(new CompactionProfile(compaction.profiles().nextId(), pick.type().dorisName(),
                tabletId(), meta.tableId(), meta.tableId(), m.task().trigger(), pick.score(),
                TimeFormat.millis(m.scheduledMs()), TimeFormat.millis(m.startMs()), TimeFormat.millis(now),
                now - m.startMs(), status.ok(), pick.inputs().size(), pick.inputRows(), pick.inputBytes(), 0,
                pick.inputBytes(), inputSegments, pick.inputVersionRange(),
                stats == null ? 0 : stats.mergedRows(), 0,
                output == null ? 0 : output.numRows(), output == null ? 0 : output.numRows(),
                output == null ? 0 : output.totalBytes(), 0, output == null ? 0 : output.totalBytes(),
                output == null ? 0 : output.numSegments(), pick.outputVersion().toString(), now - m.startMs(),
                pick.inputBytes(), 0, stats == null ? 0 : stats.peakMemoryBytes(),
                stats != null && stats.vertical(), m.task().permits(),
                stats != null && stats.vertical() ? verticalGroups() : 0,
                stats != null && stats.vertical() ? verticalGroups() : 0,
                status.ok() ? null : status.toString()));
    }

    private int verticalGroups() {
        int values = table.schema().columnCount() - table.schema().keyCount();
        int per = engine.config().getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP);
        return 1 + (values + per - 1) / per;
    }

    private void finish(RunCompaction m, Status status, boolean noSuitableVersion) {
        m.supervisor().tell(new CompactionSupervisor.TaskFinished(m.taskId(), status, noSuitableVersion));
    }

    private Behavior<Command> onGetCompactionStatus(GetCompactionStatus m) {
        Map<CompactionType, Long> failure = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Long> success = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Long> schedule = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Status> status = new EnumMap<>(CompactionType.class);
        for (CompactionType t : CompactionType.values()) {
            failure.put(t, book.lastFailure(t));
            success.put(t, book.lastSuccess(t));
            schedule.put(t, book.lastSchedule(t));
            status.put(t, book.lastStatus(t));
        }
        Set<CompactionType> running = runningPicks.isEmpty() ? EnumSet.noneOf(CompactionType.class)
                : EnumSet.copyOf(runningPicks.keySet());
        io.compactor.actors.replica.SingleReplicaStatus sr = null;
        if (table.properties().enableSingleReplicaCompaction()) {
            var designated = compaction.peers().designated(tabletId());
            if (designated.isPresent()) {
                sr = new io.compactor.actors.replica.SingleReplicaStatus(designated.get().httpAddress(),
                        singleReplicaFailure.toString(), singleReplicaFetched);
            }
        }
        if (singleReplicaRunning) {
            running.add(CompactionType.CUMULATIVE);
        }
        m.replyTo().tell(new TabletCompactionStatus(table.properties().compactionPolicy(), meta, failure, success,
                schedule, status, running, sr));
        return this;
    }

    /** Publishes the tablet's figures and tells the supervisor its scores (event-driven scheduling). */
    private void publishStats() {
        if (dropped) {
            return;
        }
        long cumu = 0;
        long base = 0;
        try {
            PolicyContext pc = policyContext();
            cumu = cumulativePolicy().cumulativeScore(meta, pc);
            base = BasePolicy.baseScore(meta, pc);
        } catch (RuntimeException e) {
            ctx.getLog().warn("tablet {}: score calculation failed: {}", tabletId(), e.toString());
        }
        statsRegistry.publish(new TabletStats(tabletId(), meta.tableId(), meta.dataDir(), meta.versionCount(),
                meta.compactionScore(), cumu, base, meta.maxVersion(), meta.totalRows(), meta.totalBytes()));
        compaction.supervisor().tell(new CompactionSupervisor.TabletReport(tabletId(), meta.dataDir(), ctx.getSelf(),
                cumu, base, meta.compactionScore(), autoCompaction(),
                table.properties().enableSingleReplicaCompaction()));
    }

    private void reportScores() {
        publishStats();
    }
}
