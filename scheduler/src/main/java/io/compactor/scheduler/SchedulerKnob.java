package io.compactor.scheduler;

import java.util.HashMap;
import java.util.Map;

/**
 * Every knob of the compaction scheduler, named as in Doris's {@code be.conf} so operators
 * recognise them, with Doris's default and the smallest (and largest) value accepted.
 * Keys marked "ours" are additions beyond Doris.
 */
public enum SchedulerKnob {
    CUMULATIVE_COMPACTION_MIN_DELTAS("cumulative_compaction_min_deltas", 5, 1, Long.MAX_VALUE),
    CUMULATIVE_COMPACTION_MAX_DELTAS("cumulative_compaction_max_deltas", 1000, 1, Long.MAX_VALUE),
    CUMULATIVE_COMPACTION_MAX_DELTAS_FACTOR("cumulative_compaction_max_deltas_factor", 10, 1, Long.MAX_VALUE),
    COMPACTION_PROMOTION_SIZE_MBYTES("compaction_promotion_size_mbytes", 1024, 1, Long.MAX_VALUE),
    COMPACTION_PROMOTION_RATIO("compaction_promotion_ratio", 0.05, 0.0, 1.0),
    COMPACTION_PROMOTION_MIN_SIZE_MBYTES("compaction_promotion_min_size_mbytes", 128, 1, Long.MAX_VALUE),
    COMPACTION_PROMOTION_VERSION_COUNT("compaction_promotion_version_count", 1000, 1, Long.MAX_VALUE),
    COMPACTION_MIN_SIZE_MBYTES("compaction_min_size_mbytes", 64, 0, Long.MAX_VALUE),
    BASE_COMPACTION_MIN_ROWSET_NUM("base_compaction_min_rowset_num", 5, 1, Long.MAX_VALUE),
    BASE_COMPACTION_MIN_DATA_RATIO("base_compaction_min_data_ratio", 0.3, 0.0, Double.MAX_VALUE),
    BASE_COMPACTION_MAX_COMPACTION_SCORE("base_compaction_max_compaction_score", 20, 1, Long.MAX_VALUE),
    MOW_BASE_COMPACTION_MAX_COMPACTION_SCORE("mow_base_compaction_max_compaction_score", 200, 1, Long.MAX_VALUE),
    BASE_COMPACTION_INTERVAL_SECONDS_SINCE_LAST_OPERATION(
            "base_compaction_interval_seconds_since_last_operation", 86400, 0, Long.MAX_VALUE),
    BASE_COMPACTION_DUP_KEY_MAX_FILE_SIZE_MBYTES("base_compaction_dup_key_max_file_size_mbytes", 1024, 1, Long.MAX_VALUE),
    PICK_ROWSET_TO_COMPACT_INTERVAL_SEC("pick_rowset_to_compact_interval_sec", 86400, 0, Long.MAX_VALUE),
    COMPACTION_KEEP_INVISIBLE_VERSION_MAX_COUNT("compaction_keep_invisible_version_max_count", 500, 0, Long.MAX_VALUE),
    TOTAL_PERMITS_FOR_COMPACTION_SCORE("total_permits_for_compaction_score", 1_000_000, 0, Long.MAX_VALUE),
    TABLET_SCHED_DELAY_TIME_MS("tablet_sched_delay_time_ms", 5000, 1, Long.MAX_VALUE),
    COMPACTION_TASK_NUM_PER_DISK("compaction_task_num_per_disk", 4, 2, Integer.MAX_VALUE),
    COMPACTION_TASK_NUM_PER_FAST_DISK("compaction_task_num_per_fast_disk", 8, 2, Integer.MAX_VALUE),
    LOW_PRIORITY_COMPACTION_TASK_NUM_PER_DISK("low_priority_compaction_task_num_per_disk", 2, 1, Integer.MAX_VALUE),
    LOW_PRIORITY_COMPACTION_SCORE_THRESHOLD("low_priority_compaction_score_threshold", 200, 0, Long.MAX_VALUE),
    /** -1 means "one per data dir" as in Doris; other values at or below 0 mean 1. */
    MAX_BASE_COMPACTION_THREADS("max_base_compaction_threads", 4, -1, Integer.MAX_VALUE),
    /** Ours: 10 (Doris: -1, max(data dirs, cores / 6)); -1 keeps Doris's rule. */
    MAX_CUMU_COMPACTION_THREADS("max_cumu_compaction_threads", 10, -1, Integer.MAX_VALUE),
    /**
     * Single-replica compaction tasks (a follower fetching the designated replica's output)
     * running at once; Doris's {@code max_single_replica_compaction_threads}, ours defaults to 10.
     */
    MAX_SINGLE_REPLICA_COMPACTION_THREADS("max_single_replica_compaction_threads", 10, 1, Integer.MAX_VALUE),
    MAX_TABLET_VERSION_NUM("max_tablet_version_num", 2000, 2, Integer.MAX_VALUE),
    TIME_SERIES_MAX_TABLET_VERSION_NUM("time_series_max_tablet_version_num", 20000, 2, Integer.MAX_VALUE),
    COMPACTION_MAX_ROWSET_COUNT("compaction_max_rowset_count", 10000, 2, Integer.MAX_VALUE),
    /**
     * Ours: graded back-pressure starts when a tablet's version count passes this share of its
     * version limit (default 0.5); 1 turns it off.
     */
    LOAD_BACK_PRESSURE_VERSION_RATIO("load_back_pressure_version_ratio", 0.5, 0.0, 1.0),
    /** Ours: the longest delay back-pressure puts on one load into a tablet, just below the limit (default 1000). */
    LOAD_BACK_PRESSURE_MAX_DELAY_MS("load_back_pressure_max_delay_ms", 1000, 0, 600_000),
    /** Ours: the longest back-off after repeated failures of one (tablet, kind), default 10 minutes. */
    COMPACTION_FAILURE_BACKOFF_MAX_MS("compaction_failure_backoff_max_ms", 600_000, 1, Long.MAX_VALUE),
    /** Ours: consecutive failures after which a (tablet, kind) is quarantined, default 10. */
    COMPACTION_QUARANTINE_FAILURES("compaction_quarantine_failures", 10, 1, Integer.MAX_VALUE),
    /**
     * Ours: the stuck-tablet watchdog reports a tablet whose version count or score has kept rising
     * for this long with no compaction of it finishing, default 10 minutes.
     */
    COMPACTION_STUCK_RISING_SECONDS("compaction_stuck_rising_seconds", 600, 1, Long.MAX_VALUE),
    /** Ours: a running compaction is never reported overdue sooner than this, default 5 minutes. */
    COMPACTION_STUCK_MIN_SECONDS("compaction_stuck_min_seconds", 300, 1, Long.MAX_VALUE),
    /**
     * Ours: the slowest merge rate the watchdog expects (input rows per second): a compaction running
     * longer than its input rows at this rate, and longer than compaction_stuck_min_seconds, is overdue.
     */
    COMPACTION_STUCK_MIN_ROWS_PER_SECOND("compaction_stuck_min_rows_per_second", 10_000, 1, Long.MAX_VALUE);

