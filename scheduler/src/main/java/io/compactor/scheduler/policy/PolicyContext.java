package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableProperties;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Everything a policy may look at besides the tablet snapshot. Immutable; build one per decision.
 *
 * @param config                 scheduler settings
 * @param clock                  the only source of time
 * @param tableProperties        the table's compaction properties (policy, time_series_* values)
 * @param keysType               the table's keys model; UNIQUE_KEYS means merge-on-write here
 * @param lastCumulativeSuccessMs last successful cumulative compaction, epoch ms; 0 = never
 * @param lastBaseSuccessMs       last successful base compaction, epoch ms; 0 = never
 * @param visibleVersion          highest version the frontend has published as visible;
 *                                {@link Long#MAX_VALUE} (the default) when every version is visible
 * @param memoryPressure          process memory above 80 % of its soft limit, or the last
 *                                compaction hit a memory limit: cumulative max score shrinks
 * @param deletePredicate         hook telling which rowsets carry a delete predicate; this node
 *                                has no DELETE statements, so the default says none
 */
public record PolicyContext(CompactionConfig config, Clock clock, TableProperties tableProperties, KeysType keysType,
                            long lastCumulativeSuccessMs, long lastBaseSuccessMs, long visibleVersion,
                            boolean memoryPressure, Predicate<RowsetMeta> deletePredicate) {

    public PolicyContext {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(tableProperties, "tableProperties");
        Objects.requireNonNull(keysType, "keysType");
        Objects.requireNonNull(deletePredicate, "deletePredicate");
    }

    /** A context with default table properties, duplicate keys, everything visible, never compacted. */
    public static Builder builder(CompactionConfig config, Clock clock) {
        return new Builder(config, clock);
    }

    public Builder toBuilder() {
        return new Builder(config, clock).tableProperties(tableProperties).keysType(keysType)
                .lastCumulativeSuccessMs(lastCumulativeSuccessMs).lastBaseSuccessMs(lastBaseSuccessMs)
                .visibleVersion(visibleVersion).memoryPressure(memoryPressure).deletePredicate(deletePredicate);
    }

    /** Merge-on-write: this node's unique-key tables always are. */
    public boolean mergeOnWrite() {
        return keysType == KeysType.UNIQUE_KEYS;
    }

    public boolean timeSeries() {
        return tableProperties.isTimeSeries();
    }

    public long nowMs() {
        return clock.millis();
    }

    public boolean hasDeletePredicate(RowsetMeta rs) {
        return deletePredicate.test(rs);
    }

    /**
     * Whether a rowset may be compacted as far as visibility goes (Doris
     * {@code _pick_visible_rowsets_to_compaction}): it is visible, or so far beyond the visible
     * version ({@code compaction_keep_invisible_version_max_count}) that keeping it is pointless.
     */
    public boolean isCompactable(RowsetMeta rs) {
        if (visibleVersion == Long.MAX_VALUE || rs.endVersion() <= visibleVersion) {
            return true;
        }
        long keep = config.compactionKeepInvisibleVersionMaxCount();
        return rs.endVersion() - visibleVersion > keep;
    }

    /** Builder with the defaults described on {@link PolicyContext}. */
    public static final class Builder {
        private final CompactionConfig config;
        private final Clock clock;
        private TableProperties tableProperties = TableProperties.DEFAULTS;
        private KeysType keysType = KeysType.DUPLICATE_KEYS;
        private long lastCumulativeSuccessMs;
        private long lastBaseSuccessMs;
        private long visibleVersion = Long.MAX_VALUE;
        private boolean memoryPressure;
        private Predicate<RowsetMeta> deletePredicate = rs -> false;

        private Builder(CompactionConfig config, Clock clock) {
            this.config = config;
            this.clock = clock;
        }

        public Builder tableProperties(TableProperties p) {
            this.tableProperties = p;
            return this;
        }

        public Builder keysType(KeysType k) {
            this.keysType = k;
            return this;
        }

        public Builder lastCumulativeSuccessMs(long ms) {
            this.lastCumulativeSuccessMs = ms;
            return this;
        }

        public Builder lastBaseSuccessMs(long ms) {
            this.lastBaseSuccessMs = ms;
            return this;
        }

        public Builder visibleVersion(long v) {
            this.visibleVersion = v;
            return this;
        }

        public Builder memoryPressure(boolean b) {
            this.memoryPressure = b;
            return this;
        }

        public Builder deletePredicate(Predicate<RowsetMeta> p) {
            this.deletePredicate = p;
            return this;
        }

        public PolicyContext build() {
            return new PolicyContext(config, clock, tableProperties, keysType, lastCumulativeSuccessMs,
                    lastBaseSuccessMs, visibleVersion, memoryPressure, deletePredicate);
        }
    }
}
