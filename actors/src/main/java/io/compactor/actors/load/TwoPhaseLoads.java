package io.compactor.actors.load;

import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.actors.tablet.TabletWrite;
import io.compactor.api.PreparedLoad;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.PreparedTxnStore;
import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.meta.PreparedTxnStore.PreparedTxn;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Doris's stream-load two-phase commit on one node. A load with {@code two_phase_commit: true}
 * writes its rowset files as any load and then, instead of committing, is recorded as prepared
 * (durably, {@link PreparedTxnStore}) and answered Success. {@code _stream_load_2pc} then commits
 * it (through the {@link LoadCommitter}, exactly as a plain load commits: one synced meta batch,
 * merge-on-write marks reconciled with everything committed since) or aborts it (its files are
 * deleted). A prepared load that is neither within {@code stream_load_default_precommit_timeout_second}
 * is aborted. Prepared loads survive a restart: their files are kept by the orphan sweep, and a
 * record whose label a commit already made visible (a crash between the commit and the record's
 * removal) is dropped at start.
 *
 * <p>Thread-safe: its state is a concurrent map; each operation claims its load first, so a
 * commit, an abort and an expiry of one load never run twice.
 */
public final class TwoPhaseLoads {
    private static final Duration COMMIT_ASK = Duration.ofSeconds(120);

    /** A prepared load: its record and each tablet's written part. */
    private record Prepared(PreparedTxn txn, Map<Long, TabletWrite> writes) {
    }

    private final StorageEngine engine;
    private final AtomicReference<CatalogView> view;
    private final ActorRef<LoadCommitter.Command> committer;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Map<Long, Prepared> prepared = new ConcurrentHashMap<>();
    private final Set<Long> claimed = ConcurrentHashMap.newKeySet();

    public TwoPhaseLoads(StorageEngine engine, AtomicReference<CatalogView> view,
                         ActorRef<LoadCommitter.Command> committer, Scheduler scheduler) {
        this.engine = engine;
        this.view = view;
        this.committer = committer;
        this.scheduler = scheduler;
        this.clock = engine.clock();
        PreparedTxnStore store = engine.preparedTxns();
        for (PreparedTxn txn : store.load()) {
            var committed = engine.meta().findLabel(txn.db(), txn.label());
            if (committed.isPresent() && committed.get().txnId() == txn.txnId()) {
                store.remove(txn.txnId());
                continue;
            }
            Map<Long, TabletWrite> writes = new HashMap<>();
            for (int i = 0; i < txn.rowsets().size(); i++) {
                RowsetMeta r = txn.rowsets().get(i);
                List<Path> files = txn.files().get(i).stream().map(Path::of).toList();
                PendingRowset rowset = new PendingRowset(r.rowsetId(), r.tabletId(), r.segments(), r.overlap(), files);
                // No basis: a partial update's columns not given are all taken again at commit.
                writes.put(r.tabletId(), new TabletWrite(rowset, null, Set.of(), txn.partial()));
            }
            prepared.put(txn.txnId(), new Prepared(txn, writes));
        }
    }

    /** The txn id of a prepared load with this label, if any. */
    public Optional<Long> labelInUse(String db, String label) {
        for (Prepared p : prepared.values()) {
            if (p.txn().db().equals(db) && p.txn().label().equals(label)) {
                return Optional.of(p.txn().txnId());
            }
        }
        return Optional.empty();
    }

    /** Records a load as prepared (durably) instead of committing it. */
    void prepare(String db, TableMeta table, String label, long txnId, Map<Long, TabletWrite> writes, long loaded,
                 long filtered, long timeoutMs) {
        List<RowsetMeta> rowsets = new ArrayList<>();
        List<List<String>> files = new ArrayList<>();
        PartialUpdate partial = null;
        for (var e : writes.entrySet()) {
            partial = e.getValue().partial() != null ? e.getValue().partial() : partial;
            PendingRowset r = e.getValue().rowset();
            rowsets.add(r.toMeta(Version.of(1), clock.millis(), txnId));
            files.add(r.files().stream().map(Path::toString).toList());
        }
        long now = clock.millis();
        PreparedTxn txn = new PreparedTxn(txnId, db, label, table.tableId(), table.name(), now, now + timeoutMs, loaded,
                filtered, rowsets, files, partial);
        engine.preparedTxns().put(txn);
        prepared.put(txnId, new Prepared(txn, Map.copyOf(writes)));
    }

