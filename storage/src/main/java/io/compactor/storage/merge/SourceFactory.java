package io.compactor.storage.merge;

import java.io.IOException;

/**
 * Opens a {@link SortedRunSource} over the same sorted rows any number of times, each time
 * reading only a subset of the columns. The vertical merge opens one source per column group.
 */
public interface SourceFactory {

    /** The origin every source opened by this factory reports. */
    SourceOrigin origin();

    /**
     * Opens a new source positioned before the first row that fills only {@code columns} (schema
     * column indexes, ascending) of its batches. The caller closes it.
     */
    SortedRunSource open(int[] columns) throws IOException;
}
