package io.compactor.actors.tablet;

import io.compactor.actors.NodeMetrics;
import io.compactor.storage.DataDir;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetId;
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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
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

    /** Outcome of {@link WriteRowset}: {@code rowset} on success, else {@code status}. */
    public record WriteResult(long tabletId, PendingRowset rowset, Status status) {
    }

    public record PrepareCommit(long txnId, PendingRowset rowset, ActorRef<PrepareResult> replyTo) implements Command {
    }

    /** Outcome of {@link PrepareCommit}: the rowset meta with its reserved version, or a status. */
    public record PrepareResult(long tabletId, RowsetMeta rowset, Status status) {
    }

    public record Publish(long txnId, RowsetMeta rowset) implements Command {
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

    /** Remove stale rowsets whose time is up and that no reader holds. */
    public enum SweepStale implements Command { INSTANCE }

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

    public static Behavior<Command> create(StorageEngine engine, TableMeta table, TabletMeta meta, NodeMetrics metrics,
                                           TabletStatsRegistry stats, Executor loadExecutor) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(SweepStale.INSTANCE, Duration.ofSeconds(10));
            return new TabletActor(ctx, engine, table, meta, metrics, stats, loadExecutor);
        }));
    }

    private TabletActor(ActorContext<Command> ctx, StorageEngine engine, TableMeta table, TabletMeta meta,
                        NodeMetrics metrics, TabletStatsRegistry stats, Executor loadExecutor) {
        super(ctx);
        this.ctx = ctx;
        this.engine = engine;
        this.table = table;
        this.meta = meta;
        this.metrics = metrics;
        this.statsRegistry = stats;
        this.loadExecutor = loadExecutor;
        this.dir = engine.dataDir(meta.dataDir());
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
            m.replyTo().tell(new WriteResult(tabletId(), null, new Status(Status.NOT_FOUND,
                    "Tablet not found. tablet_id=" + tabletId())));
            return this;
        }
        long limit = versionLimit();
        int count = meta.versionCount();
        if (count > limit) {
            metrics.exceedVersionLimit.increment();
            m.replyTo().tell(new WriteResult(tabletId(), null, new Status(Status.TOO_MANY_VERSION,
                    "failed to init rowset builder. version count: " + count + ", exceed limit: " + limit
                            + ", tablet: " + tabletId() + ". Please reduce the frequency of loading data or adjust the"
                            + " max_tablet_version_num or time_series_max_tablet_version_num in be.conf to a larger value.")));
            return this;
        }
        RowsetId rowsetId = engine.nextRowsetId();
        long writeBuffer = engine.config().get(StorageKeys.WRITE_BUFFER_SIZE);
        long maxSegments = engine.config().get(StorageKeys.MAX_SEGMENT_NUM_PER_ROWSET);
        long tabletId = tabletId();
        CompletableFuture.supplyAsync(() -> LoadWriter.write(dir, tabletId, rowsetId, table.schema(), m.rows(),
                        writeBuffer, maxSegments), loadExecutor)
                .whenComplete((rowset, err) -> m.replyTo().tell(err == null
                        ? new WriteResult(tabletId, rowset, Status.OK)
                        : new WriteResult(tabletId, null, StatusException.statusOf(err))));
        return this;
    }

    private Behavior<Command> onPrepare(PrepareCommit m) {
        if (dropped) {
            m.replyTo().tell(new PrepareResult(tabletId(), null,
                    new Status(Status.NOT_FOUND, "Tablet not found. tablet_id=" + tabletId())));
        } else if (reservedTxn != 0) {
            m.replyTo().tell(new PrepareResult(tabletId(), null, new Status(Status.INTERNAL_ERROR,
                    "tablet " + tabletId() + " is committing txn " + reservedTxn)));
        } else {
            reservedTxn = m.txnId();
            long version = meta.maxVersion() + 1;
            RowsetMeta rs = m.rowset().toMeta(Version.of(version), engine.clock().millis(), m.txnId());
            m.replyTo().tell(new PrepareResult(tabletId(), rs, Status.OK));
        }
        return this;
    }

    private Behavior<Command> onPublish(Publish m) {
        if (reservedTxn != m.txnId()) {
            throw new IllegalStateException("tablet " + tabletId() + ": publish of txn " + m.txnId()
                    + " without its reservation (reserved: " + reservedTxn + ")");
        }
        reservedTxn = 0;
        meta = meta.addRowset(m.rowset());
        publishStats();
        return this;
    }

    private Behavior<Command> onAbort(AbortCommit m) {
        if (reservedTxn == m.txnId()) {
            reservedTxn = 0;
        }
        if (m.rowset() != null) {
            deleteFiles(m.rowset().rowsetId(), m.rowset().segments().size());
        }
        return this;
    }

    private Behavior<Command> onSnapshot(GetSnapshot m) {
        Runnable release = readers.acquire(meta.rowsets());
        m.replyTo().tell(new TabletSnapshot(meta, table.schema(), dir, release));
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

    private void publishStats() {
        if (dropped) {
            return;
        }
        statsRegistry.publish(new TabletStats(tabletId(), meta.tableId(), meta.dataDir(), meta.versionCount(),
                meta.compactionScore(), 0, 0, meta.maxVersion(), meta.totalRows(), meta.totalBytes()));
    }
}
