package io.compactor.actors.cluster;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Shard allocation for tablet replicas: the shard id is the name of the node that holds the
 * replica's files ({@code host:port}), and the shard is only ever allocated to that node's
 * region. While that node is away its shard is not allocated at all (the coordinator retries),
 * and nothing is ever rebalanced: a replica never moves away from its data.
 */
public final class NodePinnedAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {
    private final Cluster cluster;

    public NodePinnedAllocation(org.apache.pekko.actor.ActorSystem system) {
        this.cluster = Cluster.get(system);
    }

    /** The node name of an address: {@code host:port}. */
    public static String nodeName(Address a) {
        return a.host().get() + ":" + a.port().get();
    }

    @Override
    public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
                                          Map<ActorRef, IndexedSeq<String>> current) {
        for (ActorRef region : current.keySet()) {
            Address a = region.path().address();
            if (a.hasLocalScope()) {
                a = cluster.selfAddress();
            }
            if (a.host().isDefined() && nodeName(a).equals(shardId)) {
                return scala.concurrent.Future$.MODULE$.successful(region);
            }
        }
        return scala.concurrent.Future$.MODULE$.failed(new IllegalStateException("node " + shardId + " holding the replicas of shard "
                + shardId + " is not in the cluster now; the shard waits for it"));
    }

    @Override
    public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
        return scala.concurrent.Future$.MODULE$.successful(Set.of());
    }
}
