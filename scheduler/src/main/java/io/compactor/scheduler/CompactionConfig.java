package io.compactor.scheduler;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Immutable, validated settings of the compaction scheduler. Every key has Doris's name and
 * default (see {@link SchedulerKnob}); an invalid value is rejected where it is given, with a message
 * naming the key and the value, e.g. {@code cumulative_compaction_min_deltas must be >= 1 (got 0)}.
 *
 * <p>Defaults: cumulative_compaction_min_deltas 5, cumulative_compaction_max_deltas 1000 (factor 10
 * under memory pressure), compaction_promotion_size_mbytes 1024, compaction_promotion_ratio 0.05,
 * compaction_promotion_min_size_mbytes 128, compaction_promotion_version_count 1000,
 * compaction_min_size_mbytes 64, base_compaction_min_rowset_num 5, base_compaction_min_data_ratio
 * 0.3, base_compaction_max_compaction_score 20 (merge-on-write 200),
 * base_compaction_interval_seconds_since_last_operation 86400,
 * base_compaction_dup_key_max_file_size_mbytes 1024, pick_rowset_to_compact_interval_sec 86400,
 * total_permits_for_compaction_score 1000000, tablet_sched_delay_time_ms 5000,
 * compaction_task_num_per_disk 4 (fast disk 8), max_base_compaction_threads 4,
 * max_cumu_compaction_threads 10, max_single_replica_compaction_threads 10, max_tablet_version_num 2000, time_series_max_tablet_version_num
 * 20000, compaction_max_rowset_count 10000, and ours: compaction_failure_backoff_max_ms 600000,
 * compaction_quarantine_failures 10, compaction_stuck_rising_seconds 600, compaction_stuck_min_seconds 300,
 * compaction_stuck_min_rows_per_second 10000.
 *
 * <p>Cross-key relations (for example min deltas above max deltas) are not rejected: Doris accepts
 * them and its policies behave deterministically with them, and runtime updates change one key
 * at a time.
 */
public final class CompactionConfig {

    private static final CompactionConfig DEFAULTS = new Builder().build();

    private final EnumMap<SchedulerKnob, Number> values;

    private CompactionConfig(EnumMap<SchedulerKnob, Number> values) {
        this.values = values;
    }

