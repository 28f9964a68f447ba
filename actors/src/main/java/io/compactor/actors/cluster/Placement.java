package io.compactor.actors.cluster;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Chooses the nodes for the replicas of a new table's tablets: every tablet gets
 * {@code replicationNum} distinct live nodes, the nodes holding the fewest replicas first (counting
 * the replicas already placed, and those of this table as they are placed), ties broken by node
 * name. Placement happens at CREATE; a replica is never moved away from a live node's data, only
 * re-created elsewhere by the log's leader when its node is gone for good ({@link LeaderDuties}).
 */
public final class Placement {
    private Placement() {
    }

    /**
     * @param liveNodes   nodes that are up and reachable now
     * @param existing    replicas each node already holds (nodes absent count 0)
     * @param buckets     tablets to place
     * @param replication replicas per tablet
     * @return for each bucket the nodes of its replicas
     * @throws IllegalArgumentException when there are fewer live nodes than replicas
     */
    public static List<List<String>> place(List<String> liveNodes, Map<String, Integer> existing, int buckets,
                                           int replication) {
        if (replication < 1) {
            throw new IllegalArgumentException("replication_num must be at least 1 (got " + replication + ")");
        }
        if (replication > liveNodes.size()) {
            throw new IllegalArgumentException("replication_num " + replication + " exceeds the " + liveNodes.size()
                    + " live node" + (liveNodes.size() == 1 ? "" : "s") + " in the cluster " + liveNodes
                    + ": replicas of a tablet must be on distinct nodes");
        }
        Map<String, Integer> load = new HashMap<>();
        for (String n : liveNodes) {
            load.put(n, existing.getOrDefault(n, 0));
        }
        List<List<String>> out = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            List<String> order = new ArrayList<>(liveNodes);
            order.sort(Comparator.<String>comparingInt(load::get).thenComparing(Comparator.naturalOrder()));
            List<String> chosen = List.copyOf(order.subList(0, replication));
            for (String n : chosen) {
                load.merge(n, 1, Integer::sum);
            }
            out.add(chosen);
        }
        return out;
    }

    /** A majority of {@code replicas}: what a load needs to commit on each tablet. */
    public static int majority(int replicas) {
        return replicas / 2 + 1;
    }
}
