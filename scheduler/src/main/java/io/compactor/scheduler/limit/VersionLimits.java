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

    /** Doris's E-235 refusal of a load into this tablet, or empty when the load may go on. */
    public static Optional<Status> checkLoad(long tabletId, int versionCount, TableProperties props,
                                             CompactionConfig config) {
        int limit = limitFor(props, config);
        return exceeds(versionCount, limit) ? Optional.of(Status.tooManyVersions(tabletId, versionCount, limit))
                : Optional.empty();
    }
}
