package io.compactor.actors.cluster;

import io.compactor.actors.load.LoadMetaCommit;
import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.actors.metalog.MetaState;
import io.compactor.actors.metalog.TxnPhase;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletWrite;
import io.compactor.api.ReplicaPeers;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
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
 * by {@link NodePinnedAllocation}: the replica's cluster-facing side. The local {@link TabletActor}
 * still owns the tablet's meta.
 *
 * <p>Replica side of a load: {@link Stage} writes the rows into pending rowset files (nothing
 * visible) after checking their checksum; {@link Publish} carries the meta log's decision (the
 * load's version on this tablet and its content identity): the replica checks it against its own
 * copy of the log when it has one (a message from a stale coordinator that the log contradicts is
 * refused), reserves exactly that version (the chain must end right below it), writes rowset,
 * delete-bitmap marks and label in one synced meta batch, and makes it visible. Nothing else ever
 * makes a load visible, and {@link Abort} is only sent once the log aborted the load. A staged load
 * whose publish or abort does not come within the load timeout asks the log what became of it and
 * acts on the answer (publishes it itself, or drops it).
 */
public final class ReplicaEntity extends AbstractBehavior<ReplicaProtocol.Command> implements ReplicaProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaEntity.class);
    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "tablet-replica");
    private static final Duration ASK_AGAIN = Duration.ofSeconds(15);

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

    private record MetaForPublish(Publish request, TabletMeta meta) implements Command {
    }

    private record PrepareDone(Publish request, TabletActor.PrepareResult result) implements Command {
    }

    private record Expire(long txnId) implements Command {
    }

    private record Resolved(long txnId, MetaReply reply) implements Command {
    }

    private record Reply(Runnable send) implements Command {
    }

    /** A load's rows on this replica, from the first chunk to publish or abort. */
    private static final class Txn {
        final long txnId;
        final long tableId;
        final String db;
        final String label;
        final CRC32C crc = new CRC32C();
        RowBatch rows;
        ActorRef<Staged> stagedReply;
        TabletWrite write;
        boolean publishing;

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
                .onMessage(Publish.class, this::onPublish)
                .onMessage(MetaForPublish.class, this::onMetaForPublish)
                .onMessage(PrepareDone.class, this::onPrepareDone)
                .onMessage(Abort.class, m -> {
                    abort(m.txnId());
                    return this;
                })
                .onMessage(Expire.class, this::onExpire)
                .onMessage(Resolved.class, this::onResolved)
                .onMessage(GetState.class, this::onGetState)
                .onMessage(Read.class, this::onRead)
                .onMessage(CatchUp.class, this::onCatchUp)
                .onMessage(Visible.class, m -> {
                    tell(new TabletActor.SetCompactionCap(m.version()));
                    return this;
                })
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

    private void tell(TabletActor.Command c) {
        ActorRef<TabletActor.Command> tablet = tablet();
        if (tablet != null) {
            tablet.tell(c);
        }
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
            t.crc.update(m.rows());
            RowBatchCodec.decodeInto(m.rows(), t.rows);
        } catch (IllegalArgumentException e) {
            txns.remove(m.txnId());
            m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.INTERNAL_ERROR,
                    "rows of txn " + m.txnId() + " are damaged: " + e.getMessage()));
            return this;
        }
        if (m.last()) {
            if (t.crc.getValue() != m.checksum()) {
                txns.remove(m.txnId());
                m.replyTo().tell(new Staged(tabletId, services.self(), m.txnId(), StatusCode.CORRUPTION,
                        "rows of txn " + m.txnId() + " arrived with checksum " + t.crc.getValue() + ", sent with "
                                + m.checksum()));
                return this;
            }
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
                tell(new TabletActor.AbortCommit(-1, r.write().rowset()));
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

    // ---- load: publish, abort

    private void answer(Publish m, PublishAnswer a, long local, String msg) {
        m.replyTo().tell(new Published(tabletId, services.self(), m.txnId(), a, local, msg));
    }

    /** Why this replica's own copy of the log contradicts {@code m}, or null. */
    private String contradiction(Publish m) {
        Optional<MetaState> local = services.log().local();
        MetaReply.TxnView view = local.map(s -> s.txn(m.txnId())).orElse(null);
        if (view == null) {
            return null; // no copy here, or it has not applied the decision yet: the proposer read it from the log
        }
        if (view.phase() == TxnPhase.PREPARE) {
            return null; // this copy has not applied the commit yet; the proposer read it from the log
        }
        if (view.phase() == TxnPhase.ABORTED) {
            return "the meta log says txn " + m.txnId() + " is ABORTED";
        }
        Long v = view.versions().get(tabletId);
        Long id = view.contentIds().get(tabletId);
        if (v == null || v != m.version() || id == null || id != m.contentId()) {
            return "the meta log committed txn " + m.txnId() + " on tablet " + tabletId + " at version " + v
                    + ", not at " + m.version() + " with this content";
        }
        return null;
    }

    private Behavior<Command> onPublish(Publish m) {
        if (tablet() == null) {
            answer(m, PublishAnswer.MISSING, -1, missing());
            return this;
        }
        String refused = contradiction(m);
        if (refused != null) {
            LOG.warn("tablet {} on {}: publish of txn {} refused: {}", tabletId, services.self(), m.txnId(), refused);
            answer(m, PublishAnswer.FAILED, -1, "refused: " + refused);
            return this;
        }
        Txn t = txns.get(m.txnId());
        if (t != null && t.publishing) {
            answer(m, PublishAnswer.FAILED, -1, "txn " + m.txnId() + " is being published on " + services.self());
            return this;
        }
        if (t != null) {
            t.publishing = true;
        }
        ctx.ask(TabletMeta.class, tablet(), Duration.ofSeconds(10), TabletActor.GetMeta::new,
                (meta, err) -> new MetaForPublish(m, meta));
        return this;
    }

    private Behavior<Command> onMetaForPublish(MetaForPublish p) {
        Publish m = p.request();
        Txn t = txns.get(m.txnId());
        if (p.meta() == null) {
            if (t != null) {
                t.publishing = false;
            }
            answer(m, PublishAnswer.FAILED, -1, "tablet " + tabletId + " on " + services.self() + " did not answer");
            return this;
        }
        long local = p.meta().maxVersion();
        if (local >= m.version()) {
            if (t != null) {
                dropStaged(t);
            }
            var at = p.meta().rowsets().stream().filter(r -> r.startVersion() == m.version()
                    && r.endVersion() == m.version()).findFirst();
            if (at.isPresent() && at.get().contentId() != m.contentId()) {
                // Other content at this version: never counted; the replica sync clones this replica.
                answer(m, PublishAnswer.FAILED, local, "replica on " + services.self() + " holds other content at version "
                        + m.version());
                return this;
            }
            answer(m, PublishAnswer.DONE, local, "published before");
            return this;
        }
        if (t == null || t.write == null) {
            answer(m, PublishAnswer.MISSING, local, "txn " + m.txnId() + " is not staged on " + services.self());
            return this;
        }
        if (local < m.version() - 1) {
            t.publishing = false;
            answer(m, PublishAnswer.BEHIND, local, "replica on " + services.self() + " is at version " + local
                    + ", the load needs " + (m.version() - 1));
            return this;
        }
        TabletWrite write = t.write;
        ctx.ask(TabletActor.PrepareResult.class, tablet(), Duration.ofSeconds(30),
                replyTo -> new TabletActor.PrepareCommit(m.txnId(), write, replyTo, ctx.getSelf()),
                (res, err) -> new PrepareDone(m, res != null ? res : new TabletActor.PrepareResult(tabletId, null,
                        null, new Status(StatusCode.INTERNAL_ERROR, "tablet did not answer: " + err))));
        return this;
    }

    private Behavior<Command> onPrepareDone(PrepareDone p) {
        Publish m = p.request();
        Txn t = txns.get(m.txnId());
        TabletActor.PrepareResult r = p.result();
        if (t == null) {
            if (r.status().ok()) {
                tell(new TabletActor.AbortCommit(m.txnId(), null));
            }
            answer(m, PublishAnswer.FAILED, -1, "txn " + m.txnId() + " was dropped meanwhile");
            return this;
        }
        t.publishing = false;
        if (!r.status().ok()) {
            answer(m, PublishAnswer.FAILED, -1, r.status().toString());
            return this;
        }
        long reserved = r.rowset().version().start();
        if (reserved != m.version()) {
            tell(new TabletActor.AbortCommit(m.txnId(), null));
            answer(m, reserved > m.version() ? PublishAnswer.DONE : PublishAnswer.BEHIND, reserved - 1,
                    "replica on " + services.self() + " is at version " + (reserved - 1));
            return this;
        }
        var rowset = r.rowset().withContentId(m.contentId());
        try {
            LoadMetaCommit.write(services.engine(), List.of(new TabletActor.PrepareResult(tabletId, rowset, r.delta(),
                    Status.OK)), new LoadRecord(t.db, t.label, t.txnId, t.tableId, "VISIBLE", m.loadedRows(),
                    m.filteredRows(), services.engine().clock().millis()), "replica.publish", id -> id == tabletId,
                    "txn " + t.txnId + " on tablet " + tabletId);
        } catch (RuntimeException e) {
            // The reservation goes back; the rows stay staged for the next try.
            tell(new TabletActor.AbortCommit(m.txnId(), null));
            LOG.warn("publish of txn {} on tablet {} failed: {}", t.txnId, tabletId, e.getMessage());
            answer(m, PublishAnswer.FAILED, reserved - 1, "meta commit failed on " + services.self() + ": "
                    + e.getMessage());
            return this;
        }
        txns.remove(m.txnId());
        timers.cancel(m.txnId());
        tell(new TabletActor.Publish(t.txnId, rowset, r.delta()));
        answer(m, PublishAnswer.DONE, reserved, "");
        return this;
    }

    /** Deletes a staged load's files (its version is on this replica by another way, or it was aborted). */
    private void dropStaged(Txn t) {
        txns.remove(t.txnId);
        timers.cancel(t.txnId);
        if (t.write != null) {
            tell(new TabletActor.AbortCommit(-1, t.write.rowset()));
        }
    }

    private void abort(long txnId) {
        Txn t = txns.get(txnId);
        if (t != null) {
            dropStaged(t);
        }
    }

    private Behavior<Command> onExpire(Expire m) {
        if (!txns.containsKey(m.txnId())) {
            return this;
        }
        // No outcome came: the log says what became of the load.
        services.log().read(new MetaCommand.GetTxn(m.txnId())).whenComplete((reply, err) ->
                ctx.getSelf().tell(new Resolved(m.txnId(), reply)));
        timers.startSingleTimer(m.txnId(), new Expire(m.txnId()), ASK_AGAIN);
        return this;
    }

    private Behavior<Command> onResolved(Resolved m) {
        Txn t = txns.get(m.txnId());
        if (t == null || m.reply() == null) {
            return this;
        }
        if ("NOT_FOUND".equals(m.reply().code())) {
            LOG.warn("tablet {}: staged txn {} (label {}) is unknown to the meta log; dropping it", tabletId, t.txnId,
                    t.label);
            dropStaged(t);
            return this;
        }
        MetaReply.TxnView v = m.reply().txn();
        if (v == null) {
            return this;
        }
        if (v.phase() == TxnPhase.ABORTED) {
            dropStaged(t);
        } else if (v.phase().isCommitted() && v.versions().containsKey(tabletId) && !t.publishing) {
            onPublish(new Publish(t.txnId, v.versions().get(tabletId), v.contentIds().get(tabletId), t.db, t.label,
                    v.loadedRows(), v.filteredRows(), ctx.getSystem().ignoreRef()));
        }
        return this;
    }

    // ---- state and reads

    private Behavior<Command> onGetState(GetState m) {
        ActorRef<TabletActor.Command> tablet = tablet();
        if (tablet == null) {
            m.replyTo().tell(new State(tabletId, services.self(), false, -1));
            return this;
        }
        ctx.ask(TabletMeta.class, tablet, Duration.ofSeconds(10), TabletActor.GetMeta::new, (meta, err) -> new Reply(
                () -> m.replyTo().tell(new State(tabletId, services.self(), meta != null,
                        meta == null ? -1 : meta.maxVersion()))));
        return this;
    }

    @SuppressWarnings("unchecked")
    private Behavior<Command> onRead(Read m) {
        ActorRef<TabletActor.Command> tablet = tablet();
        TableMeta table = services.view().get().tableOf(tabletId);
        if (tablet == null || table == null) {
            m.replyTo().tell(new ReadAnswer(tabletId, -1, 0, null, StatusCode.NOT_FOUND, missing()));
            return this;
        }
        Class<Optional<TabletSnapshot>> type = (Class<Optional<TabletSnapshot>>) (Class<?>) Optional.class;
        ctx.ask(type, tablet, Duration.ofSeconds(10), r -> new TabletActor.GetSnapshotAt(m.version(), r), (snap, err) -> {
            if (snap == null || snap.isEmpty()) {
                return new Reply(() -> m.replyTo().tell(new ReadAnswer(tabletId, -1, 0, null, StatusCode.NOT_FOUND,
                        "replica of tablet " + tabletId + " on " + services.self() + " can not show version "
                                + m.version() + (err == null ? "" : ": " + err))));
            }
            TabletSnapshot s = snap.get();
            CompletableFuture.runAsync(() -> m.replyTo().tell(ReplicaReads.read(m, table, s, services)),
                    services.readExecutor());
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
        services.catchUp().catchUp(tabletId, peer, m.wholeChain()).whenComplete((version, err) -> {
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
