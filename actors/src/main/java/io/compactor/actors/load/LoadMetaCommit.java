package io.compactor.actors.load;

import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.meta.MetaBatch;
import java.util.Collection;
import java.util.function.LongPredicate;

/**
 * The durable step of a load on one node, used by the single-node {@link LoadCommitter} and by a
 * cluster replica's publish alike: every prepared tablet's rowset and delete-bitmap marks and the
 * load's label, in one synced meta batch (consistency rules 1 and 2 of docs/DESIGN.md). After it
 * the load is durable; the tablets then make it visible ({@code Publish}).
 */
public final class LoadMetaCommit {
    private LoadMetaCommit() {
    }

    /**
     * Writes the batch; throws if it failed (it then may or may not have landed: read the label
     * back with {@link #labelCommitted}).
     *
     * @param debugPoint fault-injection point that fails the write for the tablets it names
     * @param what       the load, for messages
     */
    public static void write(StorageEngine engine, Collection<TabletActor.PrepareResult> prepared, LoadRecord label,
                             String debugPoint, LongPredicate tablets, String what) {
        MetaBatch batch = new MetaBatch();
        for (TabletActor.PrepareResult p : prepared) {
            batch.putRowset(p.rowset());
            if (p.delta() != null) {
                batch.putDeleteBitmap(p.tabletId(), p.delta());
            }
        }
        batch.putLabel(label);
        if (engine.debugPoints().take(debugPoint, tablets) != null) {
            throw new IllegalStateException("debug point " + debugPoint + ": injected failure in meta commit of " + what);
        }
        engine.meta().write(batch);
    }

    /** One load of a batch: its prepared tablets, its label, and the tablets its debug point may name. */
    public record Part(Collection<TabletActor.PrepareResult> prepared, LoadRecord label, LongPredicate tablets,
                       String what) {
    }

    /**
     * Writes several loads (on disjoint tablets) in one synced batch: each is all-or-nothing, and
     * they share one fsync. A load whose debug point fires is left out and returned; throws if the
     * write failed (then each label tells whether its load landed).
     *
     * @return the loads left out by fault injection (not written)
     */
    public static java.util.List<Part> writeAll(StorageEngine engine, java.util.List<Part> parts, String debugPoint) {
        MetaBatch batch = new MetaBatch();
        java.util.List<Part> injected = new java.util.ArrayList<>();
        for (Part part : parts) {
            if (engine.debugPoints().take(debugPoint, part.tablets()) != null) {
                injected.add(part);
                continue;
            }
            for (TabletActor.PrepareResult p : part.prepared()) {
                batch.putRowset(p.rowset());
                if (p.delta() != null) {
                    batch.putDeleteBitmap(p.tabletId(), p.delta());
                }
            }
            batch.putLabel(part.label());
        }
        if (injected.size() < parts.size()) {
            engine.meta().write(batch);
        }
        return injected;
    }

    /** Whether the label is committed by {@code txnId} (false also when the store can not be read). */
    public static boolean labelCommitted(StorageEngine engine, String db, String label, long txnId) {
        try {
            return engine.meta().findLabel(db, label).map(r -> r.txnId() == txnId).orElse(false);
        } catch (RuntimeException e) {
            // The store can not even be read: the node must not claim either outcome. Failing the
            // load is the answer that can be wrong only if the batch did land, and the restart
            // that such a storage failure needs will then show it complete, never partial.
            return false;
        }
    }
}
