package io.compactor.http;

import static io.compactor.http.ClusterFixture.count;
import static io.compactor.http.ClusterFixture.create;
import static io.compactor.http.ClusterFixture.load;
import static io.compactor.http.ClusterFixture.replica;
import static io.compactor.http.ClusterFixture.rows;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.actors.load.LoadMetaCommit;
import io.compactor.actors.node.Node;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.meta.LoadRecord;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster loads decided by the meta log, on one 3-node cluster shared by the tests (each with its
 * own table): the scenarios of issue 15 that need no node to die.
 */
class ClusterTransactionTest {
    @TempDir
    static Path dir;
    static ClusterFixture fixture;
    static List<CompactorServer> nodes;

    @BeforeAll
    static void cluster() {
        fixture = new ClusterFixture(dir, List.of("n1", "n2", "n3"), Map.of("load_timeout_seconds", 6));
        nodes = fixture.startAll();
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    private static List<Long> tablets(JsonNode created) {
        List<Long> out = new ArrayList<>();
        created.get("tablets").forEach(t -> out.add(t.asLong()));
        return out;
    }

    /** Scenario 2: labels are checked cluster-wide in the log, never per node or per replica. */
    @Test
    void aLabelSentThroughTwoNodesAtOnceIsAppliedOnce() {
        create(nodes.get(0), "twice", 2);
        for (int i = 0; i < 4; i++) {
            String label = "same-" + i;
            String body = rows(i * 100, 20);
            List<CompletableFuture<JsonNode>> sent = new ArrayList<>();
            for (CompactorServer n : nodes) {
                sent.add(CompletableFuture.supplyAsync(() -> load(n, "twice", label, body)));
            }
            List<String> answers = sent.stream().map(f -> f.join().get("Status").asText()).toList();
            assertTrue(answers.stream().filter(a -> a.equals("Success")).count() <= 1, label + ": " + answers);
            assertTrue(answers.stream().allMatch(a -> a.equals("Success") || a.equals("Label Already Exists")
                    || a.equals("Publish Timeout")), label + ": " + answers);
        }
        for (CompactorServer n : nodes) {
            await().atMost(ClusterFixture.WITHIN).until(() -> count(n, "twice") == 4 * 20);
        }
        assertEquals(4 * 20, count(nodes.get(2), "twice"), "each label applied once, never twice");
    }

    /** Writes {@code rows} straight into a node's own replica at its next version, as a stray rowset would be. */
    private static void strayRowset(CompactorServer s, long tablet, RowBatch rows) throws Exception {
        Node node = s.node().unwrap(Node.class);
        var ref = node.catalog().tablet(tablet);
        long txn = 77_000_000L + tablet;
        var scheduler = node.system().scheduler();
        TabletActor.WriteResult w = AskPattern.<TabletActor.Command, TabletActor.WriteResult>ask(ref,
                r -> new TabletActor.WriteRowset(txn, rows, r), Duration.ofSeconds(20), scheduler)
                .toCompletableFuture().get();
        TabletActor.PrepareResult p = AskPattern.<TabletActor.Command, TabletActor.PrepareResult>ask(ref,
                r -> new TabletActor.PrepareCommit(txn, w.write(), r), Duration.ofSeconds(20), scheduler)
                .toCompletableFuture().get();
        TableMeta table = node.catalog().tableOf(tablet);
        LoadMetaCommit.write(node.engine(), List.of(p), new LoadRecord("db", "stray", txn, table.tableId(), "VISIBLE",
                rows.size(), 0, 0), "none", id -> false, "stray rowset");
        ref.tell(new TabletActor.Publish(txn, p.rowset(), p.delta()));
    }

    /**
     * Scenario 3: a replica holding other content at a version (a stray rowset, as a coordinator that
     * published alone and died would have left) is found by content identity, not version numbers,
     * and cloned from a good peer; every replica ends identical by content.
     */
    @Test
    void aReplicaHoldingOtherContentAtAVersionIsClonedFromAGoodPeer() throws Exception {
        JsonNode created = create(nodes.get(0), "stray", 1);
        long tablet = tablets(created).get(0);
        assertEquals("Success", load(nodes.get(0), "stray", "s1", rows(0, 10)).get("Status").asText());
        for (CompactorServer n : nodes) {
            await().atMost(ClusterFixture.WITHIN).until(() -> replica(n, tablet)[0] == 2);
        }
        TableMeta t = nodes.get(2).node().tables().get("db", "stray");
        strayRowset(nodes.get(2), tablet, straysOf(t));
        assertEquals(3, replica(nodes.get(2), tablet)[0], "the stray rowset sits at version 3 on n3");
        assertEquals("Success", load(nodes.get(1), "stray", "s2", rows(100, 10)).get("Status").asText());
        // Every replica ends with the loads' content at the same versions; the stray rows are gone.
        await().atMost(ClusterFixture.WITHIN).until(() -> {
            long[] a = replica(nodes.get(0), tablet);
            return a[0] == 3 && java.util.Arrays.equals(a, replica(nodes.get(1), tablet))
                    && java.util.Arrays.equals(a, replica(nodes.get(2), tablet));
        });
        assertArrayEquals(replica(nodes.get(0), tablet), replica(nodes.get(2), tablet));
        assertEquals(20, replica(nodes.get(2), tablet)[2], "n3 holds the two loads' rows, not the stray ones");
        for (CompactorServer n : nodes) {
            assertEquals(20, count(n, "stray"));
        }
    }

    private static RowBatch straysOf(TableMeta t) {
        RowBatch b = new RowBatch(t.schema(), 7);
        for (int i = 0; i < 7; i++) {
            int r = b.addRow();
            b.setLong(r, 0, 50_000L + i);
            b.setLong(r, 1, 1L);
            b.setBytes(r, 2, "stray".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return b;
    }

    /**
     * Scenario 4: while one tablet's publish is held back on every replica, no read through any node
     * sees the load's rows of the other tablet: a read sees every tablet of a load or none.
     */
    @Test
    void aReadSeesEveryTabletOfALoadOrNoneWhileItsPublishIsHeldBack() {
        JsonNode created = create(nodes.get(0), "halves", 2);
        long held = tablets(created).get(1);
        assertEquals("Success", load(nodes.get(0), "halves", "h0", rows(0, 40)).get("Status").asText());
        for (CompactorServer n : nodes) {
            n.node().ops().debugPoints().add("replica.publish", -1, -1, Map.of("tablet_id", Long.toString(held)));
        }
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicBoolean done = new AtomicBoolean();
        CompletableFuture<JsonNode> loading = CompletableFuture.supplyAsync(() -> load(nodes.get(1), "halves", "h1",
                rows(1000, 40)));
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            while (!done.get()) {
                for (CompactorServer n : nodes) {
                    seen.add(count(n, "halves"));
                }
            }
        });
        JsonNode answer = loading.join();
        for (int i = 0; i < 3; i++) {
            for (CompactorServer n : nodes) {
                seen.add(count(n, "halves"));
            }
        }
        for (CompactorServer n : nodes) {
            n.node().ops().debugPoints().remove("replica.publish");
        }
        for (CompactorServer n : nodes) {
            await().atMost(ClusterFixture.WITHIN).until(() -> count(n, "halves") == 80);
        }
        done.set(true);
        reading.join();
        assertTrue(Set.of(40L, 80L).containsAll(seen), "counts seen while the publish was held back: " + seen
                + " (load answered " + answer + ")");
    }

    /**
     * Scenario 5: a load the log committed but whose publish did not reach a majority of a tablet by
     * the deadline answers Doris's "Publish Timeout" (committed, will become visible), is invisible
     * meanwhile, and becomes visible once the replicas publish it.
     */
    @Test
    void aCommittedLoadNotYetPublishedOnAMajorityAnswersPublishTimeoutAndBecomesVisible() {
        JsonNode created = create(nodes.get(0), "late", 2);
        long held = tablets(created).get(0);
        for (CompactorServer n : nodes) {
            n.node().ops().debugPoints().add("replica.publish", -1, -1, Map.of("tablet_id", Long.toString(held)));
        }
        JsonNode answer = load(nodes.get(2), "late", "l1", rows(0, 30));
        assertEquals("Publish Timeout", answer.get("Status").asText(), answer.toString());
        for (CompactorServer n : nodes) {
            assertEquals(0, count(n, "late"), "not visible before a majority of each tablet published it");
        }
        for (CompactorServer n : nodes) {
            n.node().ops().debugPoints().remove("replica.publish");
        }
        for (CompactorServer n : nodes) {
            await().atMost(ClusterFixture.WITHIN).until(() -> count(n, "late") == 30);
        }
        JsonNode again = load(nodes.get(0), "late", "l1", rows(0, 30));
        assertEquals("Label Already Exists", again.get("Status").asText(), again.toString());
    }
}
