package io.compactor.actors.cluster;

import io.compactor.api.ReplicaPeers;
import io.compactor.storage.util.StatusCode;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletWrite;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.actors.load.LoadMetaCommit;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tablet replica as a Cluster Sharding entity, id {@code tabletId@node}, pinned to that node
 * by {@link NodePinnedAllocation}. It is the replica's cluster-facing side: it takes the replica's
 * part of cluster loads (stage the rows, prepare at the version the table's {@link TableTxn}
 * assigns, publish or abort), answers state and reads, and catches up from a peer; the local
 * {@link TabletActor} still owns the tablet's meta. Messages cross nodes as CBOR.
 *
 * <p>Replica side of a load: {@link Stage} writes the rows into pending rowset files (nothing
 * visible); {@link PrepareAt} reserves the version and answers LAGGING when this replica's chain
 * does not end right below it; {@link Publish} writes rowset, delete-bitmap marks and label in
 * one synced meta batch and makes the rowset visible. A staged or prepared load whose outcome
 * does not arrive within the load timeout asks the table's {@link TableTxn} to resolve it.
 */
public final class ReplicaEntity extends AbstractBehavior<ReplicaProtocol.Command> implements ReplicaProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaEntity.class);
    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "tablet-replica");
    /** How long a prepared load waits for its outcome before asking the table's coordinator. */
    static final Duration PREPARED_PATIENCE = Duration.ofSeconds(20);

    public static String entityId(long tabletId, String node) {
        return tabletId + "@" + node;
    }

    /** The replica of {@code tabletId} on {@code node}, wherever the asker is. */
    public static org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<Command> ref(
            org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding sharding, long tabletId, String node) {
        return sharding.entityRefFor(KEY, entityId(tabletId, node));
    }

    // ---- internal
    private record WriteDone(long txnId, TabletActor.WriteResult result) implements Command {
    }

    private record PrepareDone(PrepareAt request, TabletActor.PrepareResult result) implements Command {
    }

    private record Expire(long txnId) implements Command {
    }

    private record Resolved(long txnId, TableTxn.Outcome outcome) implements Command {
    }

    private record Reply(Runnable send) implements Command {
    }

    /** A load's rows on this replica, from the first chunk to publish or abort. */
    private static final class Txn {
        final long txnId;
        final long tableId;
        final String db;
        final String label;
        RowBatch rows;
        ActorRef<Staged> stagedReply;
        TabletWrite write;
        TabletActor.PrepareResult prepared;
        List<Long> tablets = List.of();
        long version;

        Txn(Stage s) {
            this.txnId = s.txnId();
            this.tableId = s.tableId();
            this.db = s.db();
            this.label = s.label();
        }
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final ClusterServices services;
    private final long tabletId;
    private final Map<Long, Txn> txns = new HashMap<>();

    private ReplicaEntity(ActorContext<Command> ctx, TimerScheduler<Command> timers, ClusterServices services,
                          long tabletId) {
        super(ctx);
        this.ctx = ctx;
        this.timers = timers;
        this.services = services;
        this.tabletId = tabletId;
    }

    public static Behavior<Command> create(ClusterServices services, String entityId) {
        int at = entityId.indexOf('@');
        long tabletId = Long.parseLong(entityId.substring(0, at));
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new ReplicaEntity(ctx, timers, services,
                tabletId)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Stage.class, this::onStage)
                .onMessage(WriteDone.class, this::onWriteDone)
                .onMessage(PrepareAt.class, this::onPrepareAt)
                .onMessage(PrepareDone.class, this::onPrepareDone)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Abort.class, m -> {
                    abort(m.txnId());
                    return this;
                })
                .onMessage(Expire.class, this::onExpire)
                .onMessage(Resolved.class, this::onResolved)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(HasLabel.class, m -> {
                    m.replyTo().tell(new LabelAnswer(services.self(), services.engine().meta()
                            .findLabel(m.db(), m.label()).map(LoadRecord::txnId).orElse(0L)));
                    return this;
                })
                .onMessage(Read.class, this::onRead)
                .onMessage(CatchUp.class, this::onCatchUp)
                .onMessage(PeerCompacted.class, m -> {
                    if (tablet() != null) {
                        services.wakeFollower().accept(tabletId);
                    }
                    return this;
                })
                .onMessage(Reply.class, m -> {
                    m.send().run();
                    return this;
                })
                .build();
    }

    private ActorRef<TabletActor.Command> tablet() {
        return services.view().get().tablet(tabletId);
    }

    private String missing() {
        return "node " + services.self() + " holds no replica of tablet " + tabletId;
    }

    // ---- load: stage

    private Behavior<Command> onStage(Stage m) {
        ActorRef<TabletActor.Command> tablet = tablet();
        TableMeta table = services.view().get().tableOf(tabletId);
        if (tablet == null || table == null) {
            m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.NOT_FOUND, missing()));
            return this;
        }
        Txn t = txns.get(m.txnId());
        if (t == null) {
            if (m.chunk() != 0) {
                m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.INTERNAL_ERROR,
                        "chunk " + m.chunk() + " of txn " + m.txnId() + " arrived without the chunks before it"));
                return this;
            }
            if (services.engine().meta().findLabel(m.db(), m.label()).isPresent()) {
                Status used = Status.labelAlreadyUsed(m.label());
                m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), used.code(), used.msg()));
                return this;
            }
            t = new Txn(m);
            t.rows = new RowBatch(table.schema(), 64);
            txns.put(m.txnId(), t);
            timers.startSingleTimer(m.txnId(), new Expire(m.txnId()), services.loadTimeout().get().plusSeconds(30));
        }
        if (t.rows == null) {
            m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.INTERNAL_ERROR,
                    "txn " + m.txnId() + " was staged on " + services.self() + " already"));
            return this;
        }
        try {
            RowBatchCodec.decodeInto(m.rows(), t.rows);
        } catch (IllegalArgumentException e) {
            txns.remove(m.txnId());
            m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.INTERNAL_ERROR,
                    "rows of txn " + m.txnId() + " are damaged: " + e.getMessage()));
            return this;
        }
        if (m.last()) {
            t.stagedReply = m.replyTo();
            RowBatch rows = t.rows;
            t.rows = null;
            ctx.ask(TabletActor.WriteResult.class, tablet, services.loadTimeout().get(),
                    replyTo -> new TabletActor.WriteRowset(m.txnId(), rows, replyTo),
                    (res, err) -> new WriteDone(m.txnId(), res != null ? res : new TabletActor.WriteResult(tabletId,
                            null, new Status(StatusCode.INTERNAL_ERROR, "writing the rowset failed: " + err))));
        }
        return this;
    }

    private Behavior<Command> onWriteDone(WriteDone m) {
        Txn t = txns.get(m.txnId());
        TabletActor.WriteResult r = m.result();
        if (t == null) {
            // Aborted or expired while writing: the files go.
            if (r.status().ok()) {
                tell(new TabletActor.AbortCommit(m.txnId(), r.write().rowset()));
            }
            return this;
        }
        if (!r.status().ok()) {
            txns.remove(m.txnId());
            timers.cancel(m.txnId());
            t.stagedReply.tell(new Staged(tabletId, services.self(), m.txnId(), r.status().code(), r.status().msg()));
            return this;
        }
        t.write = r.write();
        t.stagedReply.tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.OK, ""));
        return this;
    }

    // ---- load: prepare, publish, abort

    private Behavior<Command> onPrepareAt(PrepareAt m) {
        Txn t = txns.get(m.txnId());
        if (t == null || t.write == null) {
            m.replyTo().tell(new Prepared(tabletId, services.self(), m.txnId(), PrepareAnswer.FAILED, -1,
                    Status.of(StatusCode.NOT_FOUND, "txn " + m.txnId() + " is not staged on " + services.self())
                            .toString()));
            return this;
        }
        if (t.prepared != null) {
            m.replyTo().tell(new Prepared(tabletId, services.self(), m.txnId(), t.version == m.version()
                    ? PrepareAnswer.PREPARED : PrepareAnswer.FAILED, t.version - 1, "already prepared at " + t.version));
            return this;
        }
        t.tablets = List.copyOf(m.tablets());
        ActorRef<TabletActor.Command> tablet = tablet();
        if (tablet == null) {
            m.replyTo().tell(new Prepared(tabletId, services.self(), m.txnId(), PrepareAnswer.FAILED, -1,
                    Status.of(StatusCode.NOT_FOUND, missing()).toString()));
            return this;
        }
        TabletWrite write = t.write;
        ctx.ask(TabletActor.PrepareResult.class, tablet, Duration.ofSeconds(30),
                replyTo -> new TabletActor.PrepareCommit(m.txnId(), write, replyTo),
                (res, err) -> new PrepareDone(m, res != null ? res : new TabletActor.PrepareResult(tabletId, null,
                        null, new Status(StatusCode.INTERNAL_ERROR, "tablet did not answer: " + err))));
        return this;
    }

    private Behavior<Command> onPrepareDone(PrepareDone m) {
        PrepareAt req = m.request();
        Txn t = txns.get(req.txnId());
        TabletActor.PrepareResult r = m.result();
        if (t == null) {
            if (r.status().ok()) {
                tell(new TabletActor.AbortCommit(req.txnId(), null));
            }
            return this;
        }
        if (!r.status().ok()) {
            req.replyTo().tell(new Prepared(tabletId, services.self(), req.txnId(), PrepareAnswer.FAILED, -1,
                    r.status().toString()));
            return this;
        }
        long reserved = r.rowset().version().start();
        if (reserved != req.version()) {
            // Not right below the load's version: give the reservation back, keep the files
            // staged (the coordinator aborts), and say how far this replica is.
            tell(new TabletActor.AbortCommit(req.txnId(), null));
            req.replyTo().tell(new Prepared(tabletId, services.self(), req.txnId(), PrepareAnswer.LAGGING, reserved - 1,
                    "replica on " + services.self() + " is at version " + (reserved - 1) + ", the load needs "
                            + (req.version() - 1)));
            return this;
        }
        t.prepared = r;
        t.version = reserved;
        // A reservation holds the tablet's next version: if the outcome does not come soon (the
        // coordinator's node died), ask for it instead of holding the tablet for a load timeout.
        timers.startSingleTimer(req.txnId(), new Expire(req.txnId()), PREPARED_PATIENCE);
        req.replyTo().tell(new Prepared(tabletId, services.self(), req.txnId(), PrepareAnswer.PREPARED, reserved - 1, ""));
        return this;
    }

    private Behavior<Command> onPublish(Publish m) {
        Txn t = txns.get(m.txnId());
        if (t == null || t.prepared == null) {
            boolean done = t == null && services.engine().meta().findLabel(m.db(), m.label())
                    .map(r -> r.txnId() == m.txnId()).orElse(false);
            m.replyTo().tell(new Published(tabletId, services.self(), m.txnId(), done ? StatusCode.OK : StatusCode.NOT_FOUND,
                    done ? "published before" : "txn " + m.txnId() + " is not prepared on " + services.self()));
            return this;
        }
        TabletActor.PrepareResult p = t.prepared;
        try {
            LoadMetaCommit.write(services.engine(), List.of(p), new LoadRecord(t.db, t.label, t.txnId, t.tableId,
                    "VISIBLE", m.loadedRows(), m.filteredRows(), services.engine().clock().millis()),
                    "replica.publish", id -> id == tabletId, "txn " + t.txnId + " on tablet " + tabletId);
        } catch (RuntimeException e) {
            LOG.error("publish of txn {} on tablet {} failed", t.txnId, tabletId, e);
            m.replyTo().tell(new Published(tabletId, services.self(), m.txnId(), StatusCode.INTERNAL_ERROR,
                    "meta commit failed on " + services.self() + ": " + e.getMessage()));
            return this;
        }
        txns.remove(m.txnId());
        timers.cancel(m.txnId());
        tell(new TabletActor.Publish(t.txnId, p.rowset(), p.delta()));
        m.replyTo().tell(new Published(tabletId, services.self(), m.txnId(), StatusCode.OK, ""));
        return this;
    }

    private void abort(long txnId) {
        Txn t = txns.remove(txnId);
        timers.cancel(txnId);
        if (t == null) {
            return;
        }
        if (t.prepared != null) {
            tell(new TabletActor.AbortCommit(txnId, t.write.rowset()));
        } else if (t.write != null) {
            tell(new TabletActor.AbortCommit(-1, t.write.rowset()));
        }
    }

    private Behavior<Command> onExpire(Expire m) {
        Txn t = txns.get(m.txnId());
        if (t == null) {
            return this;
        }
        if (t.prepared == null) {
            // Never prepared: no coordinator can commit it any more without us; drop it.
            LOG.warn("tablet {}: staged txn {} (label {}) got no outcome in time; aborting it", tabletId,
                    m.txnId(), t.label);
            abort(m.txnId());
            return this;
        }
        // Prepared: only the table's coordinator may decide. Ask it, and again later.
        ctx.ask(TableTxn.Outcome.class, TableTxn.ref(ctx.getSystem(), t.tableId), Duration.ofSeconds(10),
                replyTo -> new TableTxn.Resolve(m.txnId(), replyTo),
                (res, err) -> new Resolved(m.txnId(), res != null ? res : new TableTxn.Outcome(m.txnId(), TxnState.UNKNOWN,
                        String.valueOf(err))));
        timers.startSingleTimer(m.txnId(), new Expire(m.txnId()), Duration.ofSeconds(15));
        return this;
    }

    private Behavior<Command> onResolved(Resolved m) {
        Txn t = txns.get(m.txnId());
        if (t == null || t.prepared == null) {
            return this;
        }
        switch (m.outcome().state()) {
            case ABORTED -> abort(m.txnId());
            case COMMITTED -> onPublish(new Publish(m.txnId(), t.version, t.db, t.label, 0, 0,
                    ctx.getSystem().ignoreRef()));
            default -> {
                // pending or unknown: keep the reservation; the timer asks again
            }
        }
        return this;
    }

    private void tell(TabletActor.Command c) {
        ActorRef<TabletActor.Command> tablet = tablet();
        if (tablet != null) {
            tablet.tell(c);
        }
    }

    // ---- state and reads

    private Behavior<Command> onGetState(GetState m) {
        ActorRef<TabletActor.Command> tablet = tablet();
        if (tablet == null) {
            m.replyTo().tell(new State(tabletId, services.self(), false, -1, 0, 0, null, null, List.of()));
            return this;
        }
        Txn prepared = txns.values().stream().filter(t -> t.prepared != null).findFirst().orElse(null);
        ctx.ask(TabletMeta.class, tablet, Duration.ofSeconds(10), TabletActor.GetMeta::new, (meta, err) -> new Reply(
                () -> m.replyTo().tell(meta == null
                        ? new State(tabletId, services.self(), false, -1, 0, 0, null, null, List.of())
                        : new State(tabletId, services.self(), true, meta.maxVersion(),
                        prepared == null ? 0 : prepared.txnId, prepared == null ? 0 : prepared.version,
                        prepared == null ? null : prepared.db, prepared == null ? null : prepared.label,
                        prepared == null ? List.of() : prepared.tablets))));
        return this;
    }

    private Behavior<Command> onRead(Read m) {
        ActorRef<TabletActor.Command> tablet = tablet();
        TableMeta table = services.view().get().tableOf(tabletId);
        if (tablet == null || table == null) {
            m.replyTo().tell(new ReadAnswer(tabletId, -1, 0, null, StatusCode.NOT_FOUND, missing()));
            return this;
        }
        ctx.ask(TabletSnapshot.class, tablet, Duration.ofSeconds(10), TabletActor.GetSnapshot::new, (snap, err) -> {
            if (snap == null) {
                return new Reply(() -> m.replyTo().tell(new ReadAnswer(tabletId, -1, 0, null, StatusCode.INTERNAL_ERROR,
                        "no snapshot: " + err)));
            }
            CompletableFuture.runAsync(() -> {
                ReadAnswer answer;
                try (snap) {
                    long version = snap.meta().maxVersion();
                    answer = switch (m.kind()) {
                        case COUNT -> new ReadAnswer(tabletId, version, TabletReader.count(table.schema(),
                                List.of(snap)), null, StatusCode.OK, "");
                        case SCAN -> {
                            RowBatch rows = TabletReader.scan(table.schema(), List.of(snap), m.limit());
                            yield new ReadAnswer(tabletId, version, rows.size(), RowBatchCodec.encode(rows), StatusCode.OK, "");
                        }
                        case GET -> {
                            RowBatch rows = TabletReader.get(table.schema(), snap,
                                    RowBatchCodec.decode(table.schema(), m.key()), services.engine().primaryKeys());
                            yield new ReadAnswer(tabletId, version, rows.size(), RowBatchCodec.encode(rows), StatusCode.OK, "");
                        }
                    };
                } catch (Exception e) {
                    if (e instanceof java.io.IOException io) {
                        services.engine().badTablets().markIfCorrupt(io);
                    }
                    answer = new ReadAnswer(tabletId, -1, 0, null, StatusCode.INTERNAL_ERROR,
                            "reading tablet " + tabletId + " on " + services.self() + " failed: " + e.getMessage());
                }
                m.replyTo().tell(answer);
            }, services.readExecutor());
            return new Reply(() -> { });
        });
        return this;
    }

    private Behavior<Command> onCatchUp(CatchUp m) {
        if (tablet() == null) {
            m.replyTo().tell(new CaughtUp(tabletId, services.self(), -1, StatusCode.NOT_FOUND, missing()));
            return this;
        }
        ReplicaPeers.Replica peer = new ReplicaPeers.Replica(m.peerReplicaId(), m.peerNode(), m.peerHttp(), false,
                true, true);
        services.catchUp().catchUp(tabletId, peer).whenComplete((version, err) -> {
            if (err != null) {
                Status s = StatusException.statusOf(err);
                m.replyTo().tell(new CaughtUp(tabletId, services.self(), -1, s.code(), s.msg()));
            } else {
                m.replyTo().tell(new CaughtUp(tabletId, services.self(), version, StatusCode.OK, ""));
            }
        });
        return this;
    }
}
