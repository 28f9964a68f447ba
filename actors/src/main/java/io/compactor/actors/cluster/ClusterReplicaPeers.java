package io.compactor.actors.cluster;

import io.compactor.api.ReplicaPeers;
import io.compactor.storage.tablet.TableMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@link ReplicaPeers} from the durable placement (the table meta every node stores) and the live
 * membership: a tablet's replicas are the nodes its table lists for it, reachable when the node is
 * Up and reachable, a member until it left or was downed. Cheap: reads the catalog view and the
 * cluster state snapshot, never asks anyone.
 */
public final class ClusterReplicaPeers implements ReplicaPeers {
    private final ClusterServices services;
    private final Supplier<String> token;
    private final org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding sharding;

    public ClusterReplicaPeers(ClusterServices services, Supplier<String> token,
                               org.apache.pekko.actor.typed.ActorSystem<?> system) {
        this.services = services;
        this.token = token;
        this.sharding = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(system);
    }

    /** Tells the other reachable replicas (the followers) through their sharded entities. */
    @Override
    public void announceCompaction(long tabletId) {
        for (Replica r : replicas(tabletId)) {
            if (!r.self() && r.reachable()) {
                ReplicaEntity.ref(sharding, tabletId, r.node()).tell(new ReplicaEntity.PeerCompacted(services.self()));
            }
        }
    }

    @Override
    public List<Replica> replicas(long tabletId) {
        TableMeta table = services.view().get().tableOf(tabletId);
        if (table == null || !table.isPlaced()) {
            return List.of();
        }
        List<String> nodes = table.replicaNodes(tabletId);
        if (nodes.size() < 2) {
            return List.of();
        }
        NodeBook book = services.nodes();
        Set<String> live = book.live();
        Set<String> members = book.members();
        List<Replica> out = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            String node = nodes.get(i);
            String http = book.http(node);
            boolean self = node.equals(services.self());
            // A peer whose HTTP address is not known yet can not be fetched from: unreachable for now.
            out.add(new Replica(TableMeta.replicaId(tabletId, i), node, http, self,
                    live.contains(node) && (self || http != null), members.contains(node)));
        }
        return out;
    }

    @Override
    public String downloadToken() {
        String t = token.get();
        return t == null || t.isEmpty() ? null : t;
    }
}
