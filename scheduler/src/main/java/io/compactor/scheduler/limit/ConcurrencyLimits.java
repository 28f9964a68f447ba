package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import java.util.EnumMap;

/**
 * Per-kind compaction thread limits as counters: {@code max_base_compaction_threads} (4) bounds
 * base and full compactions together (full runs on Doris's base pool), and
 * {@code max_cumu_compaction_threads} (ours 10) bounds cumulative ones. Limits change at runtime;
 * after lowering, running tasks finish but none starts until the pool is below the new limit.
 * High-water marks per kind are kept for metrics. Synchronized so gauges may read from any thread.
 */
public final class ConcurrencyLimits {
    private int maxBase;
    private int maxCumu;
    private final EnumMap<CompactionType, Integer> running = new EnumMap<>(CompactionType.class);
    private final EnumMap<CompactionType, Integer> highWater = new EnumMap<>(CompactionType.class);

    public ConcurrencyLimits(int maxBaseThreads, int maxCumuThreads) {
        setMaxBaseThreads(maxBaseThreads);
        setMaxCumuThreads(maxCumuThreads);
        for (CompactionType t : CompactionType.values()) {
            running.put(t, 0);
            highWater.put(t, 0);
        }
    }

    /** Limits from the config, resolving Doris's -1 defaults against the node's dirs and cores. */
    public static ConcurrencyLimits fromConfig(CompactionConfig config, int dataDirs, int cores) {
        return new ConcurrencyLimits(resolveBaseThreads(config.maxBaseCompactionThreads(), dataDirs),
                resolveCumuThreads(config.maxCumuCompactionThreads(), dataDirs, cores));
    }

    /** Applies changed thread settings (runtime {@code update_config}). */
    public synchronized void applyConfig(CompactionConfig config, int dataDirs, int cores) {
        setMaxBaseThreads(resolveBaseThreads(config.maxBaseCompactionThreads(), dataDirs));
        setMaxCumuThreads(resolveCumuThreads(config.maxCumuCompactionThreads(), dataDirs, cores));
    }

    /** Doris: -1 means one per data dir; other values at or below 0 mean 1. */
    public static int resolveBaseThreads(int configured, int dataDirs) {
        int n = configured == -1 ? dataDirs : configured;
        return Math.max(1, n);
    }

    /** Doris: -1 means max(data dirs, cores / 6); other values at or below 0 mean 1. */
    public static int resolveCumuThreads(int configured, int dataDirs, int cores) {
        int n = configured == -1 ? Math.max(dataDirs, cores / 6) : configured;
        return Math.max(1, n);
    }

    public synchronized boolean canStart(CompactionType type) {
        return poolRunning(type) < limit(type);
    }

    /** Whether some kind has a free thread and, on some data dir, a free slot. */
    public synchronized boolean anyCanStart(DataDirSlots slots) {
        for (CompactionType t : CompactionType.values()) {
            if (canStart(t) && slots.anyFree(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records a started task.
     *
     * @throws IllegalStateException if {@link #canStart} says no
     */
    public synchronized void started(CompactionType type) {
        if (!canStart(type)) {
            throw new IllegalStateException("no free " + type + " compaction thread: " + poolRunning(type)
                    + " running, limit " + limit(type));
        }
        int n = running.merge(type, 1, Integer::sum);
        highWater.merge(type, n, Math::max);
    }

    public synchronized void finished(CompactionType type) {
        int n = running.get(type);
        if (n == 0) {
            throw new IllegalStateException("no " + type + " compaction is running");
        }
        running.put(type, n - 1);
    }

    public synchronized int running(CompactionType type) {
        return running.get(type);
    }

    /** Most tasks of this kind ever running at once. */
    public synchronized int highWaterMark(CompactionType type) {
        return highWater.get(type);
    }

    /** The limit that applies to a kind (base and full share one). */
    public synchronized int limit(CompactionType type) {
        return type.usesBasePool() ? maxBase : maxCumu;
    }

    public synchronized void setMaxBaseThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("max_base_compaction_threads must be >= 1 (got " + n + ")");
        }
        maxBase = n;
    }

    public synchronized void setMaxCumuThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("max_cumu_compaction_threads must be >= 1 (got " + n + ")");
        }
        maxCumu = n;
    }

    private int poolRunning(CompactionType type) {
        if (type.usesBasePool()) {
            return running.get(CompactionType.BASE) + running.get(CompactionType.FULL);
        }
        return running.get(CompactionType.CUMULATIVE);
    }
}
