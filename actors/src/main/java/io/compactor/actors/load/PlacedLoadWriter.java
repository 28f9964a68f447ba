package io.compactor.actors.load;

import io.compactor.api.LoadResult;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Writes and commits a load into a table whose tablets are replicated on cluster nodes (cluster
 * mode); {@link StreamLoader} hands it the parsed, validated rows split by bucket. The writer
 * chooses the load's txn id, which must be unique in the whole cluster.
 */
@FunctionalInterface
public interface PlacedLoadWriter {
    /**
     * @param perBucket rows of each bucket (index = bucket)
     * @return the outcome; completes normally for every outcome
     */
    CompletionStage<Outcome> writeAndCommit(TableMeta table, String label, RowBatch[] perBucket,
                                            long loadedRows, long filteredRows, Duration timeout);

    /**
     * {@code status}: LoadResult.SUCCESS, FAIL, LABEL_ALREADY_EXISTS or another Doris status, with
     * the message and the load's cluster-wide txn id.
     */
    record Outcome(long txnId, String status, String message) {
    }
}
