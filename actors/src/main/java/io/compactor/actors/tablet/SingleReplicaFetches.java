package io.compactor.actors.tablet;

import io.compactor.api.NodeMetrics;
import io.compactor.actors.replica.PeerSync;
import io.compactor.api.SingleReplicaStatus;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.util.concurrent.CompletionException;

/**
 * Doris's rules around a follower's single-replica fetch: when it is refused, how a failure reads,
 * what the metrics count and what {@code /api/compaction/show} shows.
 */
final class SingleReplicaFetches {
    private SingleReplicaFetches() {
    }

    /**
     * Why this tablet may not fetch now, or null. {@code busy} is the exclusion's refusal (a
     * compaction runs), checked where Doris checks its lock.
     */
    static Status refusal(TabletState s, PeerSync peers, Status busy) {
        long tabletId = s.tabletId();
        var source = peers.fetchSource(tabletId);
        if (s.dropped) {
            return Status.tabletNotFound(tabletId);
        }
        if (!s.table.properties().enableSingleReplicaCompaction()) {
            return new Status(StatusCode.NOT_IMPLEMENTED_ERROR, "tablet should do compaction locally");
        }
        if (source.isEmpty()) {
            return new Status(StatusCode.CANCELLED, "tablet " + tabletId
                    + " is the designated single-replica compactor now; it compacts locally");
        }
        if (busy != null) {
            return busy;
        }
        if (!source.get().reachable()) {
            return Status.internal("designated peer " + source.get().httpAddress() + " of tablet " + tabletId
                    + " is unreachable");
        }
        if (s.engine.badTablets().reason(tabletId).isPresent()) {
            return Status.internal("tablet " + tabletId + " is bad, compaction refused");
        }
        return null;
    }

    /** A fetch that threw: its own status, or INTERNAL_ERROR naming the tablet and the peer. */
    static Status failure(long tabletId, boolean singleReplica, String peer, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof java.io.UncheckedIOException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof StatusException se) {
            return se.status();
        }
        return Status.internal((singleReplica ? "single replica compaction" : "catch-up") + " of tablet " + tabletId
                + " from " + peer + " failed: " + e.getMessage());
    }

    /** Counts a finished fetch ({@code fetched}: what it installed, null if nothing). */
    static void count(NodeMetrics metrics, Status status, PeerRowsetSync.Fetch fetched) {
        if (status.ok()) {
            metrics.singleReplicaSuccess.increment();
            metrics.compactionSuccess.get(NodeMetrics.Kind.SINGLE_REPLICA).increment();
            if (fetched != null) {
                metrics.singleReplicaFetchedBytes.add(fetched.bytes());
                metrics.compactionDeltas.get(NodeMetrics.Kind.SINGLE_REPLICA).add(fetched.replaced().size());
                metrics.compactionBytes.get(NodeMetrics.Kind.SINGLE_REPLICA).add(fetched.bytes());
                metrics.compactionRows.get(NodeMetrics.Kind.SINGLE_REPLICA)
                        .add(fetched.installed().stream().mapToLong(RowsetMeta::numRows).sum());
            }
        } else if (status.is(StatusCode.CANCELLED)) {
            metrics.singleReplicaCancelled.increment();
        } else {
            metrics.singleReplicaFailed.increment();
            metrics.compactionFailed.get(NodeMetrics.Kind.SINGLE_REPLICA).increment();
        }
    }

    /** Doris's "single replica compaction status" block, when the table has the property and a peer is designated. */
    static SingleReplicaStatus showBlock(TabletState s, PeerSync peers, CompactionStatusBook book) {
        if (!s.table.properties().enableSingleReplicaCompaction()) {
            return null;
        }
        return peers.designated(s.tabletId()).map(d -> book.singleReplicaStatus(d.httpAddress())).orElse(null);
    }
}