    private static final Map<String, SchedulerKnob> BY_NAME = new HashMap<>();

    static {
        for (SchedulerKnob k : values()) {
            BY_NAME.put(k.key, k);
        }
    }

    private final String key;
    private final Number defaultValue;
    private final double min;
    private final double max;

    SchedulerKnob(String key, Number defaultValue, double min, double max) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.min = min;
        this.max = max;
    }

    /** The Doris snake_case name. */
    public String key() {
        return key;
    }

    public Number defaultValue() {
        return defaultValue;
    }

    /** Whether the value is a whole number (all keys but the two ratios). */
    public boolean integral() {
        return !(defaultValue instanceof Double);
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /**
     * Looks a key up by its Doris name.
     *
     * @throws IllegalArgumentException if no such key exists
     */
    public static SchedulerKnob of(String name) {
        SchedulerKnob k = BY_NAME.get(name);
        if (k == null) {
            throw new IllegalArgumentException("unknown compaction config key: " + name);
        }
        return k;
    }

    /**
     * Checks and normalises a value for this key: a Long for whole-number keys, a Double for ratios.
     * Strings are parsed. Messages name the key and the value, e.g.
     * "cumulative_compaction_min_deltas must be >= 1 (got 0)".
     */
    Number validate(Object value) {
        if (value == null) {
            throw new IllegalArgumentException(key + " must not be null");
        }
        double d;
        Number normalised;
        if (value instanceof Number n) {
            d = n.doubleValue();
            if (integral()) {
                if (n instanceof Double || n instanceof Float) {
                    if (d != Math.rint(d) || Double.isInfinite(d)) {
                        throw new IllegalArgumentException(key + " must be a whole number (got " + value + ")");
                    }
                }
                normalised = n.longValue();
            } else {
                normalised = d;
            }
        } else {
            String s = value.toString().trim();
            try {
                normalised = integral() ? (Number) Long.parseLong(s) : (Number) Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be " + (integral() ? "a whole number" : "a number")
                        + " (got '" + s + "')");
            }
            d = normalised.doubleValue();
        }
        if (Double.isNaN(d) || d < min) {
            throw new IllegalArgumentException(key + " must be >= " + show(min) + " (got " + show(d) + ")");
        }
        if (d > max) {
            throw new IllegalArgumentException(key + " must be <= " + show(max) + " (got " + show(d) + ")");
        }
        return normalised;
    }

    private String show(double v) {
        return integral() || v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
