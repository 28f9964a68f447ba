package io.compactor.storage.meta;

/**
 * What the meta store remembers of a committed load, keyed by (db, label): enough to answer a
 * re-sent label with "Label Already Exists" and the original transaction id.
 *
 * @param db          database
 * @param label       the load's label (idempotency key)
 * @param txnId       the transaction id
 * @param tableId     the table loaded
 * @param status      final status, "VISIBLE" for a committed load
 * @param loadedRows  rows made visible
 * @param filteredRows rows filtered out
 * @param committedMs commit time
 */
public record LoadRecord(String db, String label, long txnId, long tableId, String status, long loadedRows,
                         long filteredRows, long committedMs) {
}
