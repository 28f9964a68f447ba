package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import java.io.IOException;

/**
 * Where a vertical merge writes its output one column group at a time: first the key group (every
 * output row, in key order), then each value group (every output row again, in the same order).
 * Batches handed to {@link #accept} hold at least the open group's columns; only those are read.
 * A writer that works this way holds the buffers of one group at a time, not of the whole row.
 */
public interface ColumnGroupSink {
    /** The next group's rows follow; {@code columns} ascending, the key columns for the first group. */
    void startGroup(int[] columns) throws IOException;

    /** Rows {@code [from, to)} of the open group. */
    void accept(RowBatch batch, int from, int to) throws IOException;

    /** The open group got all its rows. */
    void finishGroup() throws IOException;

    /** Rows of the key group written so far. */
    long rowsWritten();
}
