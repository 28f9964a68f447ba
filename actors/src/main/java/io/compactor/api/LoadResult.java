package io.compactor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The answer to a stream load, with Doris's field names.
 *
 * @param status "Success", "Fail" or "Label Already Exists"
 */
@JsonPropertyOrder({"TxnId", "Label", "Status", "ExistingJobStatus", "Message", "NumberTotalRows",
        "NumberLoadedRows", "NumberFilteredRows", "NumberUnselectedRows", "LoadBytes", "LoadTimeMs", "ErrorURL"})
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
                         @JsonProperty("ErrorURL") String errorUrl) {

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