    /** The configuration with every Doris default. */
    public static CompactionConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.values.putAll(values);
        return b;
    }

    /** A copy with one key changed, validated. */
    public CompactionConfig with(String key, Object value) {
        return toBuilder().set(key, value).build();
    }

    /** The value of a key, as a Long (whole-number keys) or a Double (ratios). */
    public Number get(SchedulerKnob key) {
        return values.get(key);
    }

    private long l(SchedulerKnob k) {
        return values.get(k).longValue();
    }

    private int i(SchedulerKnob k) {
        return (int) Math.min(Integer.MAX_VALUE, values.get(k).longValue());
    }

    /** Every key by its Doris name, in declaration order, for config wiring and show_config. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<SchedulerKnob, Number> e : values.entrySet()) {
            m.put(e.getKey().key(), e.getValue());
        }
        return Collections.unmodifiableMap(m);
    }

    public int cumulativeCompactionMinDeltas() {
        return i(SchedulerKnob.CUMULATIVE_COMPACTION_MIN_DELTAS);
    }

    public int cumulativeCompactionMaxDeltas() {
        return i(SchedulerKnob.CUMULATIVE_COMPACTION_MAX_DELTAS);
    }

    public int cumulativeCompactionMaxDeltasFactor() {
        return i(SchedulerKnob.CUMULATIVE_COMPACTION_MAX_DELTAS_FACTOR);
    }

    public long compactionPromotionSizeBytes() {
        return l(SchedulerKnob.COMPACTION_PROMOTION_SIZE_MBYTES) * MB;
    }

    public double compactionPromotionRatio() {
        return values.get(SchedulerKnob.COMPACTION_PROMOTION_RATIO).doubleValue();
    }

    public long compactionPromotionMinSizeBytes() {
        return l(SchedulerKnob.COMPACTION_PROMOTION_MIN_SIZE_MBYTES) * MB;
    }

    public long compactionPromotionVersionCount() {
        return l(SchedulerKnob.COMPACTION_PROMOTION_VERSION_COUNT);
    }

    public long compactionMinSizeBytes() {
        return l(SchedulerKnob.COMPACTION_MIN_SIZE_MBYTES) * MB;
    }

    public int baseCompactionMinRowsetNum() {
        return i(SchedulerKnob.BASE_COMPACTION_MIN_ROWSET_NUM);
    }

    public double baseCompactionMinDataRatio() {
        return values.get(SchedulerKnob.BASE_COMPACTION_MIN_DATA_RATIO).doubleValue();
    }

    public long baseCompactionMaxCompactionScore() {
        return l(SchedulerKnob.BASE_COMPACTION_MAX_COMPACTION_SCORE);
    }

    public long mowBaseCompactionMaxCompactionScore() {
        return l(SchedulerKnob.MOW_BASE_COMPACTION_MAX_COMPACTION_SCORE);
    }

    public long baseCompactionIntervalSecondsSinceLastOperation() {
        return l(SchedulerKnob.BASE_COMPACTION_INTERVAL_SECONDS_SINCE_LAST_OPERATION);
    }

    public long baseCompactionDupKeyMaxFileSizeBytes() {
        return l(SchedulerKnob.BASE_COMPACTION_DUP_KEY_MAX_FILE_SIZE_MBYTES) * MB;
    }

    public long pickRowsetToCompactIntervalSec() {
        return l(SchedulerKnob.PICK_ROWSET_TO_COMPACT_INTERVAL_SEC);
    }

    public long compactionKeepInvisibleVersionMaxCount() {
        return l(SchedulerKnob.COMPACTION_KEEP_INVISIBLE_VERSION_MAX_COUNT);
    }

    public long totalPermitsForCompactionScore() {
        return l(SchedulerKnob.TOTAL_PERMITS_FOR_COMPACTION_SCORE);
    }

    public long tabletSchedDelayTimeMs() {
        return l(SchedulerKnob.TABLET_SCHED_DELAY_TIME_MS);
    }

    public int compactionTaskNumPerDisk() {
        return i(SchedulerKnob.COMPACTION_TASK_NUM_PER_DISK);
    }

    public int compactionTaskNumPerFastDisk() {
        return i(SchedulerKnob.COMPACTION_TASK_NUM_PER_FAST_DISK);
    }

    public int lowPriorityCompactionTaskNumPerDisk() {
        return i(SchedulerKnob.LOW_PRIORITY_COMPACTION_TASK_NUM_PER_DISK);
    }

    public long lowPriorityCompactionScoreThreshold() {
        return l(SchedulerKnob.LOW_PRIORITY_COMPACTION_SCORE_THRESHOLD);
    }

    public int maxBaseCompactionThreads() {
        return i(SchedulerKnob.MAX_BASE_COMPACTION_THREADS);
    }

    public int maxCumuCompactionThreads() {
        return i(SchedulerKnob.MAX_CUMU_COMPACTION_THREADS);
    }

    public int maxSingleReplicaCompactionThreads() {
        return i(SchedulerKnob.MAX_SINGLE_REPLICA_COMPACTION_THREADS);
    }

    public int maxTabletVersionNum() {
        return i(SchedulerKnob.MAX_TABLET_VERSION_NUM);
    }

    public int timeSeriesMaxTabletVersionNum() {
        return i(SchedulerKnob.TIME_SERIES_MAX_TABLET_VERSION_NUM);
    }

    public long compactionMaxRowsetCount() {
        return l(SchedulerKnob.COMPACTION_MAX_ROWSET_COUNT);
    }

    public double loadBackPressureVersionRatio() {
        return values.get(SchedulerKnob.LOAD_BACK_PRESSURE_VERSION_RATIO).doubleValue();
    }

    public long loadBackPressureMaxDelayMs() {
        return l(SchedulerKnob.LOAD_BACK_PRESSURE_MAX_DELAY_MS);
    }

    public long compactionFailureBackoffMaxMs() {
        return l(SchedulerKnob.COMPACTION_FAILURE_BACKOFF_MAX_MS);
    }

    public int compactionQuarantineFailures() {
        return i(SchedulerKnob.COMPACTION_QUARANTINE_FAILURES);
    }

    /** Ours: seconds a tablet's versions or score may keep rising with no compaction finishing. */
    public long compactionStuckRisingSeconds() {
        return l(SchedulerKnob.COMPACTION_STUCK_RISING_SECONDS);
    }

    /** Ours: seconds before a running compaction may be reported overdue. */
    public long compactionStuckMinSeconds() {
        return l(SchedulerKnob.COMPACTION_STUCK_MIN_SECONDS);
    }

    /** Ours: the slowest expected merge rate, input rows per second. */
    public long compactionStuckMinRowsPerSecond() {
        return l(SchedulerKnob.COMPACTION_STUCK_MIN_ROWS_PER_SECOND);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CompactionConfig c && c.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "CompactionConfig" + asMap();
    }

    static final long MB = 1024L * 1024L;

    /** Collects and validates values; unset keys keep their Doris default. */
    public static final class Builder {
        private final EnumMap<SchedulerKnob, Number> values = new EnumMap<>(SchedulerKnob.class);

        private Builder() {
            for (SchedulerKnob k : SchedulerKnob.values()) {
                values.put(k, k.validate(k.defaultValue()));
            }
        }

        /**
         * Sets a key by its Doris name; the value may be a number or a string to parse.
         *
         * @throws IllegalArgumentException for an unknown key or an invalid value, naming both
         */
        public Builder set(String key, Object value) {
            return set(SchedulerKnob.of(key), value);
        }

        /** Sets a key; see {@link #set(String, Object)}. */
        public Builder set(SchedulerKnob key, Object value) {
            values.put(key, key.validate(value));
            return this;
        }

        /** Sets every entry of the map (Doris names to values). */
        public Builder setAll(Map<String, ?> entries) {
            for (Map.Entry<String, ?> e : entries.entrySet()) {
                set(e.getKey(), e.getValue());
            }
            return this;
        }

        public CompactionConfig build() {
            return new CompactionConfig(new EnumMap<>(values));
        }
    }
}
