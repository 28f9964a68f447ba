package io.compactor.actors.node;

import io.compactor.actors.cluster.ClusterQuery;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.api.CatchUpResult;
import io.compactor.api.ClusterStatus;
import io.compactor.api.Membership;
import io.compactor.api.NodeInfo;
import io.compactor.api.ReplicaPeers;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;

/** {@link Membership} of a node: its cluster services, replica peers and catch-up. */
final class NodeMembership implements Membership {
    /** How long {@link #status()} waits for each member's answer. */
    static final Duration CLUSTER_ASK_TIMEOUT = Duration.ofSeconds(3);
    /** Bounds a whole catch-up (listing, downloads, install); each peer request has its own timeout. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);
    private final Node node;

    NodeMembership(Node node) {
        this.node = node;
    }

    @Override
    public boolean enabled() {
        return node.cluster.enabled();
    }

    @Override
    public String self() {
        return node.clusterServices != null ? node.clusterServices.self() : "local";
    }

    @Override
    public NodeInfo nodeInfo() {
        return node.nodeInfo(enabled() ? Cluster.get(node.system).selfMember().address().toString() : "local");
    }

    @Override
    public CompletionStage<ClusterStatus> status() {
        if (!enabled()) {
            return CompletableFuture.failedFuture(new IllegalStateException("cluster mode is off (cluster_enabled)"));
        }
        return ClusterQuery.gather(node.system, CLUSTER_ASK_TIMEOUT);
    }

    @Override
    public void advertiseHttp(String host, int port) {
        node.httpAddress.set(host + ":" + port);
    }

    @Override
    public String replicaHttpAddress(long tabletId) {
        var services = node.clusterServices;
        if (services == null) {
            return null;
        }
        var live = services.nodes().live();
        for (TableMeta t : node.view.get().tables()) {
            for (String n : t.replicaNodes(tabletId)) {
                String http = services.nodes().http(n);
                if (!n.equals(services.self()) && live.contains(n) && http != null) {
                    return http;
                }
            }
        }
        return null;
    }

    @Override
    public void useReplicaPeers(ReplicaPeers peers) {
        node.peerSync.use(peers);
    }

    @Override
    public ReplicaPeers replicaPeers() {
        return node.peerSync.peers();
    }

    @Override
    public boolean isSingleReplicaFollower(long tabletId) {
        TableMeta t = node.view.get().tableOf(tabletId);
        return t != null && t.properties().enableSingleReplicaCompaction() && node.peerSync.isFollower(tabletId);
    }

    @Override
    public CompletionStage<CatchUpResult> catchUpFrom(long tabletId, ReplicaPeers.Replica peer) {
        return catchUpFrom(tabletId, peer, false);
    }

    /** A catch-up, or with {@code wholeChain} a clone: the peer's whole chain in place of the local one. */
    CompletionStage<CatchUpResult> catchUpFrom(long tabletId, ReplicaPeers.Replica peer, boolean wholeChain) {
        ActorRef<TabletActor.Command> tablet = node.view.get().tablet(tabletId);
        if (node.view.get().tableOf(tabletId) == null || tablet == null) {
            return CompletableFuture.failedFuture(Status.tabletNotFound(tabletId).asException());
        }
        return AskPattern.<TabletActor.Command, TabletActor.CatchUpAnswer>ask(tablet,
                        replyTo -> new TabletActor.CatchUpFrom(peer.httpAddress(), wholeChain, replyTo), CATCH_UP_TIMEOUT,
                        node.system.scheduler())
                .thenApply(a -> {
                    if (!a.status().ok()) {
                        throw new StatusException(a.status());
                    }
                    return a.result();
                });
    }
}
