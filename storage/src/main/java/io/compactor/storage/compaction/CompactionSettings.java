package io.compactor.storage.compaction;

/**
 * How a rowset compaction merges and writes.
 *
 * @param vertical                   merge key columns first, then value columns in groups
 *                                   ({@code enable_vertical_compaction})
 * @param columnsPerGroup            value columns per group ({@code vertical_compaction_num_columns_per_group})
 * @param maxRowSourceMemoryBytes    row-source buffer size before it spills to disk
 * @param maxSegmentBytes            target output segment size ({@code vertical_compaction_max_segment_size})
 * @param rowIdConversion            record the input-to-output row-id map (merge-on-write tables)
 * @param orderedData                link tidy, key-ordered inputs instead of merging them
 *                                   ({@code enable_ordered_data_compaction}; never for full
 *                                   compaction or merge-on-write tables, as in Doris)
 * @param orderedDataMinSegmentBytes smallest segment that counts as tidy
 *                                   ({@code ordered_data_compaction_min_segment_size})
 */
public record CompactionSettings(boolean vertical, int columnsPerGroup, long maxRowSourceMemoryBytes,
                                 long maxSegmentBytes, boolean rowIdConversion, boolean orderedData,
                                 long orderedDataMinSegmentBytes, boolean dropDeleted) {

    /** Keeping deleted keys (cumulative compaction's rule). */
    public CompactionSettings(boolean vertical, int columnsPerGroup, long maxRowSourceMemoryBytes, long maxSegmentBytes,
                              boolean rowIdConversion, boolean orderedData, long orderedDataMinSegmentBytes) {
        this(vertical, columnsPerGroup, maxRowSourceMemoryBytes, maxSegmentBytes, rowIdConversion, orderedData,
                orderedDataMinSegmentBytes, false);
    }

    /** The same settings, dropping keys whose newest row has the delete sign (base and full compaction). */
    public CompactionSettings withDropDeleted(boolean drop) {
        return new CompactionSettings(vertical, columnsPerGroup, maxRowSourceMemoryBytes, maxSegmentBytes,
                rowIdConversion, orderedData, orderedDataMinSegmentBytes, drop);
    }

    /** Merging only (no ordered-data link path). */
    public CompactionSettings(boolean vertical, int columnsPerGroup, long maxRowSourceMemoryBytes, long maxSegmentBytes,
                              boolean rowIdConversion) {
        this(vertical, columnsPerGroup, maxRowSourceMemoryBytes, maxSegmentBytes, rowIdConversion, false, 0);
    }
}
