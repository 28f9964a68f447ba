package io.compactor.actors.replica;

import io.compactor.api.ReplicaPeers;
import io.compactor.storage.peer.PeerRowsetFetcher;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's view of its tablets' peer replicas, for single-replica compaction and catch-up: the
 * current {@link ReplicaPeers} (swappable at runtime; {@link ReplicaPeers#NONE} until an embedding
 * program or the cluster layer installs one) and the shared HTTP fetcher. Designation is
 * recomputed on every question, so a designated replica that stops being a member hands the role
 * over at once. Thread-safe.
 */
public final class PeerSync {
    private final AtomicReference<ReplicaPeers> peers = new AtomicReference<>(ReplicaPeers.NONE);
    private final PeerRowsetFetcher fetcher;

    public PeerSync(PeerRowsetFetcher fetcher) {
        this.fetcher = fetcher;
    }

    public ReplicaPeers peers() {
        return peers.get();
    }

    public void use(ReplicaPeers p) {
        peers.set(p == null ? ReplicaPeers.NONE : p);
    }

    public PeerRowsetFetcher fetcher() {
        return fetcher;
    }

    /** The tablet's replicas (empty without peers); a failing lookup counts as no peers. */
    public List<ReplicaPeers.Replica> replicas(long tabletId) {
        try {
            List<ReplicaPeers.Replica> r = peers.get().replicas(tabletId);
            return r == null ? List.of() : r;
        } catch (RuntimeException e) {
            return List.of();
        }
    }

    /** The designated compactor of the tablet among member replicas; empty without peers. */
    public Optional<ReplicaPeers.Replica> designated(long tabletId) {
        return ReplicaPeers.designated(replicas(tabletId));
    }

    /**
     * The replica to fetch compaction output from when this node's replica is a single-replica
     * follower (the designated replica is another node's); empty when this replica compacts
     * locally (it is designated, or there are no peers). The table property is the caller's check.
     */
    public Optional<ReplicaPeers.Replica> fetchSource(long tabletId) {
        return designated(tabletId).filter(r -> !r.self());
    }

    /** Whether this replica is a follower by designation (the property is the caller's check). */
    public boolean isFollower(long tabletId) {
        return fetchSource(tabletId).isPresent();
    }
}
