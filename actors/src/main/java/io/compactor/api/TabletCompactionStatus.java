package io.compactor.api;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import java.util.Map;

/**
 * A tablet's compaction state for {@code /api/compaction/show} and {@code run_status}.
 *
 * @param policy       "size_based" or "time_series"
 * @param meta         rowsets, stale rowsets and cumulative point
 * @param lastFailure  per kind, epoch ms (0 = never)
 * @param lastSuccess  per kind, epoch ms
 * @param lastSchedule per kind, epoch ms
 * @param lastStatus   per kind
 * @param running      the kinds running now (full excludes the others)
 * @param singleReplica Doris's single-replica block: when the table has
 *                      {@code enable_single_replica_compaction} and peers are known, else null
 */
public record TabletCompactionStatus(String policy, TabletMeta meta, Map<CompactionType, Long> lastFailure,
                                     Map<CompactionType, Long> lastSuccess, Map<CompactionType, Long> lastSchedule,
                                     Map<CompactionType, Status> lastStatus, java.util.Set<CompactionType> running,
                                     io.compactor.api.SingleReplicaStatus singleReplica) {
}
