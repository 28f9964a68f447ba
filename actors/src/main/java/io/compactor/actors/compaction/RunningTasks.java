package io.compactor.actors.compaction;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.compaction.CompactionProgress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
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

    void add(Task t) {
        byId.put(t.taskId(), t);
    }

    /** Removes and returns the task, or null if it is no longer running (its tablet died before). */
    Task remove(long taskId) {
        return byId.remove(taskId);
    }

    /** Removes and returns every task of the tablet. */
    List<Task> removeTablet(long tabletId) {
        List<Task> out = new ArrayList<>();
        byId.values().removeIf(t -> {
            if (t.tabletId() == tabletId) {
                out.add(t);
                return true;
            }
            return false;
        });
        return out;
    }

    boolean isRunning(long tabletId, CompactionType type) {
        for (Task t : byId.values()) {
            if (t.tabletId() == tabletId && t.type() == type && !t.singleReplica()) {
                return true;
            }
        }
        return isFetching(tabletId) && type == CompactionType.CUMULATIVE;
    }

    /** The kinds of local compaction running on the tablet. */
    Set<CompactionType> kinds(long tabletId) {
        Set<CompactionType> kinds = EnumSet.noneOf(CompactionType.class);
        for (Task t : byId.values()) {
            if (t.tabletId() == tabletId && !t.singleReplica()) {
                kinds.add(t.type());
            }
        }
        return kinds;
    }

    /** Whether a single-replica fetch of the tablet runs. */
    boolean isFetching(long tabletId) {
        for (Task t : byId.values()) {
            if (t.tabletId() == tabletId && t.singleReplica()) {
                return true;
            }
        }
        return false;
    }

    Collection<Task> all() {
        return byId.values();
    }
}
