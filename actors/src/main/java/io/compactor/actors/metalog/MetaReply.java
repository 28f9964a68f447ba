package io.compactor.actors.metalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The log's answer to an entry or a question. {@code code} is a {@code StatusCode} name (OK when it
 * was applied or answered); the other fields are set by the entries and questions that need them.
 *
 * @param table      meta-store JSON of the table (create, drop, alter)
 * @param tables     every live table (catalog)
 * @param dropped    dropped table id -> highest tablet id it had (catalog)
 * @param txn        the load (begin, commit, abort, published, txn)
 * @param versions   tablet id -> visible version (visible); -> committed version (chain)
 * @param bad        {@code tabletId@node} -> why, for replicas that must be cloned before they count
 * @param ids        identities asked for (chain)
 * @param catalogVersion bumps with every change of the catalog or the placement
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetaReply(String code, String msg, byte[] table, List<byte[]> tables, Map<Long, Long> dropped,
                        TxnView txn, Map<Long, Long> versions, Map<String, String> bad, List<Long> ids,
                        Long catalogVersion) {

    public static MetaReply ok() {
        return new MetaReply("OK", "", null, null, null, null, null, null, null, null);
    }

    public static MetaReply error(String code, String msg) {
        return new MetaReply(code, msg, null, null, null, null, null, null, null, null);
    }

    public static MetaReply ofTable(byte[] table) {
        return new MetaReply("OK", "", table, null, null, null, null, null, null, null);
    }

    public static MetaReply ofTxn(TxnView txn) {
        return new MetaReply("OK", "", null, null, null, txn, null, null, null, null);
    }

    public boolean isOk() {
        return "OK".equals(code);
    }

    /** What the log knows of one load. */
    public record TxnView(long txnId, String db, String label, long tableId, TxnPhase phase, String reason,
                          Map<Long, Long> versions, Map<Long, Long> contentIds, long loadedRows, long filteredRows,
                          long beginMs, long deadlineMs, long commitMs) {
    }
}
