package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionType;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts executing compactions per data dir and applies {@link SlotPolicy} to them. Not thread
 * safe: one actor owns it.
 */
public final class DataDirSlots {

    private static final class Dir {
        int slots;
        final EnumMap<CompactionType, Integer> executing = new EnumMap<>(CompactionType.class);

        int total() {
            int n = 0;
            for (int c : executing.values()) {
                n += c;
            }
            return n;
        }
    }

    private final Map<String, Dir> dirs = new LinkedHashMap<>();

    /** Registers a dir (or changes its slot count). */
    public void setSlots(String dataDir, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots of data dir " + dataDir + " must be >= 1 (got " + slots + ")");
        }
        dirs.computeIfAbsent(dataDir, d -> new Dir()).slots = slots;
    }

    /** Registers every dir with the same slot count (or changes it). */
    public void setSlots(java.util.Collection<String> dataDirs, int slots) {
        for (String d : dataDirs) {
            setSlots(d, slots);
        }
    }

    public boolean canStart(String dataDir, CompactionType type) {
        Dir d = dir(dataDir);
        return SlotPolicy.needGenerateCompactionTasks(d.total(), d.slots, type,
                d.executing.getOrDefault(CompactionType.CUMULATIVE, 0) > 0);
    }

    /**
     * Records a task that started executing.
     *
     * @throws IllegalStateException if {@link #canStart} says no
     */
    public void started(String dataDir, CompactionType type) {
        if (!canStart(dataDir, type)) {
            Dir d = dir(dataDir);
            throw new IllegalStateException("no free " + type + " compaction slot on data dir " + dataDir + " ("
                    + d.total() + " of " + d.slots + " executing)");
        }
        dir(dataDir).executing.merge(type, 1, Integer::sum);
    }

    /** Records a task that finished (or failed or was cancelled). */
    public void finished(String dataDir, CompactionType type) {
        Dir d = dir(dataDir);
        int n = d.executing.getOrDefault(type, 0);
        if (n == 0) {
            throw new IllegalStateException("no " + type + " compaction is executing on data dir " + dataDir);
        }
        d.executing.put(type, n - 1);
    }

    public int executing(String dataDir) {
        return dir(dataDir).total();
    }

    public int executing(String dataDir, CompactionType type) {
        return dir(dataDir).executing.getOrDefault(type, 0);
    }

    public int slots(String dataDir) {
        return dir(dataDir).slots;
    }

    /** Whether any registered dir has room for {@code type} (Doris's "too busy" check for eager=false). */
    public boolean anyFree(CompactionType type) {
        for (String d : dirs.keySet()) {
            if (canStart(d, type)) {
                return true;
            }
        }
        return false;
    }

    private Dir dir(String dataDir) {
        Dir d = dirs.get(dataDir);
        if (d == null) {
            throw new IllegalArgumentException("unknown data dir " + dataDir);
        }
        return d;
    }
}
