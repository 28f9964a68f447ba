package io.compactor.actors.metalog;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.meta.MetaJson;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.util.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Ratis voters in one JVM: entries decide once (a label is taken once), the state survives a
 * restart, and a voter that missed entries the others purged gets the leader's snapshot and ends
 * with the same state, whether it kept its old directory or came back with an empty one.
 */
class MetaLogTest {
    @TempDir
    Path dir;
    private final List<MetaLog> open = new ArrayList<>();
    private List<MetaLog.Peer> peers;

    @AfterEach
    void close() {
        open.forEach(MetaLog::close);
    }

    private MetaLog start(int i, long snapshotEvery) throws Exception {
        // Small log segments: only closed segments are purged, so a lagging voter really needs the snapshot.
        MetaLog log = MetaLog.start(new MetaLog.Settings(peers, peers.get(i), dir.resolve("v" + i), snapshotEvery,
                Duration.ofMillis(500), 2048));
        open.add(log);
        return log;
    }

    private List<MetaLog> three(long snapshotEvery) throws Exception {
        peers = List.of(new MetaLog.Peer("127.0.0.1", LoopbackPorts.free()),
                new MetaLog.Peer("127.0.0.1", LoopbackPorts.free()), new MetaLog.Peer("127.0.0.1", LoopbackPorts.free()));
        return new ArrayList<>(List.of(start(0, snapshotEvery), start(1, snapshotEvery), start(2, snapshotEvery)));
    }

