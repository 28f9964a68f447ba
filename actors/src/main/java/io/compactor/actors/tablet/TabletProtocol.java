package io.compactor.actors.tablet;

import io.compactor.api.DeleteBitmapInfo;
import io.compactor.api.TabletCompactionStatus;
import io.compactor.api.CatchUpResult;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import io.compactor.storage.util.Status;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The messages a {@link TabletActor} accepts and answers (its protocol, apart from its behaviour).
 * The load commit protocol: {@link WriteRowset}, then {@link PrepareCommit} reserves the version
 * (see {@link LoadReservations}), then {@link Publish} or {@link AbortCommit}.
 */
public interface TabletProtocol {

    /** Messages a tablet accepts. */
    public interface Command {
    }

    /**
     * Write rows of a load into a new rowset's files; answers {@link WriteResult}.
     *
     * @param partial  a partial column update (merge-on-write): the columns it does not give are
     *                 filled from the keys' current rows before writing; null for a full-row load
     * @param waitedMs how long graded back-pressure delayed it, or -1 when it has not
     */
    public record WriteRowset(long txnId, RowBatch rows, io.compactor.storage.mow.PartialUpdate partial,
                              ActorRef<WriteResult> replyTo, long waitedMs) implements Command {
        public WriteRowset(long txnId, RowBatch rows, ActorRef<WriteResult> replyTo) {
            this(txnId, rows, null, replyTo, -1);
        }

        public WriteRowset(long txnId, RowBatch rows, io.compactor.storage.mow.PartialUpdate partial,
                           ActorRef<WriteResult> replyTo) {
            this(txnId, rows, partial, replyTo, -1);
        }

        public WriteRowset(long txnId, RowBatch rows, ActorRef<WriteResult> replyTo, long waitedMs) {
            this(txnId, rows, null, replyTo, waitedMs);
        }

        /** Whether graded back-pressure has delayed it already (it waits once). */
        boolean waited() {
            return waitedMs >= 0;
        }
    }

    /**
     * Outcome of {@link WriteRowset}: {@code write} on success, else {@code status};
     * {@code waitedMs}: how long back-pressure delayed the write (0 when not).
     */
    public record WriteResult(long tabletId, TabletWrite write, Status status, long waitedMs) {
        public WriteResult(long tabletId, TabletWrite write, Status status) {
            this(tabletId, write, status, 0);
        }
    }

    /**
     * Reserve the next version for the load (see {@link LoadReservations}); answers {@link PrepareResult}.
     * {@code owner}, when set, is the actor that will publish or abort: should it stop first, the
     * reservation is released (a restarted replica entity never wedges the tablet).
     */
    public record PrepareCommit(long txnId, TabletWrite write, ActorRef<PrepareResult> replyTo, ActorRef<?> owner)
            implements Command {
        public PrepareCommit(long txnId, TabletWrite write, ActorRef<PrepareResult> replyTo) {
            this(txnId, write, replyTo, null);
        }
    }

    /** Cluster mode: compaction may take in versions up to {@code version} (the visible one). */
    public record SetCompactionCap(long version) implements Command {
    }

    /** The owner of a reservation stopped without publishing or aborting. */
    public record OwnerGone(long txnId) implements Command {
    }

    /** The rowset meta with its reserved version and, for merge-on-write, its final marks; or a status. */
    public record PrepareResult(long tabletId, RowsetMeta rowset, DeleteBitmap delta, Status status) {
    }

    /** The load's meta batch is durable: make the rowset visible. */
    public record Publish(long txnId, RowsetMeta rowset, DeleteBitmap delta) implements Command {
    }

    /** The load failed: release its reservation (if it holds it) and delete its files. */
    public record AbortCommit(long txnId, PendingRowset rowset) implements Command {
    }

    /** Answers a {@link TabletSnapshot}; the asker must close it. */
    public record GetSnapshot(ActorRef<TabletSnapshot> replyTo) implements Command {
    }

    /**
     * Answers a snapshot of the tablet as of {@code version} (the rowsets up to it, the marks of loads
     * up to it), or null when this replica can not show that version (it does not reach it, or a
     * rowset spans it); the asker must close it.
     */
    public record GetSnapshotAt(long version, ActorRef<java.util.Optional<TabletSnapshot>> replyTo)
            implements Command {
    }

    public record GetMeta(ActorRef<TabletMeta> replyTo) implements Command {
    }

    /** The table's properties changed (ALTER ... SET). */
    public record UpdateTable(TableMeta table) implements Command {
    }

    /** The table was dropped (its meta already deleted): delete files once no reader holds them, then stop. */
    public record Drop() implements Command {
    }

    public record GetCompactionStatus(ActorRef<TabletCompactionStatus> replyTo) implements Command {
    }

    public record GetDeleteBitmap(ActorRef<DeleteBitmapInfo> replyTo) implements Command {
    }

    /** Remove stale rowsets whose time is up and that no reader holds. */
    public enum SweepStale implements Command { INSTANCE }

    /**
     * Installs rowsets copied from a peer ({@link PeerRowsetSync#install}); answers {@link InstallResult}.
     *
     * @param peerCumulativePoint the peer's cumulative point, or -1
     */
    public record InstallPeerRowsets(List<RowsetMeta> replaced, List<RowsetMeta> installed,
                                     List<RowsetMeta> expectedVisible, DeleteBitmap bitmap, long peerCumulativePoint,
                                     String reason, ActorRef<InstallResult> replyTo) implements Command {
    }

    public record InstallResult(Status status, TabletMeta meta) {
    }

    /**
     * Reach {@code peerAddress}'s end version by copying rowsets from it, or with {@code wholeChain} take
     * its whole chain in place of this replica's; answers {@link CatchUpAnswer}.
     */
    public record CatchUpFrom(String peerAddress, boolean wholeChain, ActorRef<CatchUpAnswer> replyTo) implements Command {
        public CatchUpFrom(String peerAddress, ActorRef<CatchUpAnswer> replyTo) {
            this(peerAddress, false, replyTo);
        }
    }

    public record CatchUpAnswer(Status status, CatchUpResult result) {
    }
}
