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

    /**
     * From this voter's own copy of the log when it has committed those versions, else asked of the
     * log (a blocking read: callers are fetch threads, never actors).
     */
    @Override
    public java.util.OptionalLong identity(long tabletId, long from, long to) {
        var local = services.log().local();
        if (local.isPresent()) {
            long[] v = local.get().versions(tabletId);
            if (v != null && v[0] >= to) {
                return java.util.OptionalLong.of(local.get().identity(tabletId, from, to));
            }
        }
        try {
            var r = services.log().ask(new io.compactor.actors.metalog.MetaCommand.GetChain(tabletId,
                    List.of(from, to))).get(15, java.util.concurrent.TimeUnit.SECONDS);
            if (r.isOk() && r.versions().getOrDefault(tabletId, -1L) >= to) {
                return java.util.OptionalLong.of(r.ids().get(0));
            }
            throw new io.compactor.storage.util.StatusException(io.compactor.storage.util.StatusCode.CORRUPTION,
                    "versions [" + from + "-" + to + "] of tablet " + tabletId + " are not committed in the meta log");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the meta log", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new io.compactor.storage.util.StatusException(io.compactor.storage.util.StatusCode.SERVICE_UNAVAILABLE,
                    "the meta log did not say the identity of tablet " + tabletId + " [" + from + "-" + to + "]: " + e);
        }
    }

    @Override
    public String downloadToken() {
        String t = token.get();
        return t == null || t.isEmpty() ? null : t;
    }
}
