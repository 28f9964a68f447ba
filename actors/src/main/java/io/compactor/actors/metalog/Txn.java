package io.compactor.actors.metalog;

import java.util.Map;
import java.util.TreeMap;

/** One load as the meta log's state holds it (mutable; {@link MetaState} owns it). */
final class Txn {
    long txnId;
    String db;
    String label;
    long tableId;
    TxnPhase phase;
    String reason = "";
    Map<Long, Long> versions = Map.of();
    Map<Long, Long> contentIds = Map.of();
    long loadedRows;
    long filteredRows;
    long beginMs;
    long deadlineMs;
    long commitMs;

    MetaReply.TxnView view() {
        return new MetaReply.TxnView(txnId, db, label, tableId, phase, reason, versions, contentIds, loadedRows,
                filteredRows, beginMs, deadlineMs, commitMs);
    }

    static Txn of(MetaReply.TxnView v) {
        Txn t = new Txn();
        t.txnId = v.txnId();
        t.db = v.db();
        t.label = v.label();
        t.tableId = v.tableId();
        t.phase = v.phase();
        t.reason = v.reason() == null ? "" : v.reason();
        t.versions = v.versions() == null ? Map.of() : new TreeMap<>(v.versions());
        t.contentIds = v.contentIds() == null ? Map.of() : new TreeMap<>(v.contentIds());
        t.loadedRows = v.loadedRows();
        t.filteredRows = v.filteredRows();
        t.beginMs = v.beginMs();
        t.deadlineMs = v.deadlineMs();
        t.commitMs = v.commitMs();
        return t;
    }
}
