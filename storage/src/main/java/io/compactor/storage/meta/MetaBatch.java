package io.compactor.storage.meta;

import io.compactor.storage.RowsetId;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapKey;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableMeta;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A set of meta changes that {@link MetaStore#write} applies atomically and durably (one synced
 * RocksDB WriteBatch). Build one per commit: a load's rowsets across its tablets plus its label,
 * or a compaction's removal of inputs and addition of the output.
 */
public final class MetaBatch {

    /** One change. */
    public sealed interface Op permits PutTable, DeleteTable, PutDroppedTable, PutTablet, DeleteTablet, PutRowset, PutStaleRowset,
            DeleteRowset, PutLabel, PutDeleteBitmap, DeleteDeleteBitmap {
    }

    public record PutTable(TableMeta table) implements Op {
    }

    public record DeleteTable(long tableId) implements Op {
    }

    /** Tablet header: identity, data dir and cumulative point (not the rowsets). */
    /**
     * Cluster mode: remembers that the table with this id was dropped, so a node that was away
     * when it happened drops it too, nobody adopts it again, and its ids (table id, highest tablet
     * id) are never handed out again.
     */
    public record PutDroppedTable(long tableId, long maxTabletId, long droppedMs) implements Op {
    }

    public record PutTablet(TabletHeader header) implements Op {
    }

    /** Removes a tablet's header, rowsets and delete bitmaps. */
    public record DeleteTablet(long tabletId) implements Op {
    }

    public record PutRowset(RowsetMeta rowset) implements Op {
    }

    /** Records a rowset as stale (replaced by compaction at {@code staleAtMs}). */
    public record PutStaleRowset(RowsetMeta rowset, long staleAtMs) implements Op {
    }

    /** Removes a rowset's meta entry, visible or stale. */
    public record DeleteRowset(long tabletId, RowsetId rowsetId) implements Op {
    }

    public record PutLabel(LoadRecord record) implements Op {
    }

    /** Delete-bitmap entry {@code (rowset, segment, version) -> serialized RoaringBitmap}. */
    public record PutDeleteBitmap(long tabletId, RowsetId rowsetId, int segmentId, long version, byte[] bitmap)
            implements Op {
    }

    /** Removes every delete-bitmap entry of a rowset. */
    public record DeleteDeleteBitmap(long tabletId, RowsetId rowsetId) implements Op {
    }

    private final List<Op> ops = new ArrayList<>();

    public MetaBatch add(Op op) {
        ops.add(op);
        return this;
    }

    public MetaBatch putTable(TableMeta t) {
        return add(new PutTable(t));
    }

    public MetaBatch putTablet(TabletHeader h) {
        return add(new PutTablet(h));
    }

    public MetaBatch putRowset(RowsetMeta r) {
        return add(new PutRowset(r));
    }

    public MetaBatch putStaleRowset(RowsetMeta r, long staleAtMs) {
        return add(new PutStaleRowset(r, staleAtMs));
    }

    public MetaBatch deleteRowset(long tabletId, RowsetId id) {
        return add(new DeleteRowset(tabletId, id));
    }

    public MetaBatch putLabel(LoadRecord r) {
        return add(new PutLabel(r));
    }

    public MetaBatch deleteTable(long tableId) {
        return add(new DeleteTable(tableId));
    }

    public MetaBatch deleteTablet(long tabletId) {
        return add(new DeleteTablet(tabletId));
    }

    /** A put of every entry of a delete bitmap (a load's marks, a compaction's converted marks). */
    public MetaBatch putDeleteBitmap(long tabletId, DeleteBitmap bitmap) {
        for (var e : bitmap.entries().entrySet()) {
            DeleteBitmapKey k = e.getKey();
            putDeleteBitmap(tabletId, k.rowsetId(), k.segmentId(), k.version(), DeleteBitmap.serialize(e.getValue()));
        }
        return this;
    }

    public MetaBatch putDeleteBitmap(long tabletId, RowsetId rowsetId, int segmentId, long version, byte[] bitmap) {
        return add(new PutDeleteBitmap(tabletId, rowsetId, segmentId, version, bitmap));
    }

    public MetaBatch deleteDeleteBitmap(long tabletId, RowsetId rowsetId) {
        return add(new DeleteDeleteBitmap(tabletId, rowsetId));
    }

    public List<Op> ops() {
        return Collections.unmodifiableList(ops);
    }

    public boolean isEmpty() {
        return ops.isEmpty();
    }
}
