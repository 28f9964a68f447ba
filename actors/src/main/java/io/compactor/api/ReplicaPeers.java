package io.compactor.api;

import io.compactor.scheduler.replica.SingleReplicaDesignation;
import java.util.List;
import java.util.Optional;

/**
 * Who holds the replicas of a tablet: what single-replica compaction (which replica compacts,
 * where the others fetch from) and replica catch-up (where a lagging replica copies missing
 * rowsets from) need to know. In cluster mode the node supplies one backed by the durable
 * placement and the live membership; an embedding program may supply its own (for example a
 * static list of peers); on a single node it is {@link #NONE}.
 */
public interface ReplicaPeers {

    /**
     * One replica of a tablet. Tablet ids are the same on every node holding a replica.
     *
     * @param replicaId   cluster-unique id of this replica (Doris picks the single-replica
     *                    compactor as the replica with the smallest hash of this id)
     * @param node        the node holding it (its cluster address, e.g. {@code 127.0.0.1:2551})
     * @param httpAddress {@code host:port} of that node's HTTP API (peers download files there)
     * @param self        whether it is this node's replica
     * @param reachable   whether its node is up and reachable now
     * @param member      whether its node is still a member of the cluster (false once it left
     *                    or was removed; an unreachable member is still a member)
     */
    record Replica(long replicaId, String node, String httpAddress, boolean self, boolean reachable,
                   boolean member) {
    }

    /** The tablet's replicas, this node's included; empty when the tablet has no peers. */
    List<Replica> replicas(long tabletId);

    /** The token peers expect on their {@code /api/_tablet/...} endpoints; null when none is set. */
    String downloadToken();

    /**
     * The content identity a replica's rowset holding versions {@code [from-to]} of the tablet must
     * have, as the cluster's meta log recorded it; empty when nothing records it (the default: then
     * peers are compared by version numbers only). Copies from a peer whose rowset disagrees are refused.
     */
    default java.util.OptionalLong identity(long tabletId, long from, long to) {
        return java.util.OptionalLong.empty();
    }

    /**
     * This node's replica of the tablet (the designated single-replica compactor) just committed
     * a compaction: followers may fetch now. The default does nothing (followers then find the
     * output when they look again).
     */
    default void announceCompaction(long tabletId) {
    }

    /**
     * Doris's single-replica compactor among {@code replicas}: the one with the smallest
     * {@link SingleReplicaDesignation#score hash64(replicaId, 104729) % 7652413} among those whose
     * node is still a {@link Replica#member() member} (an unreachable member keeps the role, so its
     * followers wait instead of compacting locally). Empty when no replica is a member.
     */
    static Optional<Replica> designated(List<Replica> replicas) {
        Replica best = null;
        long bestScore = Long.MAX_VALUE;
        for (Replica r : replicas) {
            if (!r.member()) {
                continue;
            }
            long s = SingleReplicaDesignation.score(r.replicaId());
            if (best == null || s < bestScore || s == bestScore && r.replicaId() < best.replicaId()) {
                best = r;
                bestScore = s;
            }
        }
        return Optional.ofNullable(best);
    }

    /** No peers at all (single node). */
    ReplicaPeers NONE = new ReplicaPeers() {
        @Override
        public List<Replica> replicas(long tabletId) {
            return List.of();
        }

        @Override
        public String downloadToken() {
            return null;
        }
    };
}
