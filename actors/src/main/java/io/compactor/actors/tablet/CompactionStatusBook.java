package io.compactor.actors.tablet;

import io.compactor.api.TabletCompactionStatus;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.util.Status;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import io.compactor.api.SingleReplicaStatus;
import io.compactor.storage.tablet.TabletMeta;

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

    // ---- single-replica compaction (Doris's "single replica compaction status")

    private Status singleReplicaFailure = Status.OK;
    private String singleReplicaFetched = "";
    private boolean fetching;

    boolean fetching() {
        return fetching;
    }

    void fetchStarted() {
        fetching = true;
    }

    /** A single-replica fetch ended (or was refused) with {@code status}; {@code fetched} is its last version. */
    void fetchEnded(Status status, String fetched) {
        fetching = false;
        if (!status.ok()) {
            singleReplicaFailure = status;
        } else if (fetched != null) {
            singleReplicaFetched = fetched;
        }
    }

    /** The show block of a follower whose designated peer is {@code remotePeer}. */
    SingleReplicaStatus singleReplicaStatus(String remotePeer) {
        return new SingleReplicaStatus(remotePeer, singleReplicaFailure.toString(), singleReplicaFetched);
    }

    /** Everything show and run_status report; {@code running} are the kinds running now. */
    TabletCompactionStatus status(String policy, TabletMeta meta, Set<CompactionType> running,
                                  SingleReplicaStatus singleReplica) {
        Map<CompactionType, Long> failure = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Long> success = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Long> schedule = new EnumMap<>(CompactionType.class);
        Map<CompactionType, Status> status = new EnumMap<>(CompactionType.class);
        for (CompactionType t : CompactionType.values()) {
            failure.put(t, lastFailure(t));
            success.put(t, lastSuccess(t));
            schedule.put(t, lastSchedule(t));
            if (lastStatus.containsKey(t)) {
                status.put(t, lastStatus.get(t)); // Doris: "" until the kind has run
            }
        }
        Set<CompactionType> kinds = running.isEmpty() ? EnumSet.noneOf(CompactionType.class) : EnumSet.copyOf(running);
        if (fetching) {
            kinds.add(CompactionType.CUMULATIVE);
        }
        return new TabletCompactionStatus(policy, meta, failure, success, schedule, status, kinds, singleReplica);
    }
}
