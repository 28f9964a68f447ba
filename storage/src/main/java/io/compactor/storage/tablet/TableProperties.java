package io.compactor.storage.tablet;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Table properties that steer compaction, validated as Doris's frontend validates them
 * ({@code PropertyAnalyzer}), with the same messages. Values are strings as in Doris.
 *
 * @param compactionPolicy               {@code size_based} (default) or {@code time_series}
 * @param timeSeriesGoalSizeMbytes       default 1024, at least 10
 * @param timeSeriesFileCountThreshold   default 2000, at least 10
 * @param timeSeriesTimeThresholdSeconds default 3600, at least 60
 * @param timeSeriesEmptyRowsetsThreshold default 5, at least 2
 * @param timeSeriesLevelThreshold       default 1, 1 or 2
 * @param disableAutoCompaction          default false
 * @param enableSingleReplicaCompaction  default false; refused for merge-on-write tables
 * @param groupCommitIntervalMs          group commit: an internal load commits this long after it
 *                                       began (default 10000, at least 0); null (meta written before
 *                                       the property existed) reads as the default
 * @param groupCommitDataBytes           group commit: an internal load commits once it holds this
 *                                       many bytes (default 64 MB, at least 0); null reads as the default
 * @param compactionPriority             ours: the table's fair share of compaction, {@code low}, {@code normal}
 *                                       (default), {@code high} or a weight 1..100 ({@link CompactionPriority})
 * @param compactionConcurrencyLimit     ours: most compactions of the table running at once on a node, 0 (default)
 *                                       for no cap
 */
