package io.compactor.actors.tablet;

import io.compactor.api.NodeMetrics;
import io.compactor.api.TabletStats;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.actors.compaction.SupervisorProtocol;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.scheduler.policy.PolicyContext;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * What a tablet tells the node about itself: the candidates it offers the compaction supervisor
 * (scores and picks come from the scheduler module only) and the figures it publishes for
 * {@code /api/compaction_score}, metrics and {@code GET /api/{db}/{table}}.
 */
final class TabletReports {
    private TabletReports() {
    }

    /** The context the scheduler's policies decide in, for this tablet now. */
    static PolicyContext policyContext(TabletState s, CompactionConfig config, CompactionStatusBook book) {
        return PolicyContext.builder(config, s.engine.clock())
                .tableProperties(s.table.properties())
                .keysType(s.table.schema().keysType())
                .lastCumulativeSuccessMs(book.lastSuccess(CompactionType.CUMULATIVE))
                .lastBaseSuccessMs(book.lastSuccess(CompactionType.BASE))
                .visibleVersion(s.meta.maxVersion())
                .build();
    }

    /** The tablet's candidates per kind; a policy that throws offers nothing (and is logged). */
    static SupervisorProtocol.TabletReport report(TabletState s, PolicyContext pc, ActorRef<?> self,
                                                    ActorRef<SupervisorProtocol.Task> tasks, boolean autoCompaction,
                                                    Logger log) {
        CompactionCandidate cumulative = CompactionCandidate.none(CompactionType.CUMULATIVE);
        CompactionCandidate base = CompactionCandidate.none(CompactionType.BASE);
        CompactionCandidate full = CompactionCandidate.ofScore(CompactionType.FULL, s.meta.compactionScore());
        try {
            cumulative = CompactionCandidate.of(CompactionType.CUMULATIVE, s.meta, pc);
            base = CompactionCandidate.of(CompactionType.BASE, s.meta, pc);
        } catch (RuntimeException e) {
            log.warn("tablet {}: score calculation failed: {}", s.tabletId(), e.toString());
        }
        boolean urgent = io.compactor.scheduler.limit.VersionLimits.pastSoftLimit(s.meta.versionCount(),
                s.table.properties(), pc.config());
        var props = s.table.properties();
        var table = new SupervisorProtocol.Table(s.meta.tableId(), props.compactionWeight(),
                props.compactionConcurrencyLimit(), s.meta.versionCount(), s.meta.compactionScore());
        return new SupervisorProtocol.TabletReport(s.tabletId(), s.meta.dataDir(), self, tasks, cumulative, base,
                full, autoCompaction, props.enableSingleReplicaCompaction(), table, urgent);
    }

    /** Counts a finished compaction task in the node's metrics by its outcome. */
    static void countCompaction(NodeMetrics metrics, CompactionPick pick, Status status) {
        NodeMetrics.Kind kind = NodeMetrics.Kind.of(pick.type());
        if (status.ok()) {
            metrics.compactionDeltas.get(kind).add(pick.inputs().size());
            metrics.compactionBytes.get(kind).add(pick.inputBytes());
            metrics.compactionRows.get(kind).add(pick.inputRows());
            metrics.compactionSuccess.get(kind).increment();
        } else if (status.is(StatusCode.CANCELLED)) {
            metrics.compactionCancelled.get(kind).increment();
        } else {
            metrics.compactionFailed.get(kind).increment();
        }
    }

    static TabletStats stats(TabletState s, SupervisorProtocol.TabletReport r) {
        return new TabletStats(s.tabletId(), s.meta.tableId(), s.meta.dataDir(), s.meta.versionCount(),
                s.meta.compactionScore(), r.cumulative().score(), r.base().score(), s.meta.maxVersion(),
                s.meta.totalRows(), s.meta.totalBytes(),
                s.meta.rowsets().stream().mapToLong(rs -> rs.numSegments()).sum());
    }
}
