package io.compactor.actors.cluster;

import io.compactor.api.ReplicaPeers;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.metalog.MetaLog;
import io.compactor.storage.engine.StorageEngine;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * What the cluster actors of one node work with: the node's name in the cluster, its storage,
 * its catalog view, the executor reads run on, the catch-up routine, the load timeout and the
 * meta log.
 *
 * @param self         this node's cluster address ({@code host:port})
 * @param catchUp      copies missing rowsets of a local replica from a peer (or its whole chain)
 * @param loadTimeout  how long a staged (written, undecided) load may wait for its outcome
 * @param nodes        live members and their HTTP addresses
 * @param wakeFollower tells the local compaction supervisor that the designated replica of a
 *                     tablet compacted (a single-replica follower may fetch now)
 * @param log          the cluster's replicated meta and transaction log
 */
public record ClusterServices(String self, StorageEngine engine, AtomicReference<CatalogView> view,
                              Executor readExecutor, CatchUp catchUp, Supplier<Duration> loadTimeout,
                              NodeBook nodes, java.util.function.LongConsumer wakeFollower, MetaLog log) {

    /** Brings a local replica up to a peer's version by copying rowsets. */
    @FunctionalInterface
    public interface CatchUp {
        /** Completes with the local replica's version afterwards. */
        CompletionStage<Long> catchUp(long tabletId, ReplicaPeers.Replica peer, boolean wholeChain);
    }
}
