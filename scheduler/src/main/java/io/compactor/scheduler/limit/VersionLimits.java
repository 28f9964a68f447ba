package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.util.Status;
import java.util.Optional;

/**
 * The version-count limit on loads (Doris §2.14). A tablet's version count is its number of
 * visible rowsets; above the limit a load is refused with E-235, and within 100 of it a forced
 * cumulative compaction (bypassing permits) is submitted.
 */
public final class VersionLimits {
    /** How close to the limit a load forces a cumulative compaction. */
    public static final int FORCE_MARGIN = 100;

    private VersionLimits() {
    }

    /**
     * {@code max_tablet_version_num} (2000), or for time_series tables the larger of it and
     * {@code time_series_max_tablet_version_num} (20000).
     */
    public static int limitFor(TableProperties props, CompactionConfig config) {
        int normal = config.maxTabletVersionNum();
        return props.isTimeSeries() ? Math.max(config.timeSeriesMaxTabletVersionNum(), normal) : normal;
    }

    /** Whether a load must be refused (version count above the limit). */
    public static boolean exceeds(int versionCount, int limit) {
        return versionCount > limit;
    }

    /** Whether a load should force a cumulative compaction (version count above limit - 100). */
    public static boolean shouldForceCumulative(int versionCount, int limit) {
        return versionCount > limit - FORCE_MARGIN;
    }

    /**
     * Graded back-pressure (ours, beyond Doris): the version count past which loads into a tablet
     * are delayed, {@code load_back_pressure_version_ratio} of the limit.
     */
    public static int softLimit(TableProperties props, CompactionConfig config) {
        int limit = limitFor(props, config);
        return (int) Math.floor(limit * config.loadBackPressureVersionRatio());
    }

    /** Whether the tablet is past the soft threshold (its cumulative compaction is urgent). */
    public static boolean pastSoftLimit(int versionCount, TableProperties props, CompactionConfig config) {
        int soft = softLimit(props, config);
        return soft < limitFor(props, config) && versionCount > soft;
    }

    /**
     * How long a load into a tablet with {@code versionCount} versions waits before it writes:
     * 0 up to the soft threshold, then growing linearly with the versions past it, reaching
     * {@code load_back_pressure_max_delay_ms} at the hard limit (never more). Above the hard limit
     * the load is refused instead ({@link #checkLoad}).
     */
    public static long loadDelayMs(int versionCount, TableProperties props, CompactionConfig config) {
        return delayMs(versionCount, softLimit(props, config), limitFor(props, config),
                config.loadBackPressureMaxDelayMs());
    }

    /** {@link #loadDelayMs} on plain numbers. */
    public static long delayMs(int versionCount, int soft, int limit, long maxDelayMs) {
        if (maxDelayMs <= 0 || soft >= limit || versionCount <= soft) {
            return 0;
        }
        long past = Math.min(versionCount, limit) - (long) soft;
        return Math.min(maxDelayMs, Math.max(1, maxDelayMs * past / (limit - soft)));
    }

    /** Doris's E-235 refusal of a load into this tablet, or empty when the load may go on. */
    public static Optional<Status> checkLoad(long tabletId, int versionCount, TableProperties props,
                                             CompactionConfig config) {
        int limit = limitFor(props, config);
        return exceeds(versionCount, limit) ? Optional.of(Status.tooManyVersions(tabletId, versionCount, limit))
                : Optional.empty();
    }
}
