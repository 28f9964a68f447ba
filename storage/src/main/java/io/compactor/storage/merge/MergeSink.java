package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import java.io.IOException;

/**
 * Receives a merge's output rows in key order, in ranges of some batch. A range is valid only
 * during the call: the merge reuses or refills the batch afterwards, so a sink copies what it
 * keeps (for example with {@link RowBatch#appendRange}). The batch may be a source's own: a sink
 * never modifies it.
 */
public interface MergeSink {

    /** Accepts rows {@code [from, to)} of {@code batch}, which follow every row accepted before. */
    void accept(RowBatch batch, int from, int to) throws IOException;

    /**
     * Rows this sink has really written. The merge checks it against the rows read, so a sink
     * that loses rows fails the compaction instead of the data.
     */
    long rowsWritten();
}
