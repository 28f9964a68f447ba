package io.compactor.actors.tablet;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.meta.TabletHeader;
import io.compactor.storage.tablet.ReaderRegistry;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything one tablet replica holds in memory: its table, its meta, the merge-on-write bitmap
 * (null for duplicate-key tables) and the readers of its files. Plain and not thread-safe: the
 * {@link TabletActor} owns it and its collaborators change it only on the actor's thread.
 */
final class TabletState {
    private static final Logger LOG = LoggerFactory.getLogger(TabletState.class);

    final StorageEngine engine;
    final DataDir dir;
    final ReaderRegistry readers = new ReaderRegistry();
    /** Merge-on-write: the live delete bitmap and its bookkeeping (null for duplicate-key tables). */
    final MowState mow;
    TableMeta table;
    TabletMeta meta;
    boolean dropped;
    /**
     * Cluster mode: the highest version compaction may take in (the tablet's visible version as the
     * meta log last said), so no rowset ever spans a version a read may ask for; unbounded on a
     * single node.
     */
    long compactionCap = Long.MAX_VALUE;

    /** The visible version grew to {@code version} (the first call bounds an unbounded cap). */
    void raiseCompactionCap(long version) {
        compactionCap = compactionCap == Long.MAX_VALUE ? version : Math.max(compactionCap, version);
    }

    TabletState(StorageEngine engine, TableMeta table, TabletMeta meta) {
        this.engine = engine;
        this.table = table;
        this.meta = meta;
        this.dir = engine.dataDir(meta.dataDir());
        this.mow = table.isMergeOnWrite() ? MowState.load(engine, dir, meta.tabletId(), table.schema()) : null;
    }

    long tabletId() {
        return meta.tabletId();
    }

    long now() {
        return engine.clock().millis();
    }

    /** The tablet's header row with {@code cumulativePoint}, for a meta batch. */
    TabletHeader header(long cumulativePoint) {
        return new TabletHeader(tabletId(), meta.tableId(), meta.bucket(), meta.dataDir(), cumulativePoint);
    }

    /** Moves the cumulative point forward, durably (it never moves back). */
    void storeCumulativePoint(long cp) {
        if (cp <= meta.cumulativePoint()) {
            return;
        }
        engine.meta().write(new MetaBatch().putTablet(header(cp)));
        meta = meta.withCumulativePoint(cp);
    }

    /** Deletes a rowset's files; a failure only leaves an orphan, which the start-up sweep removes. */
    void deleteFiles(RowsetId id, int segments) {
        try {
            dir.deleteRowsetFiles(tabletId(), id, segments);
        } catch (IOException e) {
            LOG.warn("tablet {}: could not delete files of rowset {} (swept at next start): {}", tabletId(), id,
                    e.toString());
        }
    }
}
