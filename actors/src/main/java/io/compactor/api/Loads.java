package io.compactor.api;

import io.compactor.storage.load.LoadOptions;
import java.util.concurrent.CompletionStage;

/** Doris stream loads: all-or-nothing across the table's tablets, idempotent by label. */
public interface Loads {
    /** Loads {@code body}; never fails exceptionally (failures answer {@code Status: Fail}). */
    CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, LoadOptions options, String label);

    /**
     * Loads {@code body} with Doris's {@code group_commit} header: {@link GroupCommitMode#OFF_MODE}
     * is {@link #streamLoad(String, String, byte[], LoadOptions, String)}; the other modes append to
     * the table's internal load (a label is then refused, as in Doris). Never fails exceptionally.
     */
    CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, LoadOptions options, String label,
                                           GroupCommitMode groupCommit);

    /**
     * Loads {@code body} as its Doris headers ask ({@link StreamLoadRequest}); never fails
     * exceptionally.
     */
    CompletionStage<LoadResult> streamLoad(String db, String table, byte[] body, StreamLoadRequest request);

    /**
     * Doris's {@code _stream_load_2pc}: commits ({@code commit}) or aborts a prepared load of
     * {@code db}, found by txn id or, when that is null, by label. Answers the status (OK or
     * Doris's error) and the load's txn id.
     */
    CompletionStage<TwoPhaseResult> operateTwoPhase(String db, Long txnId, String label, boolean commit);

    /** The loads of {@code db} that are prepared and wait for commit or abort. */
    java.util.List<PreparedLoad> preparedLoads(String db);

    /** The text of a load's error log ({@code ErrorURL}), or empty when there is no such file. */
    java.util.Optional<String> errorLog(String file);

    /** Whether every {@code max_concurrent_loads} slot is taken (a new load would be answered busy). */
    boolean saturated();
}
