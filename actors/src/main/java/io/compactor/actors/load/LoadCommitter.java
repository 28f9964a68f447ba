package io.compactor.actors.load;

import io.compactor.storage.util.StatusCode;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.util.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits loads one at a time, node-wide, making each all-or-nothing across its tablets
 * (consistency rule 2 of docs/DESIGN.md).
 *
 * <p>For one load: every tablet reserves its next version ({@code PrepareCommit}); then one synced
 * meta batch holds every tablet's rowset and the label, so after a crash either all of the load
 * is durable or none of it; then the tablets publish. Serializing commits means no two loads
 * ever hold reservations on each other's tablets, so there is no deadlock; the cost is that
 * commits (not writes, which run in parallel before) take turns. If the meta write throws, the
 * label is read back: it was written in the same batch, so its presence tells whether the batch
 * became durable.
 */
public final class LoadCommitter extends AbstractBehavior<LoadCommitter.Command> {
    private static final Logger LOG = LoggerFactory.getLogger(LoadCommitter.class);
    private static final int MAX_WAITING = 100_000;

    public interface Command {
    }

    public record Commit(LoadTxn txn, ActorRef<CommitResult> replyTo) implements Command {
    }

    /** Outcome: OK, or the failure; {@code labelExists} when the label had committed before. */
    public record CommitResult(Status status, boolean labelExists, long committedTxnId) {
    }

    private record Prepared(TabletActor.PrepareResult result) implements Command {
    }

    private final ActorContext<Command> ctx;
    private final StorageEngine engine;
    private final ArrayDeque<Commit> waiting = new ArrayDeque<>();
    private Commit current;
    private final Map<Long, TabletActor.PrepareResult> prepared = new HashMap<>();
    private int awaiting;
    private Status failure;

    public static Behavior<Command> create(StorageEngine engine) {
        return Behaviors.setup(ctx -> new LoadCommitter(ctx, engine));
    }

    private LoadCommitter(ActorContext<Command> ctx, StorageEngine engine) {
        super(ctx);
        this.ctx = ctx;
        this.engine = engine;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Commit.class, this::onCommit)
                .onMessage(Prepared.class, this::onPrepared)
                .build();
    }

    private Behavior<Command> onCommit(Commit c) {
        if (current != null) {
            if (waiting.size() >= MAX_WAITING) {
                abortAll(c.txn());
                c.replyTo().tell(new CommitResult(new Status(StatusCode.SERVICE_UNAVAILABLE, "too many loads waiting to commit"),
                        false, 0));
            } else {
                waiting.add(c);
            }
            return this;
        }
        start(c);
        return this;
    }

    private void start(Commit c) {
        LoadTxn txn = c.txn();
        var existing = engine.meta().findLabel(txn.db(), txn.label());
        if (existing.isPresent()) {
            abortAll(txn);
            c.replyTo().tell(new CommitResult(new Status(StatusCode.ALREADY_EXIST,
                    "Label [" + txn.label() + "] has already been used."), true, existing.get().txnId()));
            next();
            return;
        }
        current = c;
        prepared.clear();
        failure = null;
        awaiting = txn.rowsets().size();
        if (awaiting == 0) {
            finish();
            return;
        }
        for (var e : txn.rowsets().entrySet()) {
            ActorRef<TabletActor.Command> tablet = txn.tablets().get(e.getKey());
            ctx.ask(TabletActor.PrepareResult.class, tablet, Duration.ofSeconds(60),
                    replyTo -> new TabletActor.PrepareCommit(txn.txnId(), e.getValue(), replyTo),
                    (res, err) -> new Prepared(res != null ? res : new TabletActor.PrepareResult(e.getKey(), null, null,
                            new Status(StatusCode.INTERNAL_ERROR, "tablet " + e.getKey() + " did not answer: " + err))));
        }
    }

    private Behavior<Command> onPrepared(Prepared p) {
        if (current == null) {
            return this;
        }
        TabletActor.PrepareResult r = p.result();
        if (r.status().ok()) {
            prepared.put(r.tabletId(), r);
        } else if (failure == null) {
            failure = r.status();
        }
        if (--awaiting == 0) {
            finish();
        }
        return this;
    }

    private void finish() {
        LoadTxn txn = current.txn();
        if (failure == null && System.nanoTime() > txn.deadlineNanos()) {
            failure = new Status(StatusCode.TIMEOUT, "load timed out before commit (load_timeout_seconds)");
        }
        if (failure != null) {
            abortAll(txn);
            current.replyTo().tell(new CommitResult(failure, false, 0));
            next();
            return;
        }
        LoadRecord label = new LoadRecord(txn.db(), txn.label(), txn.txnId(), txn.tableId(), "VISIBLE",
                txn.loadedRows(), txn.filteredRows(), engine.clock().millis());
        boolean durable;
        Status error = null;
        try {
            LoadMetaCommit.write(engine, prepared.values(), label, "meta.commit", txn.rowsets()::containsKey,
                    "load " + txn.label() + " (txn " + txn.txnId() + ")");
            durable = true;
        } catch (RuntimeException e) {
            LOG.error("meta commit of txn {} (label {}) failed", txn.txnId(), txn.label(), e);
            durable = LoadMetaCommit.labelCommitted(engine, txn.db(), txn.label(), txn.txnId());
            error = Status.internal("failed to commit txn " + txn.txnId() + ": " + e.getMessage());
        }
        if (durable) {
            for (var e : prepared.entrySet()) {
                txn.tablets().get(e.getKey()).tell(new TabletActor.Publish(txn.txnId(), e.getValue().rowset(),
                        e.getValue().delta()));
            }
            current.replyTo().tell(new CommitResult(Status.OK, false, txn.txnId()));
        } else {
            abortAll(txn);
            current.replyTo().tell(new CommitResult(error, false, 0));
        }
        next();
    }

    private void abortAll(LoadTxn txn) {
        for (var e : txn.rowsets().entrySet()) {
            txn.tablets().get(e.getKey()).tell(new TabletActor.AbortCommit(txn.txnId(), e.getValue().rowset()));
        }
    }

    private void next() {
        current = null;
        prepared.clear();
        Commit c = waiting.poll();
        if (c != null) {
            start(c);
        }
    }
}