    static byte[] table(String name, int buckets) {
        Schema schema = new Schema(List.of(new Column("id", ColumnType.BIGINT, false, 0), new Column("v", ColumnType.BIGINT,
                true, 0)), 1, KeysType.DUPLICATE_KEYS);
        List<List<String>> placement = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int b = 0; b < buckets; b++) {
            placement.add(List.of("a:1", "b:1", "c:1"));
            ids.add((long) b);
        }
        return MetaJson.encodeTable(new TableMeta(0, "db", name, schema, buckets, 3,
                TableProperties.parse(Map.of(), false), ids, 1L, placement));
    }

    private static MetaReply join(java.util.concurrent.CompletableFuture<MetaReply> f) {
        return f.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
    }

    /** Begins, commits and publishes one load; answers the commit's view. */
    private static MetaReply.TxnView load(MetaLog log, long tableId, List<Long> tablets, long txn, String label) {
        MetaReply b = join(log.submit(new MetaCommand.BeginTxn(txn, "db", label, tableId, "a:1", 1000, 60_000)));
        assertTrue(b.isOk(), b.msg());
        Map<Long, Long> ids = new java.util.TreeMap<>();
        for (long t : tablets) {
            ids.put(t, txn * 31 + t);
        }
        MetaReply c = join(log.submit(new MetaCommand.CommitTxn(txn, ids, 10, 0, 1001)));
        assertEquals(TxnPhase.COMMITTED, c.txn().phase());
        MetaReply p = join(log.submit(new MetaCommand.PublishedTxn(txn)));
        return p.txn();
    }

    @Test
    void labelsAreTakenOnceVersionsAdvanceAndTheStateSurvivesARestart() throws Exception {
        List<MetaLog> logs = three(10_000);
        MetaReply created = join(logs.get(1).submit(new MetaCommand.CreateTable(table("t", 2))));
        assertTrue(created.isOk(), created.msg());
        TableMeta t = MetaJson.decodeTable(created.table());
        assertEquals(MetaState.FIRST_ID + 1, t.tableId());
        assertEquals(List.of(MetaState.FIRST_ID + 1, MetaState.FIRST_ID + 2), t.tabletIds());
        assertEquals("ALREADY_EXIST", join(logs.get(2).submit(new MetaCommand.CreateTable(table("t", 2)))).code());

        MetaReply.TxnView first = load(logs.get(0), t.tableId(), t.tabletIds(), 7, "l1");
        assertEquals(TxnPhase.VISIBLE, first.phase());
        assertEquals(Map.of(t.tabletIds().get(0), 2L, t.tabletIds().get(1), 2L), first.versions());
        // The same label through another node: refused while running or finished.
        MetaReply again = join(logs.get(2).submit(new MetaCommand.BeginTxn(8, "db", "l1", t.tableId(), "c:1", 2000,
                60_000)));
        assertEquals("LABEL_ALREADY_EXISTS", again.code());
        // An aborted label is free again; a commit after the abort is refused.
        assertTrue(join(logs.get(2).submit(new MetaCommand.BeginTxn(9, "db", "l2", t.tableId(), "c:1", 2000,
                60_000))).isOk());
        assertEquals(TxnPhase.ABORTED, join(logs.get(0).submit(new MetaCommand.AbortTxn(9, "timeout"))).txn().phase());
        assertEquals(TxnPhase.ABORTED, join(logs.get(1).submit(new MetaCommand.CommitTxn(9, Map.of(
                t.tabletIds().get(0), 1L), 1, 0, 2001))).txn().phase());
        MetaReply.TxnView l2 = load(logs.get(1), t.tableId(), t.tabletIds(), 10, "l2");
        assertEquals(Map.of(t.tabletIds().get(0), 3L, t.tabletIds().get(1), 3L), l2.versions());

        MetaReply visible = join(logs.get(2).ask(new MetaCommand.GetVisible(t.tableId())));
        assertEquals(Map.of(t.tabletIds().get(0), 3L, t.tabletIds().get(1), 3L), visible.versions());
        long want = (7 * 31 + t.tabletIds().get(0)) ^ (10 * 31 + t.tabletIds().get(0));
        assertEquals(List.of(want), join(logs.get(0).ask(new MetaCommand.GetChain(t.tabletIds().get(0),
                List.of(0L, 3L)))).ids());

        // Restart one voter: it recovers the same state from its log.
        logs.get(1).close();
        open.remove(logs.get(1));
        MetaLog back = start(1, 10_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> back.local().orElseThrow().txn(10) != null
                && back.local().orElseThrow().txn(10).phase() == TxnPhase.VISIBLE);
        assertEquals(logs.get(0).local().orElseThrow().snapshot().labels(), back.local().orElseThrow().snapshot().labels());
    }

    @Test
    void aLaterLoadWaitsForTheOneCommittedBeforeItOnTheSameTablet() throws Exception {
        List<MetaLog> logs = three(10_000);
        TableMeta t = MetaJson.decodeTable(join(logs.get(0).submit(new MetaCommand.CreateTable(table("t", 2)))).table());
        long a = t.tabletIds().get(0);
        long b = t.tabletIds().get(1);
        MetaLog log = logs.get(0);
        assertTrue(join(log.submit(new MetaCommand.BeginTxn(1, "db", "x", t.tableId(), "n", 0, 60_000))).isOk());
        assertTrue(join(log.submit(new MetaCommand.BeginTxn(2, "db", "y", t.tableId(), "n", 0, 60_000))).isOk());
        assertEquals(Map.of(a, 2L), join(log.submit(new MetaCommand.CommitTxn(1, Map.of(a, 11L), 1, 0, 1))).txn()
                .versions());
        assertEquals(Map.of(a, 3L, b, 2L), join(log.submit(new MetaCommand.CommitTxn(2, Map.of(a, 12L, b, 13L), 1, 0,
                1))).txn().versions());
        // Load 2 is published first: it waits for load 1 on tablet a, and shows on neither tablet.
        assertEquals(TxnPhase.PUBLISHED, join(log.submit(new MetaCommand.PublishedTxn(2))).txn().phase());
        assertEquals(Map.of(a, 1L, b, 1L), join(log.ask(new MetaCommand.GetVisible(t.tableId()))).versions());
        assertEquals(TxnPhase.VISIBLE, join(log.submit(new MetaCommand.PublishedTxn(1))).txn().phase());
        assertEquals(TxnPhase.VISIBLE, join(log.ask(new MetaCommand.GetTxn(2))).txn().phase());
        assertEquals(Map.of(a, 3L, b, 2L), join(log.ask(new MetaCommand.GetVisible(t.tableId()))).versions());
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }

    @Test
    void aVoterBehindAPurgedLogGetsTheSnapshotWithItsOldDirectoryOrAnEmptyOne() throws Exception {
        List<MetaLog> logs = three(8);
        TableMeta t = MetaJson.decodeTable(join(logs.get(0).submit(new MetaCommand.CreateTable(table("t", 1)))).table());
        long tablet = t.tabletIds().get(0);
        load(logs.get(0), t.tableId(), t.tabletIds(), 1, "a1");
        for (boolean wipe : new boolean[] {false, true}) {
            MetaLog away = logs.get(2);
            long awayLast = away.appliedIndex();
            away.close();
            open.remove(away);
            long base = wipe ? 100 : 50;
            for (long i = 0; i < 30; i++) {
                load(logs.get(i % 2 == 0 ? 0 : 1), t.tableId(), t.tabletIds(), base + i, "b" + (base + i));
            }
            if (wipe) {
                deleteTree(dir.resolve("v2"));
            }
            MetaState leader = logs.get(0).local().orElseThrow();
            // Both voters purged past what the away one holds: whichever leads, it can only send the snapshot.
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.get(0).logStartIndex() > awayLast + 1
                    && logs.get(1).logStartIndex() > awayLast + 1);
            MetaLog back = start(2, 8);
            logs.set(2, back);
            await().atMost(Duration.ofSeconds(90)).until(() -> back.local().orElseThrow().versions(tablet) != null
                    && back.local().orElseThrow().versions(tablet)[1] == leader.versions(tablet)[1]);
            MetaSnapshot.Snapshot mine = back.local().orElseThrow().snapshot();
            MetaSnapshot.Snapshot theirs = leader.snapshot();
            assertEquals(theirs.labels(), mine.labels());
            assertEquals(theirs.tablets().get(tablet).visible(), mine.tablets().get(tablet).visible());
            assertEquals(List.of(leader.identity(tablet, 0, 40)), List.of(back.local().orElseThrow().identity(tablet,
                    0, 40)));
            assertFalse(mine.txns().isEmpty());
        }
    }
}
