package io.compactor.actors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.node.Node;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 6 of issue 15, on the tablet: a version reservation taken for an owner (a cluster
 * replica entity) expires with that owner, so a replica entity that stops mid-publish never
 * wedges its tablet; while the owner lives, the reservation holds.
 */
class ReservationOwnerTest {
    @TempDir
    Path dir;

    private static TabletActor.PrepareResult prepare(Node node, ActorRef<TabletActor.Command> tablet, long txn,
                                                     ActorRef<?> owner) throws Exception {
        var scheduler = node.system().scheduler();
        RowBatch rows = new RowBatch(TestNode.schema(KeysType.DUPLICATE_KEYS), 1);
        int r = rows.addRow();
        rows.setLong(r, 0, txn);
        rows.setLong(r, 1, 1);
        rows.setBytes(r, 2, "x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        TabletActor.WriteResult w = AskPattern.<TabletActor.Command, TabletActor.WriteResult>ask(tablet,
                to -> new TabletActor.WriteRowset(txn, rows, to), Duration.ofSeconds(20), scheduler)
                .toCompletableFuture().get();
        return AskPattern.<TabletActor.Command, TabletActor.PrepareResult>ask(tablet,
                to -> new TabletActor.PrepareCommit(txn, w.write(), to, owner), Duration.ofSeconds(20), scheduler)
                .toCompletableFuture().get();
    }

    @Test
    void aReservationExpiresWithItsOwner() throws Exception {
        try (Compactor c = TestNode.start(dir, Map.of())) {
            Node node = c.unwrap(Node.class);
            TableMeta t = TestNode.createTable(c, "t", KeysType.DUPLICATE_KEYS, 1);
            ActorRef<TabletActor.Command> tablet = node.catalog().tablet(t.tabletIds().get(0));
            ActorRef<String> owner = node.system().systemActorOf(Behaviors.<String>receiveMessage(m -> Behaviors.stopped()),
                    "reservation-owner", Props.empty());
            assertTrue(prepare(node, tablet, 11, owner).status().ok());
            assertFalse(prepare(node, tablet, 12, null).status().ok(), "the version is reserved while the owner lives");
            owner.tell("stop");
            await().atMost(Duration.ofSeconds(30)).until(() -> prepare(node, tablet, 13 + System.nanoTime() % 1000,
                    null).status().ok());
        }
    }
}
