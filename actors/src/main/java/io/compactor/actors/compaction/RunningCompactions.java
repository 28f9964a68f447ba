package io.compactor.actors.compaction;

import io.compactor.storage.compaction.CompactionProgress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's granted and not yet finished compactions with their live {@link CompactionProgress}:
 * the supervisor adds one when it grants a task and removes it when the task's slot comes back;
 * the merge counts into it; {@code /api/compaction/running}, the dashboard, the watchdog and
 * cancel read it. Thread-safe.
 */
public final class RunningCompactions {
    private final Map<Long, CompactionProgress> byTask = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<Void>> released = new ConcurrentHashMap<>();

    void add(CompactionProgress p) {
        released.put(p.taskId(), new CompletableFuture<>());
        byTask.put(p.taskId(), p);
    }

    void remove(long taskId) {
        byTask.remove(taskId);
        CompletableFuture<Void> f = released.remove(taskId);
        if (f != null) {
            f.complete(null);
        }
    }

    /** Completes when the task's slot and permits are back (at once if it is no longer running). */
    public CompletableFuture<Void> whenReleased(long taskId) {
        CompletableFuture<Void> f = released.get(taskId);
        return f == null ? CompletableFuture.completedFuture(null) : f;
    }

    /** The running compactions of a tablet. */
    public List<CompactionProgress> ofTablet(long tabletId) {
        List<CompactionProgress> out = new ArrayList<>();
        for (CompactionProgress p : byTask.values()) {
            if (p.tabletId() == tabletId) {
                out.add(p);
            }
        }
        return out;
    }

    /** A look at every running compaction, oldest grant first. */
    public List<CompactionProgress.Snapshot> snapshots() {
        List<CompactionProgress.Snapshot> out = new ArrayList<>();
        for (CompactionProgress p : byTask.values()) {
            out.add(p.snapshot());
        }
        out.sort(Comparator.comparingLong(CompactionProgress.Snapshot::taskId));
        return out;
    }
}