    /** The prepared loads of {@code db} (all when null), oldest first. */
    public List<PreparedLoad> list(String db) {
        List<PreparedLoad> out = new ArrayList<>();
        for (Prepared p : prepared.values()) {
            PreparedTxn t = p.txn();
            if (db == null || t.db().equals(db)) {
                out.add(new PreparedLoad(t.txnId(), t.label(), t.db(), t.table(), t.preparedAtMs(), t.expiresAtMs(),
                        t.loadedRows(), t.filteredRows()));
            }
        }
        out.sort(java.util.Comparator.comparingLong(PreparedLoad::txnId));
        return out;
    }

    /** Aborts the prepared loads whose time is up; returns how many. */
    public int expire() {
        long now = clock.millis();
        int n = 0;
        for (Prepared p : List.copyOf(prepared.values())) {
            if (p.txn().expiresAtMs() <= now && claimed.add(p.txn().txnId())) {
                abortFiles(p);
                n++;
            }
        }
        return n;
    }

    /**
     * Commits or aborts a prepared load of {@code db}, found by txn id or by label. The answer's
     * status is OK or Doris's error; its txn id is the load's.
     */
    public CompletionStage<Operated> operate(String db, Long txnId, String label, boolean commit) {
        expire();
        Prepared p = txnId != null ? prepared.get(txnId) : null;
        if (txnId == null && label != null) {
            p = labelInUse(db, label).map(prepared::get).orElse(null);
        }
        if (p == null || !p.txn().db().equals(db)) {
            String what = txnId != null ? "transaction [" + txnId + "]" : "label [" + label + "]";
            var done = label != null ? engine.meta().findLabel(db, label) : Optional.<io.compactor.storage.meta.LoadRecord>empty();
            if (txnId == null && done.isPresent()) {
                return done(new Operated(new Status(StatusCode.INTERNAL_ERROR, what + " is already VISIBLE, not "
                        + "PRECOMMITTED"), done.get().txnId()));
            }
            return done(new Operated(new Status(StatusCode.INTERNAL_ERROR, what + " is not a prepared load of db ["
                    + db + "] (committed, aborted, expired or never prepared)"), txnId == null ? 0 : txnId));
        }
        long id = p.txn().txnId();
        if (!claimed.add(id)) {
            return done(new Operated(new Status(StatusCode.INTERNAL_ERROR, "transaction [" + id
                    + "] is being committed or aborted"), id));
        }
        if (!commit) {
            abortFiles(p);
            return done(new Operated(Status.OK, id));
        }
        return commit(p);
    }

    /** Outcome of {@link #operate}. */
    public record Operated(Status status, long txnId) {
    }

    private CompletionStage<Operated> commit(Prepared p) {
        PreparedTxn t = p.txn();
        CatalogView v = view.get();
        Map<Long, ActorRef<TabletActor.Command>> refs = new HashMap<>();
        for (long tabletId : p.writes().keySet()) {
            ActorRef<TabletActor.Command> ref = v.tablet(tabletId);
            if (ref == null) {
                forget(t.txnId());
                return done(new Operated(new Status(StatusCode.NOT_FOUND, "tablet " + tabletId + " of transaction ["
                        + t.txnId() + "] is gone (table dropped?)"), t.txnId()));
            }
            refs.put(tabletId, ref);
        }
        LoadTxn txn = new LoadTxn(t.txnId(), t.db(), t.label(), t.tableId(), p.writes(), refs, t.loadedRows(),
                t.filteredRows(), System.nanoTime() + COMMIT_ASK.toNanos());
        return AskPattern.<LoadCommitter.Command, LoadCommitter.CommitResult>ask(committer,
                        replyTo -> new LoadCommitter.Commit(txn, replyTo), COMMIT_ASK.plusSeconds(60), scheduler)
                .handle((c, err) -> {
                    // committed or failed (the committer deleted the files): the load is prepared no more
                    forget(t.txnId());
                    if (err != null) {
                        return new Operated(Status.internal("commit of transaction [" + t.txnId() + "] failed: "
                                + err.getMessage()), t.txnId());
                    }
                    return new Operated(c.status(), t.txnId());
                });
    }

    private void abortFiles(Prepared p) {
        CatalogView v = view.get();
        for (var e : p.writes().entrySet()) {
            ActorRef<TabletActor.Command> ref = v.tablet(e.getKey());
            if (ref != null) {
                ref.tell(new TabletActor.AbortCommit(p.txn().txnId(), e.getValue().rowset()));
            }
        }
        forget(p.txn().txnId());
    }

    private void forget(long txnId) {
        engine.preparedTxns().remove(txnId);
        prepared.remove(txnId);
        claimed.remove(txnId);
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** For the expiry timer: the clock's now. */
    public LongSupplier now() {
        return clock::millis;
    }
}
