package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.storage.tablet.TableProperties;

/**
 * The version-count limit on loads (Doris §2.14). A tablet's version count is its number of
 * visible rowsets; above the limit a load is refused with E-235, and within 100 of it a forced
 * cumulative compaction (bypassing permits) is submitted.
 */
public final class VersionLimits {
    /** How close to the limit a load forces a cumulative compaction. */
    public static final int FORCE_MARGIN = 100;
    /** Doris {@code load_trigger_compaction_version_percent}. */
    public static final int LOAD_TRIGGER_PERCENT = 66;
    /** After publish, only every this many publishes of a tablet may trigger a compaction. */
    public static final int PUBLISH_TRIGGER_EVERY = 20;

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
     * Whether a publish should submit a forced, non-eager cumulative compaction: version count
     * above 66 % of the limit, on every 20th publish of the tablet.
     */
    public static boolean shouldTriggerAfterPublish(int versionCount, int limit, long publishedCount) {
        return versionCount > (long) limit * LOAD_TRIGGER_PERCENT / 100 && publishedCount % PUBLISH_TRIGGER_EVERY == 0;
    }

    /** Doris's E-235 message, word for word. */
    public static String tooManyVersionMessage(int versionCount, int limit, long tabletId) {
        return "failed to init rowset builder. version count: " + versionCount + ", exceed limit: " + limit
                + ", tablet: " + tabletId + ". Please reduce the frequency of loading data or adjust the "
                + "max_tablet_version_num or time_series_max_tablet_version_num in be.conf to a larger value.";
    }
}
