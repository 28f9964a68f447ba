package io.compactor.storage.config;

import java.util.List;

/** Storage-engine configuration keys (defaults and documentation in storage's reference.conf). */
public final class StorageKeys {
    private StorageKeys() {
    }

    public static final ConfigKey<String> STORAGE_ROOT_PATH = ConfigKey.string("storage_root_path", false,
            s -> !s.isBlank(), "a non-empty list of paths separated by ';'");
    public static final ConfigKey<Long> WRITE_BUFFER_SIZE =
            ConfigKey.int64("write_buffer_size", true, 1024, 64L << 30);
    public static final ConfigKey<Long> MAX_TABLET_VERSION_NUM =
            ConfigKey.int64("max_tablet_version_num", true, 2, Integer.MAX_VALUE);
    public static final ConfigKey<Long> TIME_SERIES_MAX_TABLET_VERSION_NUM =
            ConfigKey.int64("time_series_max_tablet_version_num", true, 2, Integer.MAX_VALUE);
    public static final ConfigKey<Long> TABLET_ROWSET_STALE_SWEEP_TIME_SEC =
            ConfigKey.int64("tablet_rowset_stale_sweep_time_sec", true, 0, Long.MAX_VALUE);
    public static final ConfigKey<Long> MAX_SEGMENT_NUM_PER_ROWSET =
            ConfigKey.int64("max_segment_num_per_rowset", true, 1, Integer.MAX_VALUE);
    public static final ConfigKey<Boolean> ENABLE_SEGCOMPACTION = ConfigKey.bool("enable_segcompaction", true);
    public static final ConfigKey<Long> SEGCOMPACTION_BATCH_SIZE =
            ConfigKey.int64("segcompaction_batch_size", true, 2, 1000);
    public static final ConfigKey<Long> SEGCOMPACTION_NUM_THREADS =
            ConfigKey.int64("segcompaction_num_threads", false, 1, 256);
    public static final ConfigKey<Long> SEGCOMPACTION_CANDIDATE_MAX_ROWS =
            ConfigKey.int64("segcompaction_candidate_max_rows", true, 1, Long.MAX_VALUE);
    public static final ConfigKey<Long> SEGCOMPACTION_CANDIDATE_MAX_BYTES =
            ConfigKey.int64("segcompaction_candidate_max_bytes", true, 1, Long.MAX_VALUE);
    public static final ConfigKey<Long> SEGCOMPACTION_TASK_MAX_ROWS =
            ConfigKey.int64("segcompaction_task_max_rows", true, 1, Long.MAX_VALUE);
    public static final ConfigKey<Long> SEGCOMPACTION_TASK_MAX_BYTES =
            ConfigKey.int64("segcompaction_task_max_bytes", true, 1, Long.MAX_VALUE);
    public static final ConfigKey<Boolean> ENABLE_VERTICAL_COMPACTION =
            ConfigKey.bool("enable_vertical_compaction", true);
    public static final ConfigKey<Long> VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP =
            ConfigKey.int64("vertical_compaction_num_columns_per_group", true, 1, 1000);
    public static final ConfigKey<Long> VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB =
            ConfigKey.int64("vertical_compaction_max_row_source_memory_mb", true, 1, 1 << 20);
    public static final ConfigKey<Long> VERTICAL_COMPACTION_MAX_SEGMENT_SIZE =
            ConfigKey.int64("vertical_compaction_max_segment_size", true, 1024, Long.MAX_VALUE);
    public static final ConfigKey<Boolean> ENABLE_ORDERED_DATA_COMPACTION =
            ConfigKey.bool("enable_ordered_data_compaction", true);
    public static final ConfigKey<Long> ORDERED_DATA_COMPACTION_MIN_SEGMENT_SIZE =
            ConfigKey.int64("ordered_data_compaction_min_segment_size", true, 0, Long.MAX_VALUE);
    public static final ConfigKey<Long> PRIMARY_KEY_CACHE_CAPACITY_BYTES =
            ConfigKey.int64("primary_key_cache_capacity_bytes", false, 0, Long.MAX_VALUE);

    public static final List<ConfigKey<?>> ALL = List.of(STORAGE_ROOT_PATH, WRITE_BUFFER_SIZE, MAX_TABLET_VERSION_NUM,
            TIME_SERIES_MAX_TABLET_VERSION_NUM, TABLET_ROWSET_STALE_SWEEP_TIME_SEC, MAX_SEGMENT_NUM_PER_ROWSET,
            ENABLE_SEGCOMPACTION, SEGCOMPACTION_BATCH_SIZE, SEGCOMPACTION_NUM_THREADS, SEGCOMPACTION_CANDIDATE_MAX_ROWS,
            SEGCOMPACTION_CANDIDATE_MAX_BYTES, SEGCOMPACTION_TASK_MAX_ROWS, SEGCOMPACTION_TASK_MAX_BYTES,
            ENABLE_VERTICAL_COMPACTION, VERTICAL_COMPACTION_NUM_COLUMNS_PER_GROUP,
            VERTICAL_COMPACTION_MAX_ROW_SOURCE_MEMORY_MB, VERTICAL_COMPACTION_MAX_SEGMENT_SIZE,
            ENABLE_ORDERED_DATA_COMPACTION, ORDERED_DATA_COMPACTION_MIN_SEGMENT_SIZE, PRIMARY_KEY_CACHE_CAPACITY_BYTES);
}
