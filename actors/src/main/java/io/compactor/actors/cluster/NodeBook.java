package io.compactor.actors.cluster;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The members this node sees now (which are up and reachable, which are still members at all)
 * and each node's HTTP address, which the node directories tell and {@link #learnHttp} records.
 * Node names are cluster addresses {@code host:port}. Thread-safe.
 */
public final class NodeBook {
    private final ActorSystem<?> system;
    private final Map<String, String> http = new ConcurrentHashMap<>();

    public NodeBook(ActorSystem<?> system) {
        this.system = system;
    }

    /** This node's name. */
    public String self() {
        return NodePinnedAllocation.nodeName(Cluster.get(system).selfMember().address());
    }

    /** Members with status Up that this node can reach. */
    public Set<String> live() {
        var state = Cluster.get(system).state();
        Set<Member> unreachable = state.getUnreachable();
        Set<String> out = new TreeSet<>();
        for (Member m : state.getMembers()) {
            if (m.status() == MemberStatus.up() && !unreachable.contains(m)) {
                out.add(NodePinnedAllocation.nodeName(m.address()));
            }
        }
        return out;
    }

    /** Every member not yet removed (reachable or not). */
    public Set<String> members() {
        Set<String> out = new TreeSet<>();
        for (Member m : Cluster.get(system).state().getMembers()) {
            if (m.status() != MemberStatus.removed() && m.status() != MemberStatus.down()) {
                out.add(NodePinnedAllocation.nodeName(m.address()));
            }
        }
        return out;
    }

    public void learnHttp(String node, String httpAddress) {
        if (node != null && httpAddress != null) {
            http.put(node, httpAddress);
        }
    }

    /** The node's HTTP {@code host:port}, or null while unknown. */
    public String http(String node) {
        return http.get(node);
    }
}
