package io.compactor.actors.cluster;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load coordinator of one replicated table, a Cluster Sharding entity keyed by table id: it
 * lives on exactly one node at a time and moves when that node leaves. It plays the part of
 * Doris's frontend for the table's loads: it assigns each tablet's next version and decides
 * every load's outcome, one load at a time.
 *
 * <p>For a load whose rows are staged on the replicas ({@link ReplicaEntity.Stage}): every tablet
 * needs a majority of its replicas staged and in sync (at the tablet's current version); those get
 * {@link ReplicaEntity.PrepareAt} the next version; if every tablet has a majority prepared the
 * load commits (the decision), is published on the prepared replicas (other nodes' first, this
 * node's last) and the tablet's version advances, else every replica aborts and nothing is visible anywhere. A replica that is behind
 * answers LAGGING and is brought up to date by copying rowsets from an in-sync peer
 * ({@link ReplicaEntity.CatchUp}); until then it takes no part in loads.
 *
 * <p>Its state (versions, which replicas are in sync) is rebuilt from the replicas when it starts
 * and refreshed while replicas lag. A load a previous incarnation prepared but did not finish is
 * resolved from the replicas: committed if any node recorded its label, else aborted.
 */
public final class TableTxn extends AbstractBehavior<TableTxnProtocol.Command> implements TableTxnProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(TableTxn.class);
    public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "table-txn");
    private static final Duration ASK = Duration.ofSeconds(10);
    private static final Duration TICK = Duration.ofSeconds(2);
    private static final int MAX_OUTCOMES = 100_000;

    public static EntityRef<Command> ref(ActorSystem<?> system, long tableId) {
        return ClusterSharding.get(system).entityRefFor(KEY, Long.toString(tableId));
    }

    // ---- internal
    private record States(List<ReplicaEntity.State> states) implements Command {
    }

    private record Labels(long txnId, List<ReplicaEntity.LabelAnswer> answers) implements Command {
    }

    private record PrepareReplies(List<ReplicaEntity.Prepared> replies) implements Command {
    }

    private record PublishReplies(List<ReplicaEntity.Published> replies) implements Command {
    }

    private record RemotePublished(List<ReplicaEntity.Published> replies) implements Command {
    }

    private record CatchUpReply(ReplicaEntity.CaughtUp reply) implements Command {
    }

    private enum Tick implements Command { INSTANCE }

    private final ActorContext<Command> ctx;
    private final ClusterServices services;
    private final long tableId;
    private final ClusterSharding sharding;
    /** Visible version of each tablet (the end of the chain a majority holds). */
    private final Map<Long, Long> versions = new HashMap<>();
    /** Replicas (nodes) of each tablet known to be at {@link #versions}. */
    private final Map<Long, Set<String>> inSync = new HashMap<>();
    private final Map<Long, Outcome> outcomes = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Outcome> e) {
            return size() > MAX_OUTCOMES;
        }
    };
    private final TableCatchUp catchUps;
    private final ArrayDeque<Command> queue = new ArrayDeque<>();
    private boolean busy;
    private boolean needRefresh = true;
    /** The load being committed. */
    private Commit current;
    private Map<Long, Long> currentVersions;
    private Map<Long, List<String>> currentPrepared;
    /** Resolves waiting for the refresh that runs now. */
    private final List<Resolve> waitingResolves = new ArrayList<>();

    private TableTxn(ActorContext<Command> ctx, TimerScheduler<Command> timers, ClusterServices services,
                     long tableId) {
        super(ctx);
        this.ctx = ctx;
        this.services = services;
        this.tableId = tableId;
        this.sharding = ClusterSharding.get(ctx.getSystem());
        this.catchUps = new TableCatchUp(tableId, versions, inSync);
        timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
    }

    public static Behavior<Command> create(ClusterServices services, String entityId) {
        long tableId = Long.parseLong(entityId);
        return Behaviors.setup(ctx -> Behaviors.withTimers(t -> new TableTxn(ctx, t, services, tableId)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Commit.class, this::enqueue)
                .onMessage(Resolve.class, this::onResolve)
                .onMessage(NodeUp.class, m -> {
                    needRefresh = true;
                    catchUps.forgetNode(m.node());
                    return drain();
                })
                .onMessage(Tick.class, m -> onTick())
                .onMessage(States.class, this::onStates)
                .onMessage(Labels.class, this::onLabels)
                .onMessage(PrepareReplies.class, this::onPrepared)
                .onMessage(RemotePublished.class, this::onRemotePublished)
                .onMessage(PublishReplies.class, this::onPublished)
                .onMessage(CatchUpReply.class, this::onCaughtUp)
                .build();
    }

    private TableMeta table() {
        return services.view().get().tablesById().get(tableId);
    }

    private EntityRef<ReplicaEntity.Command> replica(long tabletId, String node) {
        return ReplicaEntity.ref(sharding, tabletId, node);
    }

    private Behavior<Command> enqueue(Command c) {
        queue.add(c);
        return drain();
    }

    private Behavior<Command> onResolve(Resolve m) {
        Outcome o = outcomes.get(m.txnId());
        if (o != null) {
            m.replyTo().tell(o);
        } else if (current != null && current.txnId() == m.txnId()
                || queue.stream().anyMatch(c -> c instanceof Commit cm && cm.txnId() == m.txnId())) {
            m.replyTo().tell(new Outcome(m.txnId(), TxnState.PENDING, "the load is being committed"));
        } else {
            // Unknown here: look at the replicas first (a previous incarnation may have decided it).
            needRefresh = true;
            waitingResolves.add(m);
            drain();
        }
        return this;
    }

    /** Starts the next piece of work when idle: a refresh if one is due, else the next load. */
    private Behavior<Command> drain() {
        if (busy) {
            return this;
        }
        TableMeta table = table();
        if (table == null) {
            failAll("table " + tableId + " is not known on the coordinating node " + services.self());
            return this;
        }
        if (needRefresh) {
            startRefresh(table, allReplicas(table));
            return this;
        }
        Command next = queue.poll();
        if (next instanceof Commit c) {
            startCommit(table, c);
        }
        return this;
    }

    private void failAll(String msg) {
        for (Command c : queue) {
            if (c instanceof Commit cm) {
                cm.replyTo().tell(new Outcome(cm.txnId(), TxnState.ABORTED, msg));
                abortEverywhere(cm);
            }
        }
        queue.clear();
        for (Resolve r : waitingResolves) {
            r.replyTo().tell(new Outcome(r.txnId(), TxnState.PENDING, msg));
        }
        waitingResolves.clear();
    }

    private Map<Long, List<String>> allReplicas(TableMeta table) {
        Map<Long, List<String>> all = new HashMap<>();
        for (long t : table.tabletIds()) {
            all.put(t, table.replicaNodes(t));
        }
        return all;
    }

    // ---- refresh: versions and in-sync replicas from the replicas themselves

    private void startRefresh(TableMeta table, Map<Long, List<String>> which) {
        busy = true;
        needRefresh = false;
        Set<String> live = services.nodes().live();
        List<java.util.concurrent.CompletableFuture<ReplicaEntity.State>> asks = new ArrayList<>();
        for (var e : which.entrySet()) {
            for (String node : e.getValue()) {
                if (live.contains(node)) {
                    asks.add(replica(e.getKey(), node).<ReplicaEntity.State>ask(ReplicaEntity.GetState::new, ASK)
                            .toCompletableFuture());
                }
            }
        }
        gather(asks, States::new);
    }

    private <A> void gather(List<java.util.concurrent.CompletableFuture<A>> asks,
                            java.util.function.Function<List<A>, Command> wrap) {
        ctx.pipeToSelf(Gather.all(asks), (got, err) -> wrap.apply(got));
    }

    private final Map<Long, ReplicaEntity.State> inDoubt = new HashMap<>();

    private Behavior<Command> onStates(States m) {
        TableMeta table = table();
        for (ReplicaEntity.State st : catchUps.absorb(m.states())) {
            if (!outcomes.containsKey(st.preparedTxn())) {
                inDoubt.putIfAbsent(st.preparedTxn(), st);
            }
        }
        if (!inDoubt.isEmpty() && table != null) {
            // A load a previous coordinator prepared: committed iff some node recorded its label.
            ReplicaEntity.State s = inDoubt.values().iterator().next();
            List<java.util.concurrent.CompletableFuture<ReplicaEntity.LabelAnswer>> asks = new ArrayList<>();
            Set<String> live = services.nodes().live();
            for (long t : s.preparedTablets()) {
                for (String node : table.replicaNodes(t)) {
                    if (live.contains(node)) {
                        asks.add(replica(t, node).<ReplicaEntity.LabelAnswer>ask(
                                r -> new ReplicaEntity.HasLabel(s.db(), s.label(), r), ASK).toCompletableFuture());
                    }
                }
            }
            long txn = s.preparedTxn();
            gather(asks, answers -> new Labels(txn, answers));
            return this;
        }
        return refreshed();
    }

    private Behavior<Command> onLabels(Labels m) {
        ReplicaEntity.State s = inDoubt.remove(m.txnId());
        TableMeta table = table();
        boolean committed = m.answers().stream().anyMatch(a -> a.txnId() == m.txnId());
        Outcome o = new Outcome(m.txnId(), committed ? TxnState.COMMITTED : TxnState.ABORTED,
                committed ? "committed before the coordinator moved" : "not committed before the coordinator moved");
        outcomes.put(m.txnId(), o);
        LOG.info("table {}: in-doubt txn {} (label {}) resolved as {}", tableId, m.txnId(),
                s == null ? "?" : s.label(), o.state());
        if (s != null && table != null) {
            for (long t : s.preparedTablets()) {
                for (String node : table.replicaNodes(t)) {
                    if (committed) {
                        replica(t, node).tell(new ReplicaEntity.Publish(m.txnId(), s.preparedVersion(), s.db(),
                                s.label(), 0, 0, ctx.getSystem().ignoreRef()));
                    } else {
                        replica(t, node).tell(new ReplicaEntity.Abort(m.txnId()));
                    }
                }
            }
        }
        // Look again: publishing moved versions.
        busy = false;
        needRefresh = true;
        return drain();
    }

    private Behavior<Command> refreshed() {
        busy = false;
        for (Resolve r : waitingResolves) {
            Outcome o = outcomes.get(r.txnId());
            if (o == null) {
                // Nobody prepared it and nobody decided it: it is aborted for good.
                o = new Outcome(r.txnId(), TxnState.ABORTED, "the load was not committed");
                outcomes.put(r.txnId(), o);
            }
            r.replyTo().tell(o);
        }
        waitingResolves.clear();
        startCatchUps();
        return drain();
    }

    // ---- commit

    private void startCommit(TableMeta table, Commit c) {
        if (outcomes.containsKey(c.txnId())) {
            c.replyTo().tell(outcomes.get(c.txnId()));
            drain();
            return;
        }
        int need = Placement.majority(table.replicationNum());
        Map<Long, Long> assigned = new HashMap<>();
        List<java.util.concurrent.CompletableFuture<ReplicaEntity.Prepared>> asks = new ArrayList<>();
        List<Long> tablets = List.copyOf(c.staged().keySet());
        List<String[]> targets = new ArrayList<>();
        for (var e : c.staged().entrySet()) {
            long tablet = e.getKey();
            Long v = versions.get(tablet);
            Set<String> sync = inSync.getOrDefault(tablet, Set.of());
            List<String> eligible = e.getValue().stream().filter(sync::contains).toList();
            if (v == null || eligible.size() < need) {
                abort(c, "tablet " + tablet + ": " + eligible.size() + " of " + table.replicationNum()
                        + " replicas are reachable, in sync and staged the load (in sync: " + sync + ", staged: "
                        + e.getValue() + "); a load needs " + need);
                return;
            }
            assigned.put(tablet, v + 1);
            for (String node : eligible) {
                targets.add(new String[] {Long.toString(tablet), node});
            }
        }
        busy = true;
        current = c;
        currentVersions = assigned;
        for (String[] t : targets) {
            long tablet = Long.parseLong(t[0]);
            asks.add(replica(tablet, t[1]).<ReplicaEntity.Prepared>ask(
                    r -> new ReplicaEntity.PrepareAt(c.txnId(), assigned.get(tablet), tablets, r), ASK)
                    .toCompletableFuture());
        }
        gather(asks, PrepareReplies::new);
    }

    private Behavior<Command> onPrepared(PrepareReplies m) {
        Commit c = current;
        TableMeta table = table();
        int need = Placement.majority(table == null ? 1 : table.replicationNum());
        Map<Long, List<String>> ok = new HashMap<>();
        for (ReplicaEntity.Prepared p : m.replies()) {
            if (p.answer() == ReplicaEntity.PrepareAnswer.PREPARED) {
                ok.computeIfAbsent(p.tabletId(), k -> new ArrayList<>()).add(p.node());
            } else {
                if (p.answer() == ReplicaEntity.PrepareAnswer.LAGGING) {
                    inSync.getOrDefault(p.tabletId(), new HashSet<>()).remove(p.node());
                }
                LOG.info("table {}: txn {} tablet {} on {}: {} {}", tableId, c.txnId(), p.tabletId(), p.node(),
                        p.answer(), p.msg());
            }
        }
        for (long tablet : c.staged().keySet()) {
            int got = ok.getOrDefault(tablet, List.of()).size();
            if (got < need) {
                busy = false;
                current = null;
                needRefresh = true;
                abort(c, "tablet " + tablet + ": only " + got + " replica(s) could prepare version "
                        + currentVersions.get(tablet) + "; a load needs " + need);
                return this;
            }
        }
        // The decision: from here on the load is committed.
        outcomes.put(c.txnId(), new Outcome(c.txnId(), TxnState.COMMITTED, "OK"));
        currentPrepared = ok;
        // Replicas that staged but take no part drop their files.
        for (var e : c.staged().entrySet()) {
            for (String node : e.getValue()) {
                if (!ok.getOrDefault(e.getKey(), List.of()).contains(node)) {
                    replica(e.getKey(), node).tell(new ReplicaEntity.Abort(c.txnId()));
                }
            }
        }
        // Other nodes publish first, this node's replicas after them: should this node die in
        // between, the load is durable (and its label recorded) on another node, so the next
        // coordinator finds it committed rather than aborting what only this node had published.
        gather(publish(c, ok, false), RemotePublished::new);
        return this;
    }

    private List<java.util.concurrent.CompletableFuture<ReplicaEntity.Published>> publish(
            Commit c, Map<Long, List<String>> prepared, boolean local) {
        List<java.util.concurrent.CompletableFuture<ReplicaEntity.Published>> asks = new ArrayList<>();
        for (var e : prepared.entrySet()) {
            for (String node : e.getValue()) {
                if (node.equals(services.self()) == local) {
                    asks.add(replica(e.getKey(), node).<ReplicaEntity.Published>ask(
                            r -> new ReplicaEntity.Publish(c.txnId(), currentVersions.get(e.getKey()), c.db(),
                                    c.label(), c.loadedRows(), c.filteredRows(), r), ASK).toCompletableFuture());
                }
            }
        }
        return asks;
    }

    private Behavior<Command> onRemotePublished(RemotePublished m) {
        List<ReplicaEntity.Published> remote = m.replies();
        gather(publish(current, currentPrepared, true), local -> {
            List<ReplicaEntity.Published> all = new ArrayList<>(remote);
            all.addAll(local);
            return new PublishReplies(all);
        });
        return this;
    }

    private Behavior<Command> onPublished(PublishReplies m) {
        Commit c = current;
        Map<Long, Set<String>> published = new HashMap<>();
        for (ReplicaEntity.Published p : m.replies()) {
            if (p.code() == StatusCode.OK) {
                published.computeIfAbsent(p.tabletId(), k -> new TreeSet<>()).add(p.node());
            } else {
                LOG.warn("table {}: publish of txn {} on tablet {} at {} failed: {}", tableId, c.txnId(),
                        p.tabletId(), p.node(), p.msg());
            }
        }
        String note = "OK";
        for (var e : currentVersions.entrySet()) {
            long tablet = e.getKey();
            versions.put(tablet, e.getValue());
            Set<String> done = published.getOrDefault(tablet, new TreeSet<>());
            inSync.put(tablet, done);
            if (done.size() < currentPrepared.get(tablet).size()) {
                note = "OK (some prepared replicas have not published yet; they finish or catch up)";
            }
        }
        c.replyTo().tell(new Outcome(c.txnId(), TxnState.COMMITTED, note));
        busy = false;
        current = null;
        startCatchUps();
        return drain();
    }

    private void abort(Commit c, String why) {
        outcomes.put(c.txnId(), new Outcome(c.txnId(), TxnState.ABORTED, why));
        abortEverywhere(c);
        c.replyTo().tell(new Outcome(c.txnId(), TxnState.ABORTED, why));
        drain();
    }

    private void abortEverywhere(Commit c) {
        for (var e : c.staged().entrySet()) {
            for (String node : e.getValue()) {
                replica(e.getKey(), node).tell(new ReplicaEntity.Abort(c.txnId()));
            }
        }
    }

    // ---- catch-up of lagging replicas

    private Behavior<Command> onTick() {
        TableMeta table = table();
        if (table == null || busy) {
            return this;
        }
        if (catchUps.anyLagging(table, services.nodes().live())) {
            needRefresh = true;
            drain();
        }
        return this;
    }

    private void startCatchUps() {
        TableMeta table = table();
        if (table == null) {
            return;
        }
        for (TableCatchUp.Order o : catchUps.start(table, services.nodes().live(), services.nodes()::http)) {
            ctx.ask(ReplicaEntity.CaughtUp.class, replica(o.tabletId(), o.node()), Duration.ofMinutes(10),
                    r -> new ReplicaEntity.CatchUp(TableMeta.replicaId(o.tabletId(), o.peerIndex()), o.peer(),
                            o.peerHttp(), r),
                    (res, err) -> new CatchUpReply(res != null ? res : new ReplicaEntity.CaughtUp(o.tabletId(),
                            o.node(), -1, StatusCode.TIMEOUT, String.valueOf(err))));
        }
    }

    private Behavior<Command> onCaughtUp(CatchUpReply m) {
        ReplicaEntity.CaughtUp r = m.reply();
        catchUps.caughtUp(r, current != null && currentVersions.containsKey(r.tabletId()));
        return this;
    }
}
