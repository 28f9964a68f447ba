package io.compactor.actors.cluster;

import java.util.List;

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
