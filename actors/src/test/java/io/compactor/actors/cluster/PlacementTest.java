package io.compactor.actors.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlacementTest {
    private static final List<String> NODES = List.of("127.0.0.1:9060", "127.0.0.1:9061", "127.0.0.1:9062");

    @Test
    void everyTabletGetsDistinctNodesAndTheLoadIsEven() {
        List<List<String>> p = Placement.place(NODES, Map.of(), 8, 2);
        assertEquals(8, p.size());
        Map<String, Integer> per = new HashMap<>();
        for (List<String> replicas : p) {
            assertEquals(2, replicas.size());
            assertEquals(2, new HashSet<>(replicas).size(), replicas.toString());
            replicas.forEach(n -> per.merge(n, 1, Integer::sum));
        }
        int min = per.values().stream().min(Integer::compare).orElseThrow();
        int max = per.values().stream().max(Integer::compare).orElseThrow();
        assertTrue(max - min <= 1, per.toString());
    }

    @Test
    void existingReplicasCountSoNewTabletsGoToTheEmptierNodes() {
        List<List<String>> p = Placement.place(NODES, Map.of("127.0.0.1:9060", 5, "127.0.0.1:9061", 5), 2, 1);
        assertEquals(List.of(List.of("127.0.0.1:9062"), List.of("127.0.0.1:9062")), p);
    }

    @Test
    void moreReplicasThanLiveNodesIsRefusedNamingBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Placement.place(NODES.subList(0, 2), Map.of(), 1, 3));
        assertTrue(e.getMessage().contains("replication_num 3 exceeds the 2 live nodes"), e.getMessage());
    }

    @Test
    void majorityOfReplicas() {
        assertEquals(1, Placement.majority(1));
        assertEquals(2, Placement.majority(2));
        assertEquals(2, Placement.majority(3));
        assertEquals(3, Placement.majority(5));
    }
}
