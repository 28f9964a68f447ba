package io.compactor.actors.load;

import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletWrite;
import io.compactor.api.NodeMetrics;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Writes a load's rows, already split by bucket, into every tablet of a table on this node (in
 * parallel, files only), then commits all of them under the label through the
 * {@link LoadCommitter} (consistency rules 1 and 2 of docs/DESIGN.md). A failure before the commit
 * aborts every tablet's part: nothing becomes visible. Used by plain stream loads and by group
 * commit's internal loads alike.
 */
public final class LocalLoadWriter {
    private static final Duration COMMIT_ANSWER_MARGIN = Duration.ofSeconds(60);

    /**
     * @param status         OK, or why the load failed
     * @param labelExists    the label had committed before (by {@code committedTxnId})
     * @param committedTxnId the txn that holds the label
     * @param waitedMs       the longest back-pressure delay among the load's tablets
     */
    public record Outcome(Status status, boolean labelExists, long committedTxnId, long waitedMs, long writeMs) {
        public Outcome(Status status, boolean labelExists, long committedTxnId, long waitedMs) {
            this(status, labelExists, committedTxnId, waitedMs, 0);
        }
    }

    /**
     * Instead of the commit: what a two-phase-commit load does with its written parts (record them
     * as prepared). An error aborts the parts.
     */
    public interface Prepare {
        void prepare(Map<Long, TabletWrite> written);
    }

    private final AtomicReference<CatalogView> view;
    private final ActorRef<LoadCommitter.Command> committer;
    private final Scheduler scheduler;
    private final NodeMetrics metrics;

    public LocalLoadWriter(AtomicReference<CatalogView> view, ActorRef<LoadCommitter.Command> committer,
                           Scheduler scheduler, NodeMetrics metrics) {
        this.view = view;
        this.committer = committer;
        this.scheduler = scheduler;
        this.metrics = metrics;
    }

    /** Writes and commits; completes normally for every outcome. */
    public CompletableFuture<Outcome> writeAndCommit(String db, TableMeta table, String label, long txnId,
                                                     RowBatch[] perBucket, long loadedRows, long filteredRows,
                                                     Duration timeout) {
        return writeAndCommit(db, table, label, txnId, perBucket, loadedRows, filteredRows, timeout, null, null);
    }

    /**
     * Writes and commits; completes normally for every outcome.
     *
     * @param partial a partial column update (the tablets fill the columns it does not give), or null
     * @param prepare a two-phase-commit load's step instead of the commit, or null to commit
     */
    public CompletableFuture<Outcome> writeAndCommit(String db, TableMeta table, String label, long txnId,
                                                     RowBatch[] perBucket, long loadedRows, long filteredRows,
                                                     Duration timeout, io.compactor.storage.mow.PartialUpdate partial,
                                                     Prepare prepare) {
        long started = System.nanoTime();
        CatalogView v = view.get();
        List<CompletableFuture<TabletActor.WriteResult>> writes = new ArrayList<>();
        Map<Long, ActorRef<TabletActor.Command>> refs = new HashMap<>();
        for (int b = 0; b < table.buckets(); b++) {
            long tabletId = table.tabletIds().get(b);
            ActorRef<TabletActor.Command> ref = v.tablet(tabletId);
            if (ref == null) {
                // Nothing was sent yet to the tablets before it; abort those already asked.
                abortWhenWritten(writes, refs, txnId);
                return CompletableFuture.completedFuture(new Outcome(new Status(StatusCode.NOT_FOUND, "tablet "
                        + tabletId + " of table " + table.name() + " is gone (table dropped?)"), false, 0, 0));
            }
            refs.put(tabletId, ref);
            RowBatch rows = perBucket[b];
            writes.add(AskPattern.<TabletActor.Command, TabletActor.WriteResult>ask(ref,
                    replyTo -> new TabletActor.WriteRowset(txnId, rows, partial, replyTo), timeout, scheduler)
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).handle((ok, err) -> null)
                .thenCompose(ignored -> {
                    Map<Long, TabletWrite> pending = new HashMap<>();
                    Status failure = null;
                    long waited = 0;
                    for (CompletableFuture<TabletActor.WriteResult> f : writes) {
                        TabletActor.WriteResult w = f.isCompletedExceptionally() ? null : f.join();
                        if (w != null) {
                            waited = Math.max(waited, w.waitedMs());
                        }
                        if (w != null && w.status().ok()) {
                            pending.put(w.tabletId(), w.write());
                        } else if (failure == null) {
                            failure = w != null ? w.status() : StatusException.statusOf(f.handle((a, e) -> e).join());
                        }
                    }
                    if (waited > 0) {
                        metrics.loadWaitCompaction.increment();
                        metrics.loadWaitCompactionMs.add(waited);
                    }
                    if (failure != null) {
                        for (var e : pending.entrySet()) {
                            refs.get(e.getKey()).tell(new TabletActor.AbortCommit(txnId, e.getValue().rowset()));
                        }
                        return CompletableFuture.completedFuture(new Outcome(failure, false, 0, waited));
                    }
                    long waitedMs = waited;
                    long writeMs = (System.nanoTime() - started) / 1_000_000;
                    if (prepare != null) {
                        try {
                            prepare.prepare(pending);
                            return CompletableFuture.completedFuture(new Outcome(Status.OK, false, 0, waitedMs,
                                    writeMs));
                        } catch (RuntimeException e) {
                            for (var p : pending.entrySet()) {
                                refs.get(p.getKey()).tell(new TabletActor.AbortCommit(txnId, p.getValue().rowset()));
                            }
                            return CompletableFuture.completedFuture(new Outcome(Status.internal(
                                    "failed to prepare the load: " + e.getMessage()), false, 0, waitedMs, writeMs));
                        }
                    }
                    LoadTxn txn = new LoadTxn(txnId, db, label, table.tableId(), pending, refs, loadedRows,
                            filteredRows, System.nanoTime() + timeout.toNanos());
                    // Wait longer than the commit deadline: once the committer passes it the load
                    // is aborted, so a timeout here can not hide a commit that happens later.
                    return AskPattern.<LoadCommitter.Command, LoadCommitter.CommitResult>ask(committer,
                                    replyTo -> new LoadCommitter.Commit(txn, replyTo),
                                    timeout.plus(COMMIT_ANSWER_MARGIN), scheduler)
                            .thenApply(c -> new Outcome(c.status(), c.labelExists(), c.committedTxnId(), waitedMs,
                                    writeMs))
                            .exceptionally(err -> new Outcome(StatusException.statusOf(err), false, 0, waitedMs,
                                    writeMs))
                            .toCompletableFuture();
                });
    }

    private static void abortWhenWritten(List<CompletableFuture<TabletActor.WriteResult>> writes,
                                         Map<Long, ActorRef<TabletActor.Command>> refs, long txnId) {
        for (CompletableFuture<TabletActor.WriteResult> f : writes) {
            f.thenAccept(w -> {
                if (w.status().ok()) {
                    refs.get(w.tabletId()).tell(new TabletActor.AbortCommit(txnId, w.write().rowset()));
                }
            });
        }
    }
}
