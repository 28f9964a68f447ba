package io.compactor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The answer to a stream load, with Doris 2.1+'s fields in Doris's order
 * ({@code StreamLoadContext::to_json}).
 *
 * @param comment          the load's {@code comment} header ("" when none)
 * @param twoPhaseCommit   "true" or "false", as Doris prints it (a string); null (not shown) for a
 *                         group commit load, which shows {@code GroupCommit} instead, as in Doris
 * @param status           "Success", "Fail", "Label Already Exists" or "Publish Timeout"
 * @param errorUrl         where the rejected rows can be read ({@code /api/_load_error_log?file=...}),
 *                         or null when no row was rejected
 * @param groupCommit      Doris's {@code GroupCommit}: true when the load went through group commit
 *                         (its {@code TxnId} and {@code Label} are then the internal load's); null
 *                         (not shown) otherwise
 * @param waitCompactionMs how long the load waited for compaction (graded back-pressure: a tablet
 *                         past the soft version threshold delays its loads); null (not shown) when
 *                         it did not wait
 */
@JsonPropertyOrder({"TxnId", "Label", "Comment", "TwoPhaseCommit", "GroupCommit", "Status", "ExistingJobStatus",
        "Message", "NumberTotalRows", "NumberLoadedRows", "NumberFilteredRows", "NumberUnselectedRows", "LoadBytes",
        "LoadTimeMs", "BeginTxnTimeMs", "StreamLoadPutTimeMs", "ReadDataTimeMs", "WriteDataTimeMs",
        "CommitAndPublishTimeMs", "ErrorURL", "WaitCompactionMs"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LoadResult(@JsonProperty("TxnId") long txnId,
                         @JsonProperty("Label") String label,
                         @JsonProperty("Comment") String comment,
                         @JsonProperty("TwoPhaseCommit") String twoPhaseCommit,
                         @JsonProperty("Status") String status,
                         @JsonProperty("ExistingJobStatus") String existingJobStatus,
                         @JsonProperty("Message") String message,
                         @JsonProperty("NumberTotalRows") long numberTotalRows,
                         @JsonProperty("NumberLoadedRows") long numberLoadedRows,
                         @JsonProperty("NumberFilteredRows") long numberFilteredRows,
                         @JsonProperty("NumberUnselectedRows") long numberUnselectedRows,
                         @JsonProperty("LoadBytes") long loadBytes,
                         @JsonProperty("LoadTimeMs") long loadTimeMs,
                         @JsonProperty("BeginTxnTimeMs") long beginTxnTimeMs,
                         @JsonProperty("StreamLoadPutTimeMs") long streamLoadPutTimeMs,
                         @JsonProperty("ReadDataTimeMs") long readDataTimeMs,
                         @JsonProperty("WriteDataTimeMs") long writeDataTimeMs,
                         @JsonProperty("CommitAndPublishTimeMs") long commitAndPublishTimeMs,
                         @JsonProperty("ErrorURL") String errorUrl,
                         @JsonProperty("GroupCommit") Boolean groupCommit,
                         @JsonProperty("WaitCompactionMs") Long waitCompactionMs) {

    public static final String SUCCESS = "Success";
    public static final String FAIL = "Fail";
    public static final String LABEL_ALREADY_EXISTS = "Label Already Exists";
    public static final String PUBLISH_TIMEOUT = "Publish Timeout";

    /** An answer without comment, two-phase commit, timings, group commit or back-pressure wait. */
    public LoadResult(long txnId, String label, String status, String existingJobStatus, String message,
                      long numberTotalRows, long numberLoadedRows, long numberFilteredRows, long numberUnselectedRows,
                      long loadBytes, long loadTimeMs, String errorUrl) {
        this(txnId, label, "", "false", status, existingJobStatus, message, numberTotalRows, numberLoadedRows,
                numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs, 0, 0, 0, 0, 0, errorUrl, null, null);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isSuccess() {
        return SUCCESS.equals(status);
    }

    public static LoadResult fail(long txnId, String label, String message, long total, long filtered, long bytes,
                           long timeMs) {
        return new LoadResult(txnId, label, FAIL, null, message, total, 0, filtered, 0, bytes, timeMs, null);
    }

    /** This answer with the load's comment and two-phase-commit flag (a group commit load shows neither flag). */
    public LoadResult withRequest(String comment, boolean twoPhase) {
        return new LoadResult(txnId, label, comment == null ? "" : comment,
                Boolean.TRUE.equals(groupCommit) ? null : Boolean.toString(twoPhase), status, existingJobStatus,
                message, numberTotalRows, numberLoadedRows, numberFilteredRows, numberUnselectedRows, loadBytes,
                loadTimeMs, beginTxnTimeMs, streamLoadPutTimeMs, readDataTimeMs, writeDataTimeMs,
                commitAndPublishTimeMs, errorUrl, groupCommit, waitCompactionMs);
    }

    /** This answer with the time its phases took. */
    public LoadResult withTimings(long beginTxnMs, long putMs, long readMs, long writeMs, long commitMs) {
        return new LoadResult(txnId, label, comment, twoPhaseCommit, status, existingJobStatus, message,
                numberTotalRows, numberLoadedRows, numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs,
                beginTxnMs, putMs, readMs, writeMs, commitMs, errorUrl, groupCommit, waitCompactionMs);
    }

    /** This answer with its unselected rows and error URL. */
    public LoadResult withRows(long unselected, String url) {
        return new LoadResult(txnId, label, comment, twoPhaseCommit, status, existingJobStatus, message,
                numberTotalRows, numberLoadedRows, numberFilteredRows, unselected, loadBytes, loadTimeMs,
                beginTxnTimeMs, streamLoadPutTimeMs, readDataTimeMs, writeDataTimeMs, commitAndPublishTimeMs, url,
                groupCommit, waitCompactionMs);
    }

    /** The same answer with the back-pressure wait shown (when positive). */
    public LoadResult withWaitCompactionMs(long ms) {
        return new LoadResult(txnId, label, comment, twoPhaseCommit, status, existingJobStatus, message,
                numberTotalRows, numberLoadedRows, numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs,
                beginTxnTimeMs, streamLoadPutTimeMs, readDataTimeMs, writeDataTimeMs, commitAndPublishTimeMs, errorUrl,
                groupCommit, ms > 0 ? Long.valueOf(ms) : waitCompactionMs);
    }

    /** The same answer marked as a group commit load of internal load {@code internalTxnId}/{@code internalLabel}. */
    public LoadResult asGroupCommit(long internalTxnId, String internalLabel) {
        return new LoadResult(internalTxnId, internalLabel, comment, null, status, existingJobStatus, message,
                numberTotalRows, numberLoadedRows, numberFilteredRows, numberUnselectedRows, loadBytes, loadTimeMs,
                beginTxnTimeMs, streamLoadPutTimeMs, readDataTimeMs, writeDataTimeMs, commitAndPublishTimeMs, errorUrl,
                true, waitCompactionMs);
    }
}
