package io.compactor.actors.segcompaction;

import io.compactor.actors.TestNode;
import io.compactor.storage.util.StatusCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.api.CreateTableSpec;
import io.compactor.api.LoadResult;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment compaction and vertical compaction through a whole embedded node: stream loads whose
 * tablet writer flushes many small segments (a 12 KB write buffer, ~200 rows per segment).
 */
class SegcompactionNodeTest {
    private static final String DB = "db";
    private static final int ROWS_PER_SEGMENT_APPROX = 200;

    @TempDir
    static Path root;
    static Compactor node;
    static int tables;

    @BeforeAll
    static void start() {
        node = TestNode.start(root, Map.of("write_buffer_size", 12_000, "enable_debug_points", true,
                "disable_auto_compaction", true, "vertical_compaction_num_columns_per_group", 2));
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @AfterEach
    void restoreConfig() {
        node.ops().config().update("enable_segcompaction", "true");
        node.ops().config().update("enable_vertical_compaction", "true");
        node.ops().config().update("max_segment_num_per_rowset", "1000");
        node.ops().debugPoints().clear();
    }

    private static Schema schema(KeysType keys) {
        return new Schema(List.of(
                new Column("k", ColumnType.BIGINT, false, 0),
                new Column("v1", ColumnType.BIGINT, false, 0),
                new Column("v2", ColumnType.BIGINT, true, 0),
                new Column("d", ColumnType.DOUBLE, false, 0),
                new Column("s", ColumnType.VARCHAR, false, 16)), 1, keys);
    }

    private static String createTable(KeysType keys) {
        String name = "t" + (++tables);
        node.tables().create(new CreateTableSpec(DB, name, schema(keys), 1, 1, Map.of())).toCompletableFuture().join();
        return name;
    }

    /** Rows with keys {@code key(i)}; values say which row they came from. */
    private static byte[] csv(int rows, int keyDomain, int salt) {
        StringBuilder sb = new StringBuilder(rows * 40);
        for (int i = 0; i < rows; i++) {
            long k = (i * 2_654_435_761L + salt) % keyDomain;
            sb.append(k).append('\t').append(i).append('\t').append(i % 7 == 0 ? "\\N" : Long.toString(i * 3L))
                    .append('\t').append(i * 0.5).append('\t').append("s").append(i % 1000).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static LoadResult load(String table, byte[] body) {
        return node.loads().streamLoad(DB, table, body, LoadOptions.DEFAULTS, table + "-" + System.nanoTime())
                .toCompletableFuture().join();
    }

    private static long tabletId(String table) {
        return node.tables().get(DB, table).tabletIds().get(0);
    }

    private static TabletMeta meta(String table) {
        return node.reads().tabletMeta(tabletId(table)).toCompletableFuture().join();
    }

    private static int loadSegments(String table) {
        return meta(table).rowsets().stream().filter(r -> r.numRows() > 0).mapToInt(RowsetMeta::numSegments).sum();
    }

    private static List<String> scan(String table) {
        RowBatch b = node.reads().scan(DB, table, Long.MAX_VALUE).toCompletableFuture().join();
        List<String> rows = new ArrayList<>(b.size());
        for (int r = 0; r < b.size(); r++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < b.schema().columnCount(); c++) {
                sb.append(b.text(r, c)).append('|');
            }
            rows.add(sb.toString());
        }
        return rows;
    }

    private static List<String> segmentFiles(String table) throws IOException {
        Path dir = root.resolve("data").resolve(Long.toString(tabletId(table)));
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".dat")).sorted().toList();
        }
    }

    @Test
    void manySmallSegmentsEndAsOnePerBatchWithTheSameRows() {
        byte[] body = csv(20_000, 15_000, 1);
        node.ops().config().update("enable_segcompaction", "false");
        String off = createTable(KeysType.DUPLICATE_KEYS);
        assertTrue(load(off, body).isSuccess());
        int raw = loadSegments(off);
        assertTrue(raw >= 50, "the write buffer flushes many segments: " + raw);

        node.ops().config().update("enable_segcompaction", "true");
        long tasksBefore = node.ops().metrics().segcompactionTotal.sum();
        String on = createTable(KeysType.DUPLICATE_KEYS);
        assertTrue(load(on, body).isSuccess());

        // Every merge takes exactly one batch of 10 small segments; the rest (< 10) is renamed.
        assertEquals(raw / 10 + raw % 10, loadSegments(on));
        assertEquals(raw / 10, node.ops().metrics().segcompactionTotal.sum() - tasksBefore);
        RowsetMeta rs = meta(on).rowsets().stream().filter(r -> r.numRows() > 0).findFirst().orElseThrow();
        assertEquals(20_000, rs.numRows());
        assertEquals(scan(off), scan(on));
    }

    @Test
    void uniqueKeysResolveDuplicatesAcrossSegmentsOfOneLoadToTheNewestRow() {
        // 20,000 rows over 3,000 keys: every key appears in many segments; the last row of a key wins.
        byte[] body = csv(20_000, 3_000, 7);
        Map<Long, Long> newest = new HashMap<>();
        for (String line : new String(body, StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split("\t");
            newest.put(Long.parseLong(f[0]), Long.parseLong(f[1]));
        }
        String on = createTable(KeysType.UNIQUE_KEYS);
        assertTrue(load(on, body).isSuccess());
        node.ops().config().update("enable_segcompaction", "false");
        String off = createTable(KeysType.UNIQUE_KEYS);
        assertTrue(load(off, body).isSuccess());
        assertTrue(loadSegments(on) < loadSegments(off), loadSegments(on) + " vs " + loadSegments(off));

        RowBatch b = node.reads().scan(DB, on, Long.MAX_VALUE).toCompletableFuture().join();
        assertEquals(newest.size(), b.size());
        for (int r = 0; r < b.size(); r++) {
            assertEquals(newest.get(b.getLong(r, 0)), b.getLong(r, 1), "key " + b.getLong(r, 0));
        }
        assertEquals(scan(off), scan(on));
    }

    @Test
    void tooManySegmentsFailsTheLoadEarlyWithE238AndLeavesNothing() throws IOException {
        node.ops().config().update("max_segment_num_per_rowset", "3");
        String t = createTable(KeysType.DUPLICATE_KEYS);
        LoadResult r = load(t, csv(20_000, 1_000_000, 3));
        assertEquals(LoadResult.FAIL, r.status());
        assertTrue(r.message().startsWith("[" + StatusCode.TOO_MANY_SEGMENTS + "]too many segments in rowset. tablet_id:"
                + tabletId(t)), r.message());
        assertTrue(r.message().contains("max:3, "), r.message());
        assertEquals(0L, node.reads().count(DB, t).toCompletableFuture().join());
        assertEquals(0, loadSegments(t));
        assertEquals(List.of(), segmentFiles(t));
    }

    @Test
    void injectedSegcompactionFaultFailsTheLoadWithE3119AndLeavesNothing() throws IOException {
        node.ops().debugPoints().add("segcompaction.fail", 1, -1, Map.of());
        String t = createTable(KeysType.DUPLICATE_KEYS);
        LoadResult r = load(t, csv(20_000, 1_000_000, 5));
        assertEquals(LoadResult.FAIL, r.status());
        assertTrue(r.message().startsWith("[" + StatusCode.SEGCOMPACTION_FAILED + "]segcompaction failed: tablet_id:"
                + tabletId(t)), r.message());
        assertEquals(0L, node.reads().count(DB, t).toCompletableFuture().join());
        assertEquals(List.of(), segmentFiles(t));
        // the node is fine afterwards
        assertTrue(load(t, csv(2_000, 1_000_000, 5)).isSuccess());
        assertEquals(2_000L, node.reads().count(DB, t).toCompletableFuture().join());
    }

    @Test
    void verticalAndHorizontalCompactionGiveIdenticalRows() {
        for (KeysType keys : List.of(KeysType.DUPLICATE_KEYS, KeysType.UNIQUE_KEYS)) {
            Map<Boolean, String> tables = new HashMap<>();
            for (boolean vertical : new boolean[]{true, false}) {
                node.ops().config().update("enable_vertical_compaction", Boolean.toString(vertical));
                String t = createTable(keys);
                tables.put(vertical, t);
                for (int l = 0; l < 4; l++) {
                    assertTrue(load(t, csv(6_000, 5_000, l)).isSuccess());
                }
                Status s = node.compaction().runAndWait(tabletId(t), CompactionType.FULL, Duration.ofSeconds(60))
                        .toCompletableFuture().join();
                assertTrue(s.ok(), s.toString());
                List<RowsetMeta> data = meta(t).rowsets().stream().filter(r -> r.numRows() > 0).toList();
                assertEquals(1, data.size(), keys + " vertical=" + vertical + ": one rowset after full compaction");
            }
            List<String> v = scan(tables.get(true));
            assertEquals(keys == KeysType.DUPLICATE_KEYS ? 24_000 : 5_000, v.size());
            assertEquals(v, scan(tables.get(false)), keys + ": vertical and horizontal agree");
        }
    }
}
