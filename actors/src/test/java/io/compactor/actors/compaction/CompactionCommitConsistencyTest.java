package io.compactor.actors.compaction;

import io.compactor.actors.TestNode;
import io.compactor.actors.node.Node;
import io.compactor.api.CompactionProfile;
import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.loadScores;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consistency rule 3 of docs/DESIGN.md: a compaction commits only if its inputs are still the tablet's current
 * rowsets; otherwise it aborts and removes its output.
 *
 * <p>On a node the inputs of a running compaction can not change: the supervisor never runs two
 * compactions with overlapping inputs on one tablet, and nothing else (clone, schema change)
 * replaces rowsets yet. So the check itself is proven on {@link TabletMeta}, and on the node we
 * prove the two halves we can reach without hooks in main code: conflicting requests are
 * serialized (the later one picks the earlier one's output), and an aborted commit removes its
 * output files and leaves the tablet as it was.
 */
class CompactionCommitConsistencyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Compactor node;
    private CountDownLatch blocker;

    @AfterEach
    void stop() {
        if (blocker != null) {
            blocker.countDown();
        }
        if (node != null) {
            node.close();
        }
    }

    // ---- the optimistic check on the tablet meta

    private static RowsetMeta rowset(long id, long start, long end) {
        return new RowsetMeta(new RowsetId(id), 7, new Version(start, end),
                List.of(new SegmentMeta(10, 100, new byte[]{1}, new byte[]{2}, 0)), SegmentsOverlap.NONOVERLAPPING,
                1000, 0, start == end ? start : 0);
    }

    private static TabletMeta tablet(RowsetMeta... rowsets) {
        return new TabletMeta(7, 1, 0, "/data", 2, List.of(rowsets), List.of());
    }

    @Test
    void replaceRowsetsCommitsWhenEveryInputIsStillCurrent() {
        RowsetMeta v2 = rowset(2, 2, 2);
        RowsetMeta v3 = rowset(3, 3, 3);
        TabletMeta meta = tablet(rowset(1, 0, 1), v2, v3, rowset(4, 4, 4));

        TabletMeta next = meta.replaceRowsets(List.of(v2, v3), rowset(10, 2, 3), 5000);

        assertEquals(List.of("[0-1]", "[2-3]", "[4-4]"), versions(next));
        assertEquals(List.of(v2, v3), next.staleRowsets().stream().map(s -> s.rowset()).toList());
        assertEquals(5000, next.staleRowsets().get(0).staleAtMs());
    }

    @Test
    void replaceRowsetsRejectsAnInputWhoseVersionWasReplacedByAnotherRowset() {
        RowsetMeta v2 = rowset(2, 2, 2);
        RowsetMeta v3 = rowset(3, 3, 3);
        // Same versions, but [3-3] is now another rowset (as after a clone): the pick is out of date.
        TabletMeta meta = tablet(rowset(1, 0, 1), v2, rowset(33, 3, 3));

        assertFalse(meta.allVisible(List.of(v2, v3)));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> meta.replaceRowsets(List.of(v2, v3), rowset(10, 2, 3), 5000));
        assertTrue(e.getMessage().contains("tablet 7"), e.getMessage());
        assertTrue(e.getMessage().contains("no longer current"), e.getMessage());
        assertEquals(List.of("[0-1]", "[2-2]", "[3-3]"), versions(meta), "the meta is unchanged");
        assertEquals(List.of(), meta.staleRowsets());
    }

    @Test
    void replaceRowsetsRejectsInputsAnotherCompactionAlreadyMerged() {
        RowsetMeta v2 = rowset(2, 2, 2);
        RowsetMeta v3 = rowset(3, 3, 3);
        RowsetMeta v4 = rowset(4, 4, 4);
        TabletMeta meta = tablet(rowset(1, 0, 1), v2, v3, v4);
        TabletMeta afterFirst = meta.replaceRowsets(List.of(v2, v3, v4), rowset(10, 2, 4), 5000);

        // A second compaction picked [3-3] + [4-4] from the old meta: its commit must be refused.
        assertFalse(afterFirst.allVisible(List.of(v3, v4)));
        assertThrows(IllegalStateException.class,
                () -> afterFirst.replaceRowsets(List.of(v3, v4), rowset(11, 3, 4), 6000));
        assertEquals(List.of("[0-1]", "[2-4]"), versions(afterFirst));
    }

    private static List<String> versions(TabletMeta meta) {
        return meta.rowsets().stream().map(r -> r.version().toString()).toList();
    }

    // ---- on a node

    @Test
    void anAbortedCommitRemovesItsOutputAndLeavesTheTabletAsItWas() throws IOException {
        node = TestNode.start(dir, Map.of("enable_debug_points", true));
        TableMeta t = TestNode.createScoreTable(node, "t", KeysType.DUPLICATE_KEYS, 1,
                Map.of("disable_auto_compaction", "true"));
        long tablet = t.tabletIds().get(0);
        for (int i = 0; i < 6; i++) {
            loadScores(node, "t", i * 100L, i * 100L + 100);
        }
        TabletMeta before = join(node.reads().tabletMeta(tablet));
        Set<String> filesBefore = filesOnDisk(tablet);
        assertEquals(6, filesBefore.size(), "one segment per load");

        node.ops().debugPoints().add("compaction.commit", 1, -1, Map.of());
        Status failed = join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT));

        assertFalse(failed.ok());
        assertTrue(failed.msg().contains("compaction.commit"), failed::toString);
        TabletMeta after = join(node.reads().tabletMeta(tablet));
        assertEquals(versions(before), versions(after));
        assertEquals(before.rowsets().stream().map(RowsetMeta::rowsetId).toList(),
                after.rowsets().stream().map(RowsetMeta::rowsetId).toList());
        assertEquals(List.of(), after.staleRowsets());
        assertEquals(filesBefore, filesOnDisk(tablet), "the merged output's files were removed");
        CompactionProfile profile = node.compaction().profiles(p -> p.tabletId() == tablet, 1).get(0);
        assertFalse(profile.success());
        assertEquals(600, join(node.reads().count(DB, "t")));

        assertEquals(Status.OK, join(node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT)));
        assertEquals(List.of("[0-1]", "[2-7]"), versions(join(node.reads().tabletMeta(tablet))));
        assertEquals(600, join(node.reads().count(DB, "t")));
    }

    @Test
    void aFullRequestedWhileACumulativeRunsWaitsAndMergesItsOutput() {
        node = TestNode.start(dir, Map.of("compaction-dispatcher.thread-pool-executor.fixed-pool-size", 1));
        TableMeta t = TestNode.createScoreTable(node, "t", KeysType.UNIQUE_KEYS, 1,
                Map.of("disable_auto_compaction", "true"));
        long tablet = t.tabletIds().get(0);
        for (int i = 0; i < 7; i++) {
            loadScores(node, "t", i * 10L, i * 10L + 30);
        }
        holdCompactionThread();

        CompletableFuture<Status> cumulative = node.compaction().runAndWait(tablet, CompactionType.CUMULATIVE, WAIT)
                .toCompletableFuture();
        await().atMost(WAIT).until(() -> join(node.compaction().status(tablet)).running()
                .contains(CompactionType.CUMULATIVE));
        loadScores(node, "t", 100, 110); // a load commits [9-9] while the cumulative merges [2-8]
        CompletableFuture<Status> full = node.compaction().runAndWait(tablet, CompactionType.FULL, WAIT)
                .toCompletableFuture();
        // The full request is queued, not started: it would take the running cumulative's inputs.
        await().atMost(WAIT).until(() -> join(node.compaction().registry()).tasks().get(CompactionType.FULL)
                .values().stream().anyMatch(ids -> ids.contains(tablet)));
        assertEquals(Set.of(CompactionType.CUMULATIVE), join(node.compaction().status(tablet)).running());
        assertFalse(full.isDone());

        blocker.countDown();
        assertEquals(Status.OK, join(cumulative));
        assertEquals(Status.OK, join(full));
        TabletMeta meta = join(node.reads().tabletMeta(tablet));
        assertEquals(List.of("[0-9]"), versions(meta));
        List<CompactionProfile> profiles = node.compaction().profiles(p -> p.tabletId() == tablet, 0);
        assertEquals(2, profiles.size());
        CompactionProfile fullProfile = profiles.get(0);
        CompactionProfile cumuProfile = profiles.get(1);
        assertEquals("full", fullProfile.compactionType());
        assertEquals("cumulative", cumuProfile.compactionType());
        assertTrue(fullProfile.success() && cumuProfile.success());
        assertEquals("[2-8]", cumuProfile.outputVersion());
        assertEquals(3, fullProfile.inputRowsetsCount(), "the full compaction merged [0-1], the cumulative's [2-8], [9-9]");
        assertNotEquals(0, fullProfile.inputRowNum());
        assertEquals(100, join(node.reads().count(DB, "t")));
    }

    private void holdCompactionThread() {
        blocker = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Executor compaction = node.unwrap(Node.class).system().dispatchers()
                .lookup(DispatcherSelector.fromConfig("compactor.compaction-dispatcher"));
        CountDownLatch b = blocker;
        compaction.execute(() -> {
            started.countDown();
            try {
                b.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            started.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private Set<String> filesOnDisk(long tablet) throws IOException {
        Path tabletDir = node.unwrap(Node.class).engine().dataDirs().get(0).tabletPath(tablet);
        try (Stream<Path> files = Files.list(tabletDir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }
}
