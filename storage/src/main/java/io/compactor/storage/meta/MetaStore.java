package io.compactor.storage.meta;

import io.compactor.storage.mow.DeleteBitmapKey;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's durable meta: tables, tablets, rowsets, load labels and delete bitmaps. One store per
 * node (Doris keeps tablet meta in RocksDB too). Every {@link #write} is atomic and synced, so a
 * commit is either fully durable or absent after a crash. Thread-safe.
 */
public interface MetaStore extends AutoCloseable {

    /** Id sequences; ids are never reused, even across crashes. */
    enum Sequence { TABLE, TABLET, ROWSET, TXN }

    /** Returns a fresh id of the sequence (durably reserved before it is returned). */
    long nextId(Sequence seq);

    /** Applies the batch atomically with fsync. Throws {@link MetaStoreException} on failure. */
    void write(MetaBatch batch);

    List<TableMeta> loadTables();

    /** Every tablet with its visible and stale rowsets, as last committed. */
    List<TabletMeta> loadTablets();

    /** One tablet with its visible and stale rowsets, as last committed; empty if there is none. */
    java.util.Optional<TabletMeta> loadTablet(long tabletId);

    /** Tables recorded as dropped ({@link MetaBatch.PutDroppedTable}): table id to its highest tablet id. */
    java.util.Map<Long, Long> loadDroppedTables();

    Optional<LoadRecord> findLabel(String db, String label);

    /**
     * Delete-bitmap entries of a tablet: key {@code (rowsetId, segmentId, version)} to the
     * serialized RoaringBitmap.
     */
    Map<DeleteBitmapKey, byte[]> loadDeleteBitmaps(long tabletId);

    @Override
    void close();
}
