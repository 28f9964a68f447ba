package io.compactor.scheduler.config;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.ConfigKey;
import io.compactor.storage.config.StorageKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The scheduler's knobs as node configuration keys: every {@link io.compactor.scheduler.SchedulerKnob}
 * (defaults in scheduler's reference.conf, all runtime-mutable) plus {@code disable_auto_compaction}.
 * The version limits belong to the storage keys and are shared.
 */
public final class SchedulerKeys {
    private SchedulerKeys() {
    }

    public static final ConfigKey<Boolean> DISABLE_AUTO_COMPACTION = ConfigKey.bool("disable_auto_compaction", true);

    private static final Map<io.compactor.scheduler.SchedulerKnob, ConfigKey<?>> SHARED = Map.of(
            io.compactor.scheduler.SchedulerKnob.MAX_TABLET_VERSION_NUM, StorageKeys.MAX_TABLET_VERSION_NUM,
            io.compactor.scheduler.SchedulerKnob.TIME_SERIES_MAX_TABLET_VERSION_NUM,
            StorageKeys.TIME_SERIES_MAX_TABLET_VERSION_NUM);

    /** Keys the scheduler adds to the node's configuration. */
    public static final List<ConfigKey<?>> ALL = build();

    private static List<ConfigKey<?>> build() {
        List<ConfigKey<?>> keys = new ArrayList<>();
        keys.add(DISABLE_AUTO_COMPACTION);
        for (io.compactor.scheduler.SchedulerKnob k : io.compactor.scheduler.SchedulerKnob.values()) {
            if (SHARED.containsKey(k)) {
                continue;
            }
            keys.add(k.integral()
                    ? ConfigKey.int64(k.key(), true, (long) k.min(), (long) k.max())
                    : ConfigKey.dbl(k.key(), true, k.min(), k.max()));
        }
        return List.copyOf(keys);
    }

    /** The scheduler settings as the node's configuration has them now. */
    public static CompactionConfig compactionConfig(CompactorConfig cfg) {
        CompactionConfig.Builder b = CompactionConfig.builder();
        for (io.compactor.scheduler.SchedulerKnob k : io.compactor.scheduler.SchedulerKnob.values()) {
            ConfigKey<?> nodeKey = SHARED.getOrDefault(k, null);
            Object value = nodeKey != null ? cfg.get(nodeKey) : cfg.get(keyNamed(k.key()));
            b.set(k.key(), value);
        }
        return b.build();
    }

    private static ConfigKey<?> keyNamed(String name) {
        for (ConfigKey<?> k : ALL) {
            if (k.name().equals(name)) {
                return k;
            }
        }
        throw new IllegalStateException("no node config key for scheduler key " + name);
    }
}
