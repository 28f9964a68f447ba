package io.compactor.storage.segcompaction;

import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.StorageKeys;

/**
 * Segment-compaction settings of one load, read once when the load starts (the keys are
 * runtime-mutable; a running load keeps what it started with). Defaults are Doris's.
 *
 * @param enabled                 {@code enable_segcompaction} (true)
 * @param batchSize               {@code segcompaction_batch_size}: pending segments that trigger a task (10)
 * @param candidateMaxRows        {@code segcompaction_candidate_max_rows}: a segment with more rows is "big" (1,048,576)
 * @param candidateMaxBytes       {@code segcompaction_candidate_max_bytes}: a bigger segment is "big" (100 MiB)
 * @param taskMaxRows             {@code segcompaction_task_max_rows}: rows one task may read (1,572,864)
 * @param taskMaxBytes            {@code segcompaction_task_max_bytes}: bytes one task may read (150 MiB)
 * @param maxSegments             {@code max_segment_num_per_rowset}: segments a load's rowset may end with (1000)
 * @param vertical                {@code enable_vertical_compaction}: merge by column groups (true)
 * @param columnsPerGroup         {@code vertical_compaction_num_columns_per_group} (5)
 * @param maxRowSourceMemoryBytes {@code vertical_compaction_max_row_source_memory_mb}, in bytes
 */
public record SegcompactionSettings(boolean enabled, int batchSize, long candidateMaxRows, long candidateMaxBytes,
                                    long taskMaxRows, long taskMaxBytes, long maxSegments, boolean vertical,
                                    int columnsPerGroup, long maxRowSourceMemoryBytes) {

    public SegcompactionSettings {
        if (batchSize < 2) {
            throw new IllegalArgumentException("segcompaction_batch_size must be >= 2, got " + batchSize);
        }
        requirePositive("segcompaction_candidate_max_rows", candidateMaxRows);
        requirePositive("segcompaction_candidate_max_bytes", candidateMaxBytes);
        requirePositive("segcompaction_task_max_rows", taskMaxRows);
        requirePositive("segcompaction_task_max_bytes", taskMaxBytes);
        requirePositive("max_segment_num_per_rowset", maxSegments);
        requirePositive("vertical_compaction_num_columns_per_group", columnsPerGroup);
        requirePositive("vertical_compaction_max_row_source_memory_mb", maxRowSourceMemoryBytes);
    }

    private static void requirePositive(String key, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(key + " must be >= 1, got " + value);
        }
    }

    /** The current values of the node's configuration. */
    public static SegcompactionSettings from(CompactorConfig c) {
        return new SegcompactionSettings(c.get(StorageKeys.ENABLE_SEGCOMPACTION),
                c.getInt(StorageKeys.SEGCOMPACTION_BATCH_SIZE),
                c.get(StorageKeys.SEGCOMPACTION_CANDIDATE_MAX_ROWS),
                c.get(StorageKeys.SEGCOMPACTION_CANDIDATE_MAX_BYTES),
                c.get(StorageKeys.SEGCOMPACTION_TASK_MAX_ROWS),
                c.get(StorageKeys.SEGCOMPACTION_TASK_MAX_BYTES),
                c.get(StorageKeys.MAX_SEGMENT_NUM_PER_ROWSET),
                c.get(StorageKeys.ENABLE_VERTICAL_COMPACTION),
                c.getInt(StorageKeys.VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP),
                c.get(StorageKeys.VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB) << 20);
    }

    /** Doris's defaults with the given switch and batch size (for tests and embedding). */
    public static SegcompactionSettings defaults(boolean enabled, int batchSize) {
        return new SegcompactionSettings(enabled, batchSize, 1_048_576, 100L << 20, 1_572_864, 150L << 20, 1000, true,
                5, 1024L << 20);
    }

    public SegcompactionSettings withCandidateMaxRows(long rows) {
        return new SegcompactionSettings(enabled, batchSize, rows, candidateMaxBytes, taskMaxRows, taskMaxBytes,
                maxSegments, vertical, columnsPerGroup, maxRowSourceMemoryBytes);
    }

    public SegcompactionSettings withMaxSegments(long max) {
        return new SegcompactionSettings(enabled, batchSize, candidateMaxRows, candidateMaxBytes, taskMaxRows,
                taskMaxBytes, max, vertical, columnsPerGroup, maxRowSourceMemoryBytes);
    }

    public SegcompactionSettings withVertical(boolean on) {
        return new SegcompactionSettings(enabled, batchSize, candidateMaxRows, candidateMaxBytes, taskMaxRows,
                taskMaxBytes, maxSegments, on, columnsPerGroup, maxRowSourceMemoryBytes);
    }

    /** Whether a segment is "big": renamed into the compacted sequence, never rewritten. */
    boolean isBig(long rows, long bytes) {
        return rows > candidateMaxRows || bytes > candidateMaxBytes;
    }
}
