package io.compactor.actors.compaction;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.compaction.CompactionProgress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compactions granted and not yet finished on this node, by task id: what the supervisor must
 * give back (slot, permits) when each ends. Plain bookkeeping, owned by the supervisor actor.
 */
final class RunningTasks {

    /**
     * One granted task; {@code permits} 0, {@code singleReplica} and no {@code progress} for a
     * single-replica fetch.
     */
    record Task(long taskId, long tabletId, long tableId, CompactionType type, String dataDir, long permits,
                boolean manual, boolean singleReplica, CompactionProgress progress) {
    }

    private final Map<Long, Task> byId = new LinkedHashMap<>();
    /** The same tasks by tablet: the per-request checks of a dispatch must not walk every running task. */
    private final Map<Long, List<Task>> byTablet = new HashMap<>();

    void add(Task t) {
        byId.put(t.taskId(), t);
        byTablet.computeIfAbsent(t.tabletId(), k -> new ArrayList<>(2)).add(t);
    }

    /** Removes and returns the task, or null if it is no longer running (its tablet died before). */
    Task remove(long taskId) {
        Task t = byId.remove(taskId);
        if (t != null) {
            List<Task> of = byTablet.get(t.tabletId());
            of.remove(t);
            if (of.isEmpty()) {
                byTablet.remove(t.tabletId());
            }
        }
        return t;
    }

    /** Removes and returns every task of the tablet. */
    List<Task> removeTablet(long tabletId) {
        List<Task> out = byTablet.remove(tabletId);
        if (out == null) {
            return new ArrayList<>();
        }
        for (Task t : out) {
            byId.remove(t.taskId());
        }
        return out;
    }

    private List<Task> of(long tabletId) {
        return byTablet.getOrDefault(tabletId, List.of());
    }

    boolean isRunning(long tabletId, CompactionType type) {
        for (Task t : of(tabletId)) {
            if (t.type() == type && !t.singleReplica()) {
                return true;
            }
        }
        return isFetching(tabletId) && type == CompactionType.CUMULATIVE;
    }

    /** The kinds of local compaction running on the tablet. */
    Set<CompactionType> kinds(long tabletId) {
        Set<CompactionType> kinds = EnumSet.noneOf(CompactionType.class);
        for (Task t : of(tabletId)) {
            if (!t.singleReplica()) {
                kinds.add(t.type());
            }
        }
        return kinds;
    }

    /** Whether a single-replica fetch of the tablet runs. */
    boolean isFetching(long tabletId) {
        for (Task t : of(tabletId)) {
            if (t.singleReplica()) {
                return true;
            }
        }
        return false;
    }

    Collection<Task> all() {
        return byId.values();
    }
}
