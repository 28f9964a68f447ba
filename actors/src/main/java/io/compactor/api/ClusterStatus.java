package io.compactor.api;

import java.util.List;

/**
 * The cluster as this node sees it: its own address, the leader (null while there is none) and
 * every member with what its {@link NodeDirectory} answered.
 */
public record ClusterStatus(String self, String leader, List<Member> members) {
    public ClusterStatus {
        members = List.copyOf(members);
    }

    /**
     * One member: address and membership status ("Up", "Leaving", ...), whether this node can reach
     * it, and its {@link NodeInfo} figures; {@code http}, {@code dataDirs} and {@code tablets} are
     * null when it did not answer, and {@code note} then says why.
     */
    public record Member(String address, String status, boolean reachable, String http, List<String> dataDirs,
                         Integer tablets, String note) {
    }
}
