package io.compactor.actors.tablet;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.Status;
import java.util.EnumMap;
import java.util.Map;

/**
 * A tablet's compaction history as Doris's {@code /api/compaction/show} reports it: per kind the
 * last schedule, success and failure times and the last status. Kept in memory only, as in Doris.
 * Owned by the tablet actor.
 */
final class CompactionStatusBook {
    private final Map<CompactionType, Long> lastSchedule = new EnumMap<>(CompactionType.class);
    private final Map<CompactionType, Long> lastSuccess = new EnumMap<>(CompactionType.class);
    private final Map<CompactionType, Long> lastFailure = new EnumMap<>(CompactionType.class);
    private final Map<CompactionType, Status> lastStatus = new EnumMap<>(CompactionType.class);

    void scheduled(CompactionType t, long now) {
        lastSchedule.put(t, now);
    }

    void succeeded(CompactionType t, long now) {
        lastSuccess.put(t, now);
        lastFailure.put(t, 0L);
        lastStatus.put(t, Status.OK);
    }

    void failed(CompactionType t, long now, Status s) {
        lastFailure.put(t, now);
        lastStatus.put(t, s);
    }

    long lastSchedule(CompactionType t) {
        return lastSchedule.getOrDefault(t, 0L);
    }

    long lastSuccess(CompactionType t) {
        return lastSuccess.getOrDefault(t, 0L);
    }

    long lastFailure(CompactionType t) {
        return lastFailure.getOrDefault(t, 0L);
    }

    Status lastStatus(CompactionType t) {
        return lastStatus.getOrDefault(t, Status.OK);
    }
}
