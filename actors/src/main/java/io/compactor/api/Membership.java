package io.compactor.api;

import java.util.concurrent.CompletionStage;

/** The node among its peers: cluster membership, replica peers, single-replica designation, catch-up. */
public interface Membership {
    /** Whether this node runs in cluster mode ({@code cluster_enabled}). */
    boolean enabled();

    /** This node's name in the cluster ({@code host:port} of its remoting), or {@code "local"}. */
    String self();

    /** This node's address, HTTP address, data dirs and tablet count. */
    NodeInfo nodeInfo();

    /** Every member with what its node answered; fails with IllegalStateException outside cluster mode. */
    CompletionStage<ClusterStatus> status();

    /** Tells the node where its HTTP API is bound (the actual port when {@code webserver_port} is 0). */
    void advertiseHttp(String host, int port);

    /**
     * Cluster mode: the HTTP {@code host:port} of a reachable other node holding a replica of the
     * tablet (null when none, when this node holds one, or outside cluster mode).
     */
    String replicaHttpAddress(long tabletId);

    /**
     * Installs who holds the replicas of each tablet (the cluster layer calls it with its
     * placement-backed implementation). {@link ReplicaPeers#NONE} (the default): every tablet
     * compacts locally. {@code replicas(tabletId)} is asked often, so it must be cheap and not block.
     */
    void useReplicaPeers(ReplicaPeers peers);

    ReplicaPeers replicaPeers();

    /** Whether this node's replica is a single-replica follower now (another member's replica compacts). */
    boolean isSingleReplicaFollower(long tabletId);

    /**
     * Makes this node's replica reach the peer's end version by copying the smallest suffix of the
     * peer's chain that lines up with its own; fails with a StatusException (NOT_FOUND, a refused
     * install when the tablet changed meanwhile — retry —, or an IO failure naming file and peer),
     * leaving the tablet as it was and no file behind.
     */
    CompletionStage<CatchUpResult> catchUpFrom(long tabletId, ReplicaPeers.Replica peer);
}
