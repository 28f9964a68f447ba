package io.compactor.actors.tablet;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.tablet.TabletSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A tablet's snapshot as of one version, for cluster reads at the version the meta log says is
 * visible: the rowsets up to it (a replica may already hold later, committed but not yet visible
 * versions) and, for merge-on-write, only the marks of loads up to it.
 */
final class SnapshotAt {
    private SnapshotAt() {
    }

    /** The tablet as it is now. */
    static TabletSnapshot now(TabletState s) {
        return new TabletSnapshot(s.meta, s.table.schema(), s.dir, s.readers.acquire(s.meta.rowsets()),
                s.mow == null ? null : s.mow.deleted());
    }

    /** Empty when the chain does not end exactly at {@code version} once later rowsets are left out. */
    static Optional<TabletSnapshot> of(TabletState s, long version) {
        if (s.dropped) {
            return Optional.empty();
        }
        List<RowsetMeta> upTo = new ArrayList<>();
        long end = -1;
        for (RowsetMeta r : s.meta.rowsets()) {
            if (r.endVersion() <= version) {
                upTo.add(r);
                end = Math.max(end, r.endVersion());
            } else if (r.startVersion() <= version) {
                return Optional.empty(); // a rowset spans the version: this replica can not show it
            }
        }
        if (end != version) {
            return Optional.empty();
        }
        TabletMeta meta = upTo.size() == s.meta.rowsets().size() ? s.meta : s.meta.withVisibleRowsets(upTo);
        return Optional.of(new TabletSnapshot(meta, s.table.schema(), s.dir, s.readers.acquire(upTo),
                s.mow == null ? null : s.mow.deletedUpTo(version)));
    }
}
