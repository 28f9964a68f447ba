package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import java.io.Closeable;
import java.io.IOException;

/**
 * An ordered stream of row chunks, sorted by key, that a merge consumes: one segment of an
 * OVERLAPPING rowset, or the segments of a NONOVERLAPPING rowset chained one after another.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #next()} returns the next chunk, or {@code null} at the end. A chunk holds rows of
 *       one segment only, with consecutive row ids starting at {@link #firstRowId()}.</li>
 *   <li>The batch returned stays valid until the next call of {@code next()} on this source; a
 *       source may refill and return the same {@link RowBatch} object every time.</li>
 *   <li>Rows are in non-decreasing key order across all chunks of the source.</li>
 *   <li>A source opened for a column subset fills only those columns of its batches.</li>
 * </ul>
 * Sources are not thread-safe; a merge reads each from one thread.
 */
public interface SortedRunSource extends Closeable {

    /** Which input rowset this source reads and how recent its rows are. */
    SourceOrigin origin();

    /** The next chunk of rows, or {@code null} when the source is exhausted. */
    RowBatch next() throws IOException;

    /** Segment id (within its rowset) of the chunk last returned by {@link #next()}. */
    int segmentId();

    /** Row id within its segment of row 0 of the chunk last returned by {@link #next()}. */
    long firstRowId();

    @Override
    default void close() throws IOException {
    }
}
