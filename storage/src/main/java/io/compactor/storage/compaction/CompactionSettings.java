package io.compactor.storage.compaction;

/**
 * How a rowset compaction merges and writes.
 *
 * @param vertical                 merge key columns first, then value columns in groups
 *                                 ({@code enable_vertical_compaction})
 * @param columnsPerGroup          value columns per group ({@code vertical_compaction_num_columns_per_group})
 * @param maxRowSourceMemoryBytes  row-source buffer size before it spills to disk
 * @param maxSegmentBytes          target output segment size ({@code vertical_compaction_max_segment_size})
 * @param rowIdConversion          record the input-to-output row-id map (merge-on-write tables)
 */
public record CompactionSettings(boolean vertical, int columnsPerGroup, long maxRowSourceMemoryBytes,
                                 long maxSegmentBytes, boolean rowIdConversion) {
}
