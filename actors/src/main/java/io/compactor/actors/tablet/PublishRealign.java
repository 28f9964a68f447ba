package io.compactor.actors.tablet;

import io.compactor.storage.RowsetId;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.PartialUpdateRealign;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The tablet's side of a partial update's publish-time re-fill ({@link PartialUpdateRealign}).
 * When a partial update comes to reserve its version and rowsets became visible since it wrote,
 * the tablet reserves the version first (so no other load publishes and no compaction commits
 * meanwhile: {@link LoadReservations} defers them), re-fills the conflicting rows on the load
 * executor, and then prepares the load with the corrected rowset, which the load commits instead
 * of the written one. The written rowset's files are deleted once the corrected one is published;
 * the corrected one's if the load aborts. A re-fill that fails fails the load's prepare.
 *
 * <p>Plain and not thread-safe: the tablet actor owns it.
 */
final class PublishRealign {
    /** Corrected rowsets not yet published or aborted, by txn: {written, corrected}. */
    private final Map<Long, PendingRowset[]> replaced = new HashMap<>();

    /** Whether {@code w} must be re-filled before it reserves: a partial update with rowsets visible since. */
    static boolean needed(TabletState s, TabletWrite w) {
        return s.mow != null && !s.dropped && w.partial() != null
                && PartialUpdateRealign.needed(w.basis(), s.meta.rowsets());
    }

    /**
     * Re-fills {@code w} on {@code executor} against the rowsets visible now (held by the caller):
     * the corrected write with its marks against them, or {@code w} itself when no row conflicts.
     */
    static CompletableFuture<TabletWrite> start(TabletState s, TabletWrite w, Executor executor) {
        List<RowsetMeta> current = s.meta.rowsets();
        var deleted = s.mow.deleted();
        var calculator = s.mow.calculator();
        var dir = s.dir;
        var schema = s.table.schema();
        var keys = s.engine.primaryKeys();
        long tabletId = s.tabletId();
        long writeBuffer = s.engine.config().get(StorageKeys.WRITE_BUFFER_SIZE);
        RowsetId newId = s.engine.nextRowsetId();
        return CompletableFuture.supplyAsync(() -> {
            PendingRowset corrected;
            try {
                corrected = PartialUpdateRealign.realign(dir, tabletId, schema, w.partial(), w.rowset(), w.basis(),
                        current, deleted, keys, newId, writeBuffer);
            } catch (IllegalArgumentException e) {
                throw new StatusException(Status.invalidArgument(e.getMessage()), e);
            } catch (IOException | RuntimeException e) {
                throw new StatusException(Status.internal("tablet " + tabletId + ": partial update re-fill at "
                        + "publish failed: " + e.getMessage()), e);
            }
            if (corrected == null) {
                return w;
            }
            try {
                DeleteBitmap delta = calculator.calculate(newId, corrected.segments(), current, deleted, true);
                return new TabletWrite(corrected, delta, MowState.ids(current), w.partial());
            } catch (IOException | RuntimeException e) {
                try {
                    dir.deleteRowsetFiles(tabletId, newId, corrected.segments().size());
                } catch (IOException ignored) {
                    // an orphan: swept at the next start
                }
                throw new StatusException(Status.internal("tablet " + tabletId + ": delete bitmap calculation "
                        + "failed: " + e.getMessage()), e);
            }
        }, executor);
    }

    /**
     * The re-fill of txn {@code txnId} came back: the write to prepare now (the caller releases the
     * reservation and prepares it), or null when the load was aborted meanwhile (the corrected files
     * are deleted, nobody waits for an answer) or the re-fill failed ({@code replyTo} is told).
     */
    TabletWrite finished(TabletState s, LoadReservations reservations, long txnId, TabletWrite written,
                         TabletWrite corrected, Throwable error,
                         org.apache.pekko.actor.typed.ActorRef<TabletProtocol.PrepareResult> replyTo) {
        boolean own = corrected != null && corrected.rowset() != written.rowset();
        if (reservations.holder() != txnId) {
            if (own) {
                s.deleteFiles(corrected.rowset().rowsetId(), corrected.rowset().segments().size());
            }
            return null;
        }
        reservations.abort(txnId);
        if (error != null) {
            replyTo.tell(new TabletProtocol.PrepareResult(s.tabletId(), null, null, StatusException.statusOf(error)));
            return null;
        }
        if (own) {
            replaced.put(txnId, new PendingRowset[]{written.rowset(), corrected.rowset()});
        }
        return corrected;
    }

    /** The load published: the files it wrote and replaced go. */
    void published(TabletState s, long txnId) {
        PendingRowset[] r = replaced.remove(txnId);
        if (r != null) {
            s.deleteFiles(r[0].rowsetId(), r[0].segments().size());
        }
    }

    /** The load aborted: its corrected rowset's files go (the committer deletes the written ones). */
    void aborted(TabletState s, long txnId) {
        PendingRowset[] r = replaced.remove(txnId);
        if (r != null) {
            s.deleteFiles(r[1].rowsetId(), r[1].segments().size());
        }
    }
}
