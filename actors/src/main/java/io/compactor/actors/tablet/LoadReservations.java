package io.compactor.actors.tablet;

import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tablet's side of the load commit protocol: which load holds the tablet's next version, and
 * the work that must wait until it lets go.
 *
 * <h2>The protocol</h2>
 * A load's rows are written first (files only, any number of loads in parallel). Then the load
 * committer, one load at a time node-wide (or a cluster table's coordinator), asks every tablet of
 * the load to <em>reserve</em> its next version ({@code PrepareCommit}): the tablet answers the
 * rowset meta stamped with {@code maxVersion + 1} and, for merge-on-write, the load's final delete
 * bitmap marks. The committer writes every tablet's rowset and the label in one synced meta batch
 * and then tells each tablet to <em>publish</em> (make the rowset visible in memory) or, if
 * anything failed, to <em>abort</em> (release the reservation and delete the files). At most one
 * load holds a tablet's reservation; a second {@code PrepareCommit} is refused, never queued, so two
 * loads can not wait on each other.
 *
 * <h2>The deferral races</h2>
 * Between reserve and publish the load's rowset is durable in the meta store (or about to be) but
 * not yet in the tablet's memory. Two kinds of work would go wrong if they changed the tablet then:
 * <ol>
 * <li><b>A compaction commit of a merge-on-write tablet.</b> The load's marks were computed
 *     against the rowsets visible at reserve time, which may be the compaction's inputs. Committed
 *     now, the compaction would convert the inputs' marks to its output without the load's marks
 *     (they are not in the bitmap yet) and the rows the load superseded would come back (consistency
 *     rule 4 of docs/DESIGN.md). So the commit is <em>deferred</em> until the reservation ends;
 *     then the load's marks are in the bitmap and the conversion carries them. Duplicate-key tablets
 *     have no marks and commit at once: a load only appends a version above the compaction's output.</li>
 * <li><b>An install of peer rowsets</b> (single-replica fetch, catch-up). The reserved version was
 *     computed from the chain as it was; an install may change the chain's end (catch-up extends
 *     it), and the load's rowset would then land on a version the chain no longer ends below. So the
 *     install is deferred for every keys model. In cluster mode a reservation spans a round trip to
 *     the load coordinator, so failing the install instead would collide often.</li>
 * </ol>
 * When the reservation ends, deferred installs run first, then deferred compaction commits, each in
 * arrival order. Each re-checks its own precondition then (rule 3: its inputs or replaced rowsets are
 * still current), since an install may have replaced a compaction's inputs.
 *
 * <h2>Publish and abort ordering</h2>
 * Publish must name the load that holds the reservation: anything else is a bookkeeping bug and
 * fails loudly (the actor restarts from the meta store, which holds the truth). Abort releases the
 * reservation only if it names its holder: a late abort of an earlier, already released load (or a
 * staged load that never reserved) must not free a reservation another load holds. An abort after
 * publish is harmless for the same reason. Deferred work runs after a publish or an abort that
 * released the reservation, never while a reservation is held.
 *
 * <p>Plain and not thread-safe: the tablet actor owns it.
 */
final class LoadReservations {
    private long reservedTxn;
    private final List<Runnable> deferredInstalls = new ArrayList<>();
    private final List<Runnable> deferredCommits = new ArrayList<>();

    /** Whether a load holds the tablet's next version. */
    boolean isReserved() {
        return reservedTxn != 0;
    }

    long holder() {
        return reservedTxn;
    }

    /** Why {@code txnId} may not reserve now, or empty when it may. */
    Optional<Status> refusal(long tabletId, long txnId) {
        if (reservedTxn != 0) {
            return Optional.of(new Status(StatusCode.INTERNAL_ERROR, "tablet " + tabletId + " is committing txn "
                    + reservedTxn));
        }
        if (txnId == 0) {
            throw new IllegalArgumentException("tablet " + tabletId + ": txn id 0 can not reserve a version");
        }
        return Optional.empty();
    }

    /** {@code txnId} now holds the next version (call after {@link #refusal} said it may). */
    void reserve(long tabletId, long txnId) {
        refusal(tabletId, txnId).ifPresent(s -> {
            throw new IllegalStateException(s.msg());
        });
        reservedTxn = txnId;
    }

    /**
     * The holder publishes: the reservation ends.
     *
     * @throws IllegalStateException if {@code txnId} does not hold the reservation
     */
    void publish(long tabletId, long txnId) {
        if (reservedTxn != txnId) {
            throw new IllegalStateException("tablet " + tabletId + ": publish of txn " + txnId
                    + " without its reservation (reserved: " + reservedTxn + ")");
        }
        reservedTxn = 0;
    }

    /**
     * {@code PrepareCommit}: reserves the tablet's next version for {@code txnId} and answers the
     * rowset meta stamped with it and, for merge-on-write, the load's final marks (its marks
     * reconciled with what compactions and loads changed since it was written); or the refusal.
     */
    TabletProtocol.PrepareResult prepare(TabletState s, long txnId, TabletWrite write) {
        long tabletId = s.tabletId();
        Status refused = s.dropped ? Status.tabletNotFound(tabletId) : refusal(tabletId, txnId).orElse(null);
        if (refused != null) {
            return new TabletProtocol.PrepareResult(tabletId, null, null, refused);
        }
        long version = s.meta.maxVersion() + 1;
        RowsetMeta rowset = write.rowset().toMeta(Version.of(version), s.now(), txnId);
        DeleteBitmap delta = null;
        if (s.mow != null) {
            try {
                delta = s.mow.finalDelta(write, s.meta.rowsets(), version);
            } catch (IOException | RuntimeException e) {
                return new TabletProtocol.PrepareResult(tabletId, null, null, Status.internal("tablet " + tabletId
                        + ": delete bitmap update failed: " + e.getMessage()));
            }
        }
        reserve(tabletId, txnId);
        return new TabletProtocol.PrepareResult(tabletId, rowset, delta, Status.OK);
    }

    /** {@code Publish}: the holder's rowset (durable already) becomes visible with its marks. */
    void publish(TabletState s, long txnId, RowsetMeta rowset, DeleteBitmap delta) {
        publish(s.tabletId(), txnId);
        s.meta = s.meta.addRowset(rowset);
        if (s.mow != null && delta != null) {
            s.mow.apply(delta);
        }
    }

    /** A load aborts: the reservation ends if {@code txnId} holds it; otherwise nothing changes. */
    void abort(long txnId) {
        if (reservedTxn == txnId) {
            reservedTxn = 0;
        }
    }

    /** Defers a merge-on-write compaction commit while a load holds the reservation; false: run it now. */
    boolean deferCompactionCommit(Runnable commit) {
        if (reservedTxn == 0) {
            return false;
        }
        deferredCommits.add(commit);
        return true;
    }

    /** Defers an install of peer rowsets while a load holds the reservation; false: run it now. */
    boolean deferInstall(Runnable install) {
        if (reservedTxn == 0) {
            return false;
        }
        deferredInstalls.add(install);
        return true;
    }

    /**
     * The deferred work that may run now, in the order it must run (installs, then compaction
     * commits); empty while a reservation is held. What it returns is no longer deferred.
     */
    List<Runnable> takeRunnable() {
        if (reservedTxn != 0 || deferredInstalls.isEmpty() && deferredCommits.isEmpty()) {
            return List.of();
        }
        List<Runnable> out = new ArrayList<>(deferredInstalls);
        out.addAll(deferredCommits);
        deferredInstalls.clear();
        deferredCommits.clear();
        return out;
    }

    int deferred() {
        return deferredInstalls.size() + deferredCommits.size();
    }
}
