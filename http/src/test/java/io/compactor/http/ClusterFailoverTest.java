package io.compactor.http;

import static io.compactor.http.ClusterFixture.count;
import static io.compactor.http.ClusterFixture.create;
import static io.compactor.http.ClusterFixture.load;
import static io.compactor.http.ClusterFixture.replica;
import static io.compactor.http.ClusterFixture.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.actors.cluster.ClusterLoadWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster loads and replicas when a node goes away: the scenarios of issue 15 that need a node to die. */
class ClusterFailoverTest {
    @TempDir
    Path dir;
    private ClusterFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    /**
     * Scenario 1: the node coordinating a load goes away right after the log committed it, before
     * it published anything or answered. The client never hears "Fail"; the log's decision stands:
     * the leader publishes the load, it becomes visible through the other nodes, its label stays taken.
     */
    @Test
    void aLoadWhoseCoordinatorVanishesAfterTheCommitBecomesVisibleAndKeepsItsLabel() {
        fixture = new ClusterFixture(dir, List.of("n1", "n2", "n3"), Map.of("load_timeout_seconds", 10));
        List<CompactorServer> nodes = fixture.startAll();
        create(nodes.get(0), "t", 3);
        assertEquals("Success", load(nodes.get(1), "t", "before", rows(0, 10)).get("Status").asText());
        CompactorServer coordinator = nodes.get(2);
        coordinator.node().ops().debugPoints().add(ClusterLoadWriter.VANISH_AFTER_COMMIT, 1, -1, Map.of());
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            HttpTestClient.Answer a = new HttpTestClient(coordinator.port()).put("/api/db/t/_stream_load",
                    rows(100, 30), Map.of("label", "orphan"));
            return a.status() + " " + a.body();
        }).exceptionally(e -> "no answer: " + e);
        await().atMost(ClusterFixture.WITHIN).until(() -> !coordinator.node().ops().debugPoints().active()
                .containsKey(ClusterLoadWriter.VANISH_AFTER_COMMIT));
        fixture.stop("n3");
        String got = answer.join();
        assertFalse(got.contains("\"Fail\""), "the client of a committed load never hears Fail: " + got);
        for (CompactorServer n : List.of(nodes.get(0), nodes.get(1))) {
            await().atMost(ClusterFixture.WITHIN).until(() -> count(n, "t") == 40);
        }
        JsonNode again = load(nodes.get(0), "t", "orphan", rows(100, 30));
        assertEquals("Label Already Exists", again.get("Status").asText(), again.toString());
        assertEquals(40, count(nodes.get(1), "t"));
    }

    /**
     * Scenario 6: a node gone longer than {@code cluster_replace_after_seconds} gets its replicas
     * re-created on the live node that had none of the tablet, cloned from a good replica; the new
     * replica ends identical by content, and loads go on.
     */
    @Test
    void aNodeGoneLongerThanTheReplaceTimeHasItsReplicasRecreatedOnALiveNode() {
        fixture = new ClusterFixture(dir, List.of("n1", "n2", "n3", "n4"), Map.of("cluster_replace_after_seconds", 4));
        List<CompactorServer> nodes = fixture.startAll();
        JsonNode created = create(nodes.get(0), "t", 4);
        for (int i = 0; i < 3; i++) {
            assertEquals("Success", load(nodes.get(i), "t", "r" + i, rows(i * 100, 20)).get("Status").asText());
        }
        String gone = fixture.nodeName("n4");
        List<Long> moved = new ArrayList<>();
        for (JsonNode t : new HttpTestClient(nodes.get(0).port()).get("/api/db/t").json().get("tablets")) {
            t.get("replicas").forEach(r -> {
                if (r.get("node").asText().equals(gone)) {
                    moved.add(t.get("tablet_id").asLong());
                }
            });
        }
        assertFalse(moved.isEmpty(), "n4 holds replicas");
        fixture.stop("n4");
        List<CompactorServer> left = nodes.subList(0, 3);
        // The log moves n4's replicas to the node of the three that had none of each tablet.
        await().atMost(ClusterFixture.WITHIN).until(() -> {
            JsonNode t = new HttpTestClient(left.get(0).port()).get("/api/db/t").json();
            return !t.toString().contains(gone);
        });
        for (long tablet : moved) {
            await().atMost(ClusterFixture.WITHIN).until(() -> {
                long[] a = replica(left.get(0), tablet);
                return java.util.Arrays.equals(a, replica(left.get(1), tablet))
                        && java.util.Arrays.equals(a, replica(left.get(2), tablet));
            });
        }
        assertEquals("Success", load(left.get(1), "t", "after", rows(1000, 20)).get("Status").asText());
        for (CompactorServer n : left) {
            await().atMost(ClusterFixture.WITHIN).until(() -> count(n, "t") == 80);
        }
        assertEquals(4, created.get("tablets").size());
    }
}
