package io.compactor.actors.cluster;

import io.compactor.api.ClusterStatus;
import io.compactor.api.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Gathers {@link ClusterStatus}: the membership from this node's cluster state, the node
 * directories from the receptionist, then one {@link NodeDirectory.GetNodeInfo} per member, each
 * bounded by the timeout. Never fails: a member without a directory or without an answer in time
 * is listed with null figures and a note.
 */
public final class ClusterQuery {
    private ClusterQuery() {
    }

    public static CompletionStage<ClusterStatus> gather(ActorSystem<?> system, Duration timeout) {
        Cluster cluster = Cluster.get(system);
        Address self = cluster.selfMember().address();
        CompletionStage<Set<ActorRef<NodeDirectory.Command>>> directories = AskPattern
                .<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
                        replyTo -> Receptionist.find(NodeDirectory.KEY, replyTo), timeout, system.scheduler())
                .thenApply(listing -> listing.getServiceInstances(NodeDirectory.KEY))
                .exceptionally(err -> Set.of());
        return directories.thenCompose(refs -> {
            Map<Address, ActorRef<NodeDirectory.Command>> byAddress = new HashMap<>();
            for (ActorRef<NodeDirectory.Command> ref : refs) {
                Address a = ref.path().address();
                byAddress.put(a.hasLocalScope() ? self : a, ref);
            }
            ClusterEvent.CurrentClusterState state = cluster.state();
            Set<Member> unreachable = state.getUnreachable();
            List<CompletableFuture<ClusterStatus.Member>> members = new ArrayList<>();
            for (Member m : state.getMembers()) {
                members.add(member(system, m, !unreachable.contains(m), byAddress.get(m.address()), timeout)
                        .toCompletableFuture());
            }
            return CompletableFuture.allOf(members.toArray(new CompletableFuture[0])).thenApply(done -> {
                Address leader = state.getLeader();
                return new ClusterStatus(self.toString(), leader == null ? null : leader.toString(),
                        members.stream().map(CompletableFuture::join).toList());
            });
        });
    }

    private static CompletionStage<ClusterStatus.Member> member(ActorSystem<?> system, Member m, boolean reachable,
                                                               ActorRef<NodeDirectory.Command> directory,
                                                               Duration timeout) {
        String address = m.address().toString();
        String status = m.status().toString();
        if (directory == null) {
            return CompletableFuture.completedFuture(new ClusterStatus.Member(address, status, reachable, null, null,
                    null, "no node directory registered for this member (yet)"));
        }
        return AskPattern.<NodeDirectory.Command, NodeInfo>ask(directory, NodeDirectory.GetNodeInfo::new, timeout,
                        system.scheduler())
                .handle((info, err) -> {
                    if (err != null) {
                        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                                ? err.getCause() : err;
                        String note = cause instanceof TimeoutException
                                ? "no answer within " + timeout.toMillis() + " ms"
                                : "asking the member failed: " + cause;
                        return new ClusterStatus.Member(address, status, reachable, null, null, null, note);
                    }
                    return new ClusterStatus.Member(address, status, reachable, info.http(), info.dataDirs(),
                            info.tablets(), null);
                });
    }
}
