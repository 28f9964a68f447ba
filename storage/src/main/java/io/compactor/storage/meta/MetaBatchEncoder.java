package io.compactor.storage.meta;

import io.compactor.storage.meta.MetaBatch.DeleteDeleteBitmap;
import io.compactor.storage.meta.MetaBatch.DeleteRowset;
import io.compactor.storage.meta.MetaBatch.DeleteTable;
import io.compactor.storage.meta.MetaBatch.DeleteTablet;
import io.compactor.storage.meta.MetaBatch.Op;
import io.compactor.storage.meta.MetaBatch.PutDeleteBitmap;
import io.compactor.storage.meta.MetaBatch.PutDroppedTable;
import io.compactor.storage.meta.MetaBatch.PutLabel;
import io.compactor.storage.meta.MetaBatch.PutRowset;
import io.compactor.storage.meta.MetaBatch.PutStaleRowset;
import io.compactor.storage.meta.MetaBatch.PutTable;
import io.compactor.storage.meta.MetaBatch.PutTablet;
import io.compactor.storage.meta.MetaCodec.RowsetEntry;
import io.compactor.storage.meta.MetaCodec.RowsetState;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Validates the ops of a {@link MetaBatch} and translates them, in order, into one RocksDB
 * {@link WriteBatch}. An invalid op throws {@link IllegalArgumentException} naming the op and
 * the bad value; since the caller writes the WriteBatch only after every op was encoded, such a
 * batch writes nothing.
 */
final class MetaBatchEncoder {
    private MetaBatchEncoder() {
    }

    static void encodeInto(WriteBatch wb, MetaBatch batch) throws RocksDBException {
        int index = 0;
        for (Op op : batch.ops()) {
            try {
                encode(wb, op);
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("meta batch op #" + index + " (" + opName(op) + ") is invalid: "
                        + e.getMessage(), e);
            }
            index++;
        }
    }

    private static void encode(WriteBatch wb, Op op) throws RocksDBException {
        if (op == null) {
            throw new IllegalArgumentException("op is null");
        } else if (op instanceof PutTable p) {
            require(p.table() != null, "table is null");
            checkId("table id", p.table().tableId());
            wb.put(MetaKeys.table(p.table().tableId()), MetaCodec.encode(p.table()));
        } else if (op instanceof DeleteTable d) {
            checkId("table id", d.tableId());
            wb.delete(MetaKeys.table(d.tableId()));
        } else if (op instanceof PutDroppedTable d) {
            checkId("table id", d.tableId());
            wb.put(MetaKeys.droppedTable(d.tableId()), (d.maxTabletId() + "," + d.droppedMs())
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        } else if (op instanceof PutTablet p) {
            TabletHeader h = p.header();
            require(h != null, "tablet header is null");
            checkId("tablet id", h.tabletId());
            require(h.dataDir() != null, "tablet " + h.tabletId() + " has no data dir");
            wb.put(MetaKeys.tablet(h.tabletId()), MetaCodec.encode(h));
        } else if (op instanceof DeleteTablet d) {
            checkId("tablet id", d.tabletId());
            wb.delete(MetaKeys.tablet(d.tabletId()));
            deletePrefix(wb, MetaKeys.rowsetPrefix(d.tabletId()));
            deletePrefix(wb, MetaKeys.deleteBitmapPrefix(d.tabletId()));
        } else if (op instanceof PutRowset p) {
            putRowset(wb, p.rowset(), new RowsetEntry(RowsetState.VISIBLE, null, p.rowset()));
        } else if (op instanceof PutStaleRowset p) {
            require(p.staleAtMs() >= 0, "staleAtMs must be >= 0, got " + p.staleAtMs());
            putRowset(wb, p.rowset(), new RowsetEntry(RowsetState.STALE, p.staleAtMs(), p.rowset()));
        } else if (op instanceof DeleteRowset d) {
            checkId("tablet id", d.tabletId());
            checkRowsetId(d.rowsetId());
            wb.delete(MetaKeys.rowset(d.tabletId(), d.rowsetId()));
        } else if (op instanceof PutLabel p) {
            LoadRecord r = p.record();
            require(r != null, "load record is null");
            checkLabelPart("db", r.db());
            checkLabelPart("label", r.label());
            wb.put(MetaKeys.label(r.db(), r.label()), MetaCodec.encode(r));
        } else if (op instanceof PutDeleteBitmap p) {
            checkId("tablet id", p.tabletId());
            checkRowsetId(p.rowsetId());
            require(p.segmentId() >= 0, "segment id must be >= 0, got " + p.segmentId());
            require(p.version() >= 0, "version must be >= 0, got " + p.version());
            require(p.bitmap() != null, "bitmap bytes are null");
            wb.put(MetaKeys.deleteBitmap(p.tabletId(), p.rowsetId(), p.segmentId(), p.version()), p.bitmap());
        } else if (op instanceof DeleteDeleteBitmap d) {
            checkId("tablet id", d.tabletId());
            checkRowsetId(d.rowsetId());
            deletePrefix(wb, MetaKeys.deleteBitmapPrefix(d.tabletId(), d.rowsetId()));
        } else {
            throw new IllegalArgumentException("unknown meta op " + op.getClass().getName());
        }
    }

    private static void putRowset(WriteBatch wb, RowsetMeta rowset, RowsetEntry entry) throws RocksDBException {
        require(rowset != null, "rowset is null");
        checkId("tablet id of rowset " + rowset.rowsetId(), rowset.tabletId());
        checkRowsetId(rowset.rowsetId());
        wb.put(MetaKeys.rowset(rowset.tabletId(), rowset.rowsetId()), MetaCodec.encode(entry));
    }

    private static void deletePrefix(WriteBatch wb, byte[] prefix) throws RocksDBException {
        wb.deleteRange(prefix, MetaKeys.prefixEnd(prefix));
    }

    static void checkLabelPart(String what, String value) {
        require(value != null && !value.isEmpty(), what + " is empty");
        require(value.indexOf('\0') < 0, what + " '" + value.replace('\0', '?') + "' contains a NUL character");
    }

    private static void checkId(String what, long id) {
        require(id >= 0, what + " must be >= 0, got " + id);
    }

    private static void checkRowsetId(RowsetId id) {
        require(id != null, "rowset id is null");
        require(id.value() >= 0, "rowset id must be >= 0, got " + id.value());
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static String opName(Op op) {
        return op == null ? "null" : op.getClass().getSimpleName();
    }
}
