package io.compactor.storage.tablet;

import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts the readers holding each rowset of a tablet, so files of replaced (stale) rowsets are
 * deleted only when no reader holds them (consistency rule 5 of docs/DESIGN.md). Snapshots are acquired by the
 * tablet's owner (so acquisition is ordered with meta changes) and released from any thread.
 */
public final class ReaderRegistry {
    private final Map<RowsetId, Integer> holds = new HashMap<>();

    /** Registers a reader of these rowsets; returns a handle that releases them exactly once. */
    public synchronized Runnable acquire(List<RowsetMeta> rowsets) {
        List<RowsetId> ids = rowsets.stream().map(RowsetMeta::rowsetId).toList();
        for (RowsetId id : ids) {
            holds.merge(id, 1, Integer::sum);
        }
        return new Runnable() {
            private boolean released;

            @Override
            public void run() {
                synchronized (ReaderRegistry.this) {
                    if (released) {
                        return;
                    }
                    released = true;
                    for (RowsetId id : ids) {
                        holds.computeIfPresent(id, (k, n) -> n == 1 ? null : n - 1);
                    }
                }
            }
        };
    }

    public synchronized boolean isHeld(RowsetId id) {
        return holds.containsKey(id);
    }

    public synchronized int readers(RowsetId id) {
        return holds.getOrDefault(id, 0);
    }

    public synchronized boolean isEmpty() {
        return holds.isEmpty();
    }
}
