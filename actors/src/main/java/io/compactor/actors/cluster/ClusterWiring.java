package io.compactor.actors.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Starts a node's part of the cluster machinery: the sharded tablet replicas, pinned to the node
 * holding their files. (The catalog and the load decisions live in the meta log, not in actors.)
 */
public final class ClusterWiring {
    private ClusterWiring() {
    }

    /** Replica entity ids are {@code tabletId@node}; the shard is the node. */
    static final class ByNode extends ShardingMessageExtractor<ShardingEnvelope<ReplicaEntity.Command>,
            ReplicaEntity.Command> {
        @Override
        public String entityId(ShardingEnvelope<ReplicaEntity.Command> envelope) {
            return envelope.entityId();
        }

        @Override
        public String shardId(String entityId) {
            return entityId.substring(entityId.indexOf('@') + 1);
        }

        @Override
        public ReplicaEntity.Command unwrapMessage(ShardingEnvelope<ReplicaEntity.Command> envelope) {
            return envelope.message();
        }
    }

    public static void init(ActorSystem<?> system, ClusterServices services) {
        ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(ReplicaEntity.KEY, ec -> ReplicaEntity.create(services, ec.getEntityId()))
                .withMessageExtractor(new ByNode())
                .withAllocationStrategy(new NodePinnedAllocation(Adapter.toClassic(system)))
                .withEntityProps(DispatcherSelector.fromConfig("compactor.tablet-dispatcher")));
    }
}
