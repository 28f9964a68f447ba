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

    /** Whether every {@code max_concurrent_loads} slot is taken (a new load would be answered busy). */
    boolean saturated();
}
