package io.compactor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The answer to a stream load, with Doris's field names.
 *
 * @param status           "Success", "Fail" or "Label Already Exists"
 * @param groupCommit      Doris's {@code GroupCommit}: true when the load went through group commit
 *                         (its {@code TxnId} and {@code Label} are then the internal load's); null
 *                         (not shown) otherwise
 * @param waitCompactionMs how long the load waited for compaction (graded back-pressure: a tablet
 *                         past the soft version threshold delays its loads); null (not shown) when
 *                         it did not wait
 */
@JsonPropertyOrder({"TxnId", "Label", "Status", "ExistingJobStatus", "Message", "NumberTotalRows",
        "NumberLoadedRows", "NumberFilteredRows", "NumberUnselectedRows", "LoadBytes", "LoadTimeMs", "ErrorURL",
        "GroupCommit", "WaitCompactionMs"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoadResult(@JsonProperty("TxnId") long txnId,
                         @JsonProperty("Label") String label,
                         @JsonProperty("Status") String status,
                         @JsonProperty("ExistingJobStatus") String existingJobStatus,
                         @JsonProperty("Message") String message,
                         @JsonProperty("NumberTotalRows") long numberTotalRows,
                         @JsonProperty("NumberLoadedRows") long numberLoadedRows,
                         @JsonProperty("NumberFilteredRows") long numberFilteredRows,
                         @JsonProperty("NumberUnselectedRows") long numberUnselectedRows,
                         @JsonProperty("LoadBytes") long loadBytes,
                         @JsonProperty("LoadTimeMs") long loadTimeMs,
                         @JsonProperty("ErrorURL") String errorUrl,
                         @JsonProperty("GroupCommit") Boolean groupCommit,
                         @JsonProperty("WaitCompactionMs") Long waitCompactionMs) {

    /** An answer without group commit and without a back-pressure wait. */
    public LoadResult(long txnId, String label, String status, String existingJobStatus, String message,
                      long numberTotalRows, long numberLoadedRows, long numberFilteredRows, long numberUnselectedRows,
                      long loadBytes, long loadTimeMs, String errorUrl) {
        this(txnId, label, status, existingJobStatus, message, numberTotalRows, numberLoadedRows, numberFilteredRows,
                numberUnselectedRows, loadBytes, loadTimeMs, errorUrl, null, null);
    }

    /** The same answer with the back-pressure wait shown (when positive). */
    public LoadResult withWaitCompactionMs(long ms) {
        return new LoadResult(txnId, label, status, existingJobStatus, message, numberTotalRows, numberLoadedRows,
                numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs, errorUrl, groupCommit,
                ms > 0 ? Long.valueOf(ms) : waitCompactionMs);
    }

    /** The same answer marked as a group commit load of internal load {@code internalTxnId}/{@code internalLabel}. */
    public LoadResult asGroupCommit(long internalTxnId, String internalLabel) {
        return new LoadResult(internalTxnId, internalLabel, status, existingJobStatus, message, numberTotalRows,
                numberLoadedRows, numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs, errorUrl, true,
                waitCompactionMs);
    }

    public static final String SUCCESS = "Success";
    public static final String FAIL = "Fail";
    public static final String LABEL_ALREADY_EXISTS = "Label Already Exists";

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSuccess() {
        return SUCCESS.equals(status);
    }

    public static LoadResult fail(long txnId, String label, String message, long total, long filtered, long bytes,
                           long timeMs) {
        return new LoadResult(txnId, label, FAIL, null, message, total, 0, filtered, 0, bytes, timeMs, null);
    }
}
