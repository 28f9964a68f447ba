package io.compactor.actors;

import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.scan;
import static io.compactor.actors.TestNode.tabletMetas;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.node.Node;
import io.compactor.api.CreateTableSpec;
import io.compactor.api.GroupCommitMode;
import io.compactor.api.LoadResult;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit (stream-load header {@code group_commit}) on an embedded node. */
class GroupCommitTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    private void start(Map<String, Object> extra) {
        node = TestNode.start(dir, extra);
    }

    private TableMeta create(String name, KeysType keys, int buckets, long intervalMs, long dataBytes) {
        return join(node.tables().create(new CreateTableSpec(DB, name, TestNode.schema(keys), buckets, 1, Map.of(
                "group_commit_interval_ms", Long.toString(intervalMs),
                "group_commit_data_bytes", Long.toString(dataBytes)))));
    }

    private CompletableFuture<LoadResult> send(String table, String csv, GroupCommitMode mode) {
        return node.loads().streamLoad(DB, table, csv.getBytes(StandardCharsets.UTF_8), LoadOptions.DEFAULTS, null,
                mode).toCompletableFuture();
    }

    private static Map<Long, Long> rows(long from, int n, long value) {
        Map<Long, Long> m = new LinkedHashMap<>();
        for (long k = from; k < from + n; k++) {
            m.put(k, value);
        }
        return m;
    }

    private Path walDir() {
        return dir.resolve("wal");
    }

    private List<Path> walFiles() throws IOException {
        if (!Files.isDirectory(walDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(walDir())) {
            return s.toList();
        }
    }

    @Test
    void syncModeAnswersOnlyOnceItsRowsAreVisibleWithTheInternalLoadsLabel() {
        start(Map.of());
        // The interval never fires in this test; the third load reaches the bytes and commits all three.
        long firstTwo = csv(rows(0, 10, 1)).length() + csv(rows(100, 10, 1)).length();
        create("t", KeysType.DUPLICATE_KEYS, 4, 600_000, firstTwo + 1);
        List<CompletableFuture<Long>> countsAtAnswer = new ArrayList<>();
        List<CompletableFuture<LoadResult>> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CompletableFuture<LoadResult> a = send("t", csv(rows(i * 100L, 10, 1)), GroupCommitMode.SYNC_MODE);
            answers.add(a);
            // The count read in the answer's own callback: the rows must be visible by then.
            countsAtAnswer.add(a.thenApply(r -> count(node, "t")));
        }
        assertEquals(0, count(node, "t"), "nothing is visible before the internal load commits");
        assertFalse(answers.get(0).isDone(), "a sync_mode load does not answer before its internal load commits");
        LoadResult third = join(send("t", csv(rows(200, 10, 1)), GroupCommitMode.SYNC_MODE));
        for (int i = 0; i < 2; i++) {
            LoadResult r = join(answers.get(i));
            assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
            assertEquals(Boolean.TRUE, r.groupCommit());
            assertEquals(10, r.numberLoadedRows());
            assertEquals(third.label(), r.label(), "one internal load: one label");
            assertEquals(third.txnId(), r.txnId());
            assertEquals(30, join(countsAtAnswer.get(i)));
        }
        assertTrue(third.label().matches("group_commit_[0-9a-f]{16}_[0-9a-f]{16}"), third.label());
        assertTrue(node.unwrap(Node.class).engine().meta().findLabel(DB, third.label()).isPresent(),
                "the internal load's label is committed with its rows");
        tabletMetas(node, "t").values().forEach(m -> assertEquals(2, m.rowsets().size(),
                "[0-1] and one version for the internal load: " + m.rowsets()));

        // Labels behave as Doris documents for group commit: a load may not carry its own.
        LoadResult labelled = join(node.loads().streamLoad(DB, "t", csv(rows(0, 1, 1)).getBytes(StandardCharsets.UTF_8),
                LoadOptions.DEFAULTS, "mine", GroupCommitMode.SYNC_MODE));
        assertEquals(LoadResult.FAIL, labelled.status());
        assertEquals("[INVALID_ARGUMENT]label and group_commit can't be set at the same time", labelled.message());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> GroupCommitMode.fromHeader("fast_mode"));
        assertEquals("[INVALID_ARGUMENT]group_commit can only be [async_mode, sync_mode, off_mode]", bad.getMessage());
        assertEquals(GroupCommitMode.OFF_MODE, GroupCommitMode.fromHeader(null));
    }

    @Test
    void groupCommitIntoAMergeOnWriteTableKeepsOneRowPerKeyTheLatestWins() {
        start(Map.of());
        create("u", KeysType.UNIQUE_KEYS, 3, 100, 1L << 30);
        // Three rounds over the same 40 keys; each round is its own internal load or shares one.
        for (long round = 1; round <= 3; round++) {
            GroupCommitMode mode = round == 2 ? GroupCommitMode.ASYNC_MODE : GroupCommitMode.SYNC_MODE;
            for (int part = 0; part < 4; part++) {
                // One after the other, so "later" is well defined: within one internal load (the
                // async round shares one) later appends win over earlier ones for the same key.
                LoadResult r = join(send("u", csv(rows(0, 40, round * 10 + part)), mode));
                assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
            }
        }
        List<String> expected = new ArrayList<>();
        for (long k = 0; k < 40; k++) {
            expected.add(k + ",33,s33");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> scan(node, "u").equals(expected));
        for (var e : tabletMetas(node, "u").entrySet()) {
            var check = join(node.reads().checkTablet(e.getKey()));
            assertEquals(0, check.duplicateKeys(), "tablet " + e.getKey());
            assertTrue(check.bitmapConsistent(), "tablet " + e.getKey());
            // Compaction works unchanged on group-committed rowsets.
            Status s = join(node.compaction().runAndWait(e.getKey(), CompactionType.FULL, Duration.ofSeconds(30)));
            assertTrue(s.ok(), s.toString());
            var after = join(node.reads().checkTablet(e.getKey()));
            assertEquals(0, after.duplicateKeys());
            assertTrue(after.bitmapConsistent());
        }
        assertEquals(expected, scan(node, "u"));
    }

    @Test
    void aTornWalTailIsDroppedAndNeverReplayedAsRows() throws Exception {
        start(Map.of());
        create("a", KeysType.DUPLICATE_KEYS, 4, 600_000, 1L << 30);
        for (int i = 0; i < 3; i++) {
            LoadResult r = join(send("a", csv(rows(i * 100L, 7, i)), GroupCommitMode.ASYNC_MODE));
            assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
            assertEquals(Boolean.TRUE, r.groupCommit());
        }
        assertEquals(0, count(node, "a"), "async rows wait for the internal load");
        node.close(); // stops before the interval: the rows are only in the WAL
        node = null;
        List<Path> wals = walFiles();
        assertEquals(1, wals.size(), wals.toString());
        Path wal = wals.get(0);
        Path pristine = dir.resolve("pristine.copy");
        Files.copy(wal, pristine);
        // A torn tail: a record announcing 4 KB of which only some garbage made it to disk.
        byte[] tail = new byte[40];
        java.nio.ByteBuffer.wrap(tail).putInt(4096).putInt(0x1234_5678);
        for (int i = 8; i < tail.length; i++) {
            tail[i] = (byte) (i * 37);
        }
        Files.write(wal, tail, StandardOpenOption.APPEND);

        start(Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> count(node, "a") == 21);
        await().atMost(Duration.ofSeconds(10)).until(() -> walFiles().isEmpty());
        List<String> lines = scan(node, "a");
        assertEquals(21, lines.size(), "exactly the acknowledged rows, no garbage row: " + lines);
        node.close();
        node = null;

        // The same WAL again (as if the crash fell between the commit and the delete): its label is
        // committed, so it is deleted and never applied twice.
        Files.createDirectories(walDir());
        Files.copy(pristine, wal);
        start(Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> walFiles().isEmpty());
        assertEquals(21, count(node, "a"));
    }

    @Test
    void asyncLoadsPastTheNodeWalLimitAreAnsweredBusy() {
        start(Map.of("group_commit_wal_max_disk_limit", "300"));
        create("b", KeysType.DUPLICATE_KEYS, 2, 600_000, 1L << 30);
        String body = csv(rows(0, 10, 1));
        LoadResult first = join(send("b", body, GroupCommitMode.ASYNC_MODE));
        assertEquals(LoadResult.SUCCESS, first.status(), first.toString());
        LoadResult refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            LoadResult r = join(send("b", body, GroupCommitMode.ASYNC_MODE));
            if (!r.isSuccess()) {
                refused = r;
            }
        }
        assertTrue(refused != null, "the WAL limit is reached");
        assertTrue(refused.message().startsWith("[SERVICE_UNAVAILABLE]There is no space for group commit stream load "
                + "async WAL. This stream load size is " + body.length()), refused.message());
        // sync_mode needs no WAL and still loads
        assertEquals(LoadResult.SUCCESS, join(node.loads().streamLoad(DB, "b", body.getBytes(StandardCharsets.UTF_8),
                LoadOptions.DEFAULTS, null, GroupCommitMode.OFF_MODE)).status());
    }
}