public record TableProperties(String compactionPolicy, long timeSeriesGoalSizeMbytes, long timeSeriesFileCountThreshold,
                              long timeSeriesTimeThresholdSeconds, long timeSeriesEmptyRowsetsThreshold,
                              long timeSeriesLevelThreshold, boolean disableAutoCompaction,
                              boolean enableSingleReplicaCompaction, Long groupCommitIntervalMs,
                              Long groupCommitDataBytes, String compactionPriority,
                              int compactionConcurrencyLimit) {

    public TableProperties {
        groupCommitIntervalMs = groupCommitIntervalMs == null ? DEFAULT_GROUP_COMMIT_INTERVAL_MS : groupCommitIntervalMs;
        groupCommitDataBytes = groupCommitDataBytes == null ? DEFAULT_GROUP_COMMIT_DATA_BYTES : groupCommitDataBytes;
        // tables stored before these properties existed decode with null / 0
        compactionPriority = compactionPriority == null ? CompactionPriority.DEFAULT : compactionPriority;
    }

    public static final String SIZE_BASED = "size_based";
    public static final String TIME_SERIES = "time_series";

    public static final String COMPACTION_POLICY = "compaction_policy";
    public static final String GOAL_SIZE = "time_series_compaction_goal_size_mbytes";
    public static final String FILE_COUNT = "time_series_compaction_file_count_threshold";
    public static final String TIME_THRESHOLD = "time_series_compaction_time_threshold_seconds";
    public static final String EMPTY_ROWSETS = "time_series_compaction_empty_rowsets_threshold";
    public static final String LEVEL_THRESHOLD = "time_series_compaction_level_threshold";
    public static final String DISABLE_AUTO_COMPACTION = "disable_auto_compaction";
    public static final String SINGLE_REPLICA = "enable_single_replica_compaction";
    public static final String GROUP_COMMIT_INTERVAL_MS = "group_commit_interval_ms";
    public static final String GROUP_COMMIT_DATA_BYTES = "group_commit_data_bytes";
    public static final long DEFAULT_GROUP_COMMIT_INTERVAL_MS = 10_000;
    public static final long DEFAULT_GROUP_COMMIT_DATA_BYTES = 64L << 20;

    public static final String CONCURRENCY_LIMIT = "compaction_concurrency_limit";

    public static final TableProperties DEFAULTS =
            new TableProperties(SIZE_BASED, 1024, 2000, 3600, 5, 1, false, false, null, null, CompactionPriority.DEFAULT, 0);

    /** The table's weight in the fair shares of compaction ({@link CompactionPriority#weightOf}). */
    public int compactionWeight() {
        return CompactionPriority.weightOf(compactionPriority);
    }

    public boolean isTimeSeries() {
        return TIME_SERIES.equals(compactionPolicy);
    }

    /** Parses and validates properties given at CREATE TABLE. */
    public static TableProperties parse(Map<String, String> props, boolean mergeOnWrite) {
        return DEFAULTS.apply(props == null ? Map.of() : props, mergeOnWrite, false);
    }

    /**
     * Applies changes on top of these properties (ALTER TABLE ... SET), validated as Doris does.
     *
     * @throws IllegalArgumentException with Doris's message when a value is invalid
     */
    public TableProperties alter(Map<String, String> changes, boolean mergeOnWrite) {
        return apply(changes, mergeOnWrite, true);
    }

    private TableProperties apply(Map<String, String> changes, boolean mergeOnWrite, boolean alter) {
        String policy = compactionPolicy;
        long goal = timeSeriesGoalSizeMbytes;
        long files = timeSeriesFileCountThreshold;
        long time = timeSeriesTimeThresholdSeconds;
        long empty = timeSeriesEmptyRowsetsThreshold;
        long level = timeSeriesLevelThreshold;
        boolean disable = disableAutoCompaction;
        boolean single = enableSingleReplicaCompaction;
        long gcInterval = groupCommitIntervalMs;
        long gcBytes = groupCommitDataBytes;
        String priority = compactionPriority;
        int cap = compactionConcurrencyLimit;
        boolean timeSeriesKeyGiven = false;
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            String value = e.getValue() == null ? "" : e.getValue().trim();
            switch (key) {
                case COMPACTION_POLICY -> {
                    String p = value.toLowerCase(Locale.ROOT);
                    if (!p.equals(SIZE_BASED) && !p.equals(TIME_SERIES)) {
                        throw new IllegalArgumentException(alter
                                ? "Table compaction policy only support for time_series or size_based"
                                : "compaction_policy must be time_series or size_based");
                    }
                    policy = p;
                }
                case GOAL_SIZE -> {
                    goal = parseLong(key, value);
                    if (goal < 10) {
                        throw new IllegalArgumentException(GOAL_SIZE + " can not be less than 10: " + value);
                    }
                    timeSeriesKeyGiven = true;
                }
                case FILE_COUNT -> {
                    files = parseLong(key, value);
                    if (files < 10) {
                        throw new IllegalArgumentException(FILE_COUNT + " can not be less than 10: " + value);
                    }
                    timeSeriesKeyGiven = true;
                }
                case TIME_THRESHOLD -> {
                    time = parseLong(key, value);
                    if (time < 60) {
                        throw new IllegalArgumentException(TIME_THRESHOLD + " can not be less than 60: " + value);
                    }
                    timeSeriesKeyGiven = true;
                }
                case EMPTY_ROWSETS -> {
                    empty = parseLong(key, value);
                    if (empty < 2) {
                        throw new IllegalArgumentException(EMPTY_ROWSETS + " can not be less than 2");
                    }
                    timeSeriesKeyGiven = true;
                }
                case LEVEL_THRESHOLD -> {
                    level = parseLong(key, value);
                    if (level < 1 || level > 2) {
                        throw new IllegalArgumentException(LEVEL_THRESHOLD + " can not less than 1 or greater than 2");
                    }
                    timeSeriesKeyGiven = true;
                }
                case DISABLE_AUTO_COMPACTION -> disable = parseBoolean(key, value);
                case SINGLE_REPLICA -> {
                    single = parseBoolean(key, value);
                    if (single && mergeOnWrite) {
                        throw new IllegalArgumentException(
                                "enable_single_replica_compaction property is not supported for merge-on-write table");
                    }
                }
                case GROUP_COMMIT_INTERVAL_MS -> gcInterval = nonNegative(key, value);
                case GROUP_COMMIT_DATA_BYTES -> gcBytes = nonNegative(key, value);
                case CompactionPriority.KEY -> {
                    CompactionPriority.weightOf(value);
                    priority = value.toLowerCase(Locale.ROOT);
                }
                case CONCURRENCY_LIMIT -> {
                    long n = parseLong(key, value);
                    if (n < 0 || n > 10_000) {
                        throw new IllegalArgumentException(CONCURRENCY_LIMIT + " must be from 0 (no cap) to 10000: "
                                + value);
                    }
                    cap = (int) n;
                }
                default -> throw new IllegalArgumentException("Unknown table property: " + e.getKey());
            }
        }
        if (timeSeriesKeyGiven && !TIME_SERIES.equals(policy)) {
            throw new IllegalArgumentException("only time series compaction policy support for time series config");
        }
        return new TableProperties(policy, goal, files, time, empty, level, disable, single, gcInterval, gcBytes,
                priority, cap);
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + key + " format: " + value);
        }
    }

    /** Doris's {@code PropertyAnalyzer} messages for the group commit properties. */
    private static long nonNegative(String key, String value) {
        long v;
        try {
            v = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parse " + key + " format error");
        }
        if (v < 0) {
            throw new IllegalArgumentException(key + " can not be less than 0");
        }
        return v;
    }

    private static boolean parseBoolean(String key, String value) {
        if (value.equalsIgnoreCase("true")) {
            return true;
        }
        if (value.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + " must be true or false: " + value);
    }

    /** The properties as Doris shows them: every key, values as strings. */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(COMPACTION_POLICY, compactionPolicy);
        m.put(GOAL_SIZE, Long.toString(timeSeriesGoalSizeMbytes));
        m.put(FILE_COUNT, Long.toString(timeSeriesFileCountThreshold));
        m.put(TIME_THRESHOLD, Long.toString(timeSeriesTimeThresholdSeconds));
        m.put(EMPTY_ROWSETS, Long.toString(timeSeriesEmptyRowsetsThreshold));
        m.put(LEVEL_THRESHOLD, Long.toString(timeSeriesLevelThreshold));
        m.put(DISABLE_AUTO_COMPACTION, Boolean.toString(disableAutoCompaction));
        m.put(SINGLE_REPLICA, Boolean.toString(enableSingleReplicaCompaction));
        m.put(GROUP_COMMIT_INTERVAL_MS, Long.toString(groupCommitIntervalMs));
        m.put(GROUP_COMMIT_DATA_BYTES, Long.toString(groupCommitDataBytes));
        m.put(CompactionPriority.KEY, compactionPriority);
        m.put(CONCURRENCY_LIMIT, Integer.toString(compactionConcurrencyLimit));
        return m;
    }
}
