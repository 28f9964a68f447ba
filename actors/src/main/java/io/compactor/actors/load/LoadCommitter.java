package io.compactor.actors.load;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.util.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits loads node-wide, making each all-or-nothing across its tablets (consistency rule 2 of
 * docs/DESIGN.md), several at a time when they touch disjoint tablets.
 *
 * <p>A round takes the waiting loads in arrival order, skipping any that shares a tablet (or its
 * label) with one already taken, so loads of one table still commit one at a time and in order.
 * For each taken load every tablet reserves its next version ({@code PrepareCommit}); once all have
 * answered, one synced meta batch holds every taken load's rowsets and labels (each load is in it
 * whole or not at all, and they share one fsync), then the tablets publish. A load whose prepare
 * failed, or whose deadline passed, is aborted alone. No two loads of a round hold reservations on
 * the same tablet and rounds do not overlap, so there is no deadlock. If the meta write throws,
 * each label is read back: it was written in the same batch as its rowsets, so its presence tells
 * whether that load became durable.
 */
public final class LoadCommitter extends AbstractBehavior<LoadCommitter.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(LoadCommitter.class);
    private static final int MAX_WAITING = 100_000;
    /** Most loads committed in one round (one meta batch). */
    static final int MAX_ROUND = 64;

    public interface Command {
    }

    public record Commit(LoadTxn txn, ActorRef<CommitResult> replyTo) implements Command {
    }

    /** Outcome: OK, or the failure; {@code labelExists} when the label had committed before. */
    public record CommitResult(Status status, boolean labelExists, long committedTxnId) {
    }

    private record Prepared(TabletActor.PrepareResult result) implements Command {
    }

    /** A round whose tablets have not all answered in time: the missing ones fail their loads. */
    private record RoundTimeout(long round) implements Command {
    }

    /** How long a round waits for its tablets' answers. */
    static final Duration PREPARE_TIMEOUT = Duration.ofSeconds(60);

    /** One load of the current round. */
    private static final class Pending {
        final Commit commit;
        final Map<Long, TabletActor.PrepareResult> prepared = new HashMap<>();
        int awaiting;
        Status failure;

        Pending(Commit commit) {
            this.commit = commit;
            this.awaiting = commit.txn().rowsets().size();
        }
    }

    private final ActorContext<Command> ctx;
    private final StorageEngine engine;
    private final ArrayDeque<Commit> waiting = new ArrayDeque<>();
    /** The current round by txn id; empty when idle. */
    private final Map<Long, Pending> round = new LinkedHashMap<>();
    /** The current round's tablets, each to the txn it prepares (tablets are disjoint in a round). */
    private final Map<Long, Long> preparing = new HashMap<>();
    /** One adapter for every prepare answer: no temporary actor (and future) per tablet. */
    private final ActorRef<TabletActor.PrepareResult> prepareReplies;
    private long roundId;
    private org.apache.pekko.actor.Cancellable roundTimer;
    private int awaiting;

    public static Behavior<Command> create(StorageEngine engine) {
        return Behaviors.setup(ctx -> new LoadCommitter(ctx, engine));
    }

    private LoadCommitter(ActorContext<Command> ctx, StorageEngine engine) {
        super(ctx);
        this.ctx = ctx;
        this.engine = engine;
        this.prepareReplies = ctx.messageAdapter(TabletActor.PrepareResult.class, Prepared::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Commit.class, this::onCommit)
                .onMessage(Prepared.class, this::onPrepared)
                .onMessage(RoundTimeout.class, this::onRoundTimeout)
                .build();
    }

    private Behavior<Command> onCommit(Commit c) {
        if (waiting.size() >= MAX_WAITING) {
            abortAll(c.txn());
            c.replyTo().tell(new CommitResult(new Status(StatusCode.SERVICE_UNAVAILABLE,
                    "too many loads waiting to commit"), false, 0));
            return this;
        }
        waiting.add(c);
        if (round.isEmpty()) {
            startRound();
        }
        return this;
    }

    /** Takes the waiting loads that fit one round and asks their tablets to reserve. */
    private void startRound() {
        while (round.isEmpty() && !waiting.isEmpty()) {
            Set<Long> tablets = new HashSet<>();
            Set<String> labels = new HashSet<>();
            List<Pending> started = new ArrayList<>();
            for (Iterator<Commit> it = waiting.iterator(); it.hasNext() && round.size() < MAX_ROUND; ) {
                Commit c = it.next();
                LoadTxn txn = c.txn();
                String labelKey = txn.db() + '\u0000' + txn.label();
                boolean conflicts = labels.contains(labelKey);
                for (Long t : txn.rowsets().keySet()) {
                    conflicts |= tablets.contains(t);
                }
                // A skipped load blocks its tablets for the rest of this scan: loads of one table keep their order.
                tablets.addAll(txn.rowsets().keySet());
                labels.add(labelKey);
                if (conflicts) {
                    continue;
                }
                it.remove();
                var existing = engine.meta().findLabel(txn.db(), txn.label());
                if (existing.isPresent()) {
                    abortAll(txn);
                    c.replyTo().tell(new CommitResult(new Status(StatusCode.ALREADY_EXIST,
                            "Label [" + txn.label() + "] has already been used."), true, existing.get().txnId()));
                    continue;
                }
                Pending p = new Pending(c);
                round.put(txn.txnId(), p);
                started.add(p);
            }
            awaiting = 0;
            for (Pending p : started) {
                awaiting += p.awaiting;
            }
            if (round.isEmpty()) {
                continue;
            }
            if (awaiting == 0) {
                finishRound();
                continue;
            }
            roundId++;
            roundTimer = ctx.scheduleOnce(PREPARE_TIMEOUT, ctx.getSelf(), new RoundTimeout(roundId));
            for (Pending p : started) {
                LoadTxn txn = p.commit.txn();
                for (var e : txn.rowsets().entrySet()) {
                    preparing.put(e.getKey(), txn.txnId());
                    txn.tablets().get(e.getKey()).tell(new TabletActor.PrepareCommit(txn.txnId(), e.getValue(),
                            prepareReplies));
                }
            }
        }
    }

    private Behavior<Command> onPrepared(Prepared m) {
        TabletActor.PrepareResult r = m.result();
        Long txnId = preparing.get(r.tabletId());
        if (txnId == null || (r.rowset() != null && r.rowset().txnId() != txnId)) {
            return this; // an answer of an earlier round that timed out: that load was aborted
        }
        preparing.remove(r.tabletId());
        Pending p = round.get(txnId);
        if (r.status().ok()) {
            p.prepared.put(r.tabletId(), r);
        } else if (p.failure == null) {
            p.failure = r.status();
        }
        p.awaiting--;
        if (--awaiting == 0) {
            finishRound();
            startRound();
        }
        return this;
    }

    private Behavior<Command> onRoundTimeout(RoundTimeout m) {
        if (m.round() != roundId || round.isEmpty()) {
            return this;
        }
        for (var e : preparing.entrySet()) {
            Pending p = round.get(e.getValue());
            if (p != null && p.failure == null) {
                p.failure = new Status(StatusCode.INTERNAL_ERROR, "tablet " + e.getKey() + " did not answer within "
                        + PREPARE_TIMEOUT.toSeconds() + " s");
            }
        }
        finishRound();
        startRound();
        return this;
    }

    private void finishRound() {
        preparing.clear();
        awaiting = 0;
        if (roundTimer != null) {
            roundTimer.cancel();
            roundTimer = null;
        }
        List<Pending> ready = new ArrayList<>();
        List<LoadMetaCommit.Part> parts = new ArrayList<>();
        long now = System.nanoTime();
        for (Pending p : round.values()) {
            LoadTxn txn = p.commit.txn();
            if (p.failure == null && now > txn.deadlineNanos()) {
                p.failure = new Status(StatusCode.TIMEOUT, "load timed out before commit (load_timeout_seconds)");
            }
            if (p.failure != null) {
                abortAll(txn);
                p.commit.replyTo().tell(new CommitResult(p.failure, false, 0));
                continue;
            }
            ready.add(p);
            parts.add(new LoadMetaCommit.Part(p.prepared.values(), new LoadRecord(txn.db(), txn.label(), txn.txnId(),
                    txn.tableId(), "VISIBLE", txn.loadedRows(), txn.filteredRows(), engine.clock().millis()),
                    txn.rowsets()::containsKey, "load " + txn.label() + " (txn " + txn.txnId() + ")"));
        }
        round.clear();
        if (ready.isEmpty()) {
            return;
        }
        List<LoadMetaCommit.Part> injected = List.of();
        RuntimeException error = null;
        try {
            injected = LoadMetaCommit.writeAll(engine, parts, "meta.commit");
        } catch (RuntimeException e) {
            LOG.error("meta commit of {} load(s) failed", ready.size(), e);
            error = e;
        }
        for (int i = 0; i < ready.size(); i++) {
            Pending p = ready.get(i);
            LoadTxn txn = p.commit.txn();
            boolean left = injected.contains(parts.get(i));
            boolean durable = !left && (error == null
                    || LoadMetaCommit.labelCommitted(engine, txn.db(), txn.label(), txn.txnId()));
            if (durable) {
                for (var e : p.prepared.entrySet()) {
                    txn.tablets().get(e.getKey()).tell(new TabletActor.Publish(txn.txnId(), e.getValue().rowset(),
                            e.getValue().delta()));
                }
                p.commit.replyTo().tell(new CommitResult(Status.OK, false, txn.txnId()));
            } else {
                abortAll(txn);
                String why = left ? "debug point meta.commit: injected failure in meta commit of load " + txn.label()
                        : error.getMessage();
                p.commit.replyTo().tell(new CommitResult(Status.internal("failed to commit txn " + txn.txnId() + ": "
                        + why), false, 0));
            }
        }
    }

    private void abortAll(LoadTxn txn) {
        for (var e : txn.rowsets().entrySet()) {
            txn.tablets().get(e.getKey()).tell(new TabletActor.AbortCommit(txn.txnId(), e.getValue().rowset()));
        }
    }
}
