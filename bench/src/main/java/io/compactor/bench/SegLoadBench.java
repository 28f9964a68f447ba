package io.compactor.bench;

import com.typesafe.config.ConfigFactory;
import io.compactor.actors.Compactor;
import io.compactor.api.CreateTableSpec;
import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.TabletMeta;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Segment compaction during a big load: one embedded node, 1-bucket DUPLICATE_KEYS tables
 * {@code k BIGINT, v1 BIGINT, v2 BIGINT, v3 DOUBLE, v4 VARCHAR(16)} (the streamload bench's schema),
 * one stream load of {@code --rows} rows of CSV (keys in random order) whose write buffer flushes
 * about {@code --segments} segments, with segment compaction off and then on
 * ({@code update_config} between loads, each into a fresh table; auto compaction off). Measures
 * the load time, the segments of the loaded rowset (tablet meta) and a full merged read
 * ({@code count}) of the table. After a warm-up pair, {@code --rounds} measured pairs; the best
 * time of each side counts. Last line:
 * {@code segload: off_ms=<n> on_ms=<n> ratio=<x> segments_off=<n> segments_on=<n> scan_ms_off=<n> scan_ms_on=<n>}.
 *
 * <p>Flags: {@code --rows 2000000 --segments 200 --rounds 2}.
 */
public final class SegLoadBench {
    private static final String DB = "bench";
    /** Fixed-width VARCHAR values keep the memtable's bytes per row, hence the segment count, exact. */
    private static final int VARCHAR_BYTES = 10;
    /** {@code RowBatch.estimatedBytes()}: 8 bytes per column and row, plus the VARCHAR bytes. */
    private static final int MEMTABLE_BYTES_PER_ROW = 5 * 8 + VARCHAR_BYTES;

    private SegLoadBench() {
    }

    private record Run(long loadMs, int segments, long scanMs) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            flags.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int rows = Integer.parseInt(flags.getOrDefault("rows", "2000000"));
        int segments = Integer.parseInt(flags.getOrDefault("segments", "200"));
        int rounds = Integer.parseInt(flags.getOrDefault("rounds", "2"));
        long writeBuffer = (long) Math.ceil((double) rows / segments) * MEMTABLE_BYTES_PER_ROW;

        Path dir = Files.createTempDirectory("compactor-segload-");
        System.out.printf("segload: %d rows, write_buffer_size=%d (~%d segments), data in %s%n", rows, writeBuffer,
                segments, dir);
        try (Compactor node = Compactor.start(ConfigFactory.parseMap(Map.of(
                        "compactor.storage_root_path", dir.toString(),
                        "compactor.webserver_port", 0,
                        "compactor.write_buffer_size", writeBuffer,
                        "compactor.disable_auto_compaction", true))
                .withFallback(ConfigFactory.load()))) {
            byte[] body = csv(rows);
            byte[] warm = csv(rows / 4);
            System.out.printf("segload: generated %.1f MB of CSV%n", body.length / 1e6);
            int[] table = {0};
            run(node, table, warm, rows / 4, false, "warm-up");
            run(node, table, warm, rows / 4, true, "warm-up");
            Run off = null;
            Run on = null;
            for (int r = 0; r < rounds; r++) {
                off = best(off, run(node, table, body, rows, false, "round " + (r + 1)));
                on = best(on, run(node, table, body, rows, true, "round " + (r + 1)));
            }
            System.out.printf("segload: segcompaction tasks=%d%n", node.ops().metrics().segcompactionTotal.sum());
            System.out.printf("segload: off_ms=%d on_ms=%d ratio=%.3f segments_off=%d segments_on=%d scan_ms_off=%d"
                            + " scan_ms_on=%d%n", off.loadMs(), on.loadMs(), (double) on.loadMs() / off.loadMs(),
                    off.segments(), on.segments(), off.scanMs(), on.scanMs());
        } finally {
            TempTree.delete(dir);
        }
    }

    private static Run best(Run a, Run b) {
        if (a == null) {
            return b;
        }
        return new Run(Math.min(a.loadMs(), b.loadMs()), b.segments(), Math.min(a.scanMs(), b.scanMs()));
    }

    private static Run run(Compactor node, int[] tableSeq, byte[] body, long rows, boolean segcompaction,
                           String what) {
        node.ops().config().update("enable_segcompaction", Boolean.toString(segcompaction));
        String name = "t" + (++tableSeq[0]);
        node.tables().create(new CreateTableSpec(DB, name, schema(), 1, 1, Map.of())).toCompletableFuture().join();
        long t0 = System.nanoTime();
        LoadResult r = node.loads().streamLoad(DB, name, body, LoadOptions.DEFAULTS, name).toCompletableFuture().join();
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        if (!r.isSuccess()) {
            throw new IllegalStateException("load into " + name + " failed: " + r.message());
        }
        long tabletId = node.tables().get(DB, name).tabletIds().get(0);
        TabletMeta meta = node.reads().tabletMeta(tabletId).toCompletableFuture().join();
        int segs = meta.rowsets().stream().mapToInt(RowsetMeta::numSegments).sum();
        long s0 = System.nanoTime();
        long count = node.reads().count(DB, name).toCompletableFuture().join();
        long scanMs = (System.nanoTime() - s0) / 1_000_000;
        if (count != rows) {
            throw new IllegalStateException("count of " + name + " is " + count + ", expected " + rows);
        }
        System.out.printf("segload: %s segcompaction=%s load_ms=%d segments=%d scan_ms=%d%n", what,
                segcompaction ? "on" : "off", loadMs, segs, scanMs);
        return new Run(loadMs, segs, scanMs);
    }

    private static Schema schema() {
        return new Schema(List.of(
                new Column("k", ColumnType.BIGINT, false, 0),
                new Column("v1", ColumnType.BIGINT, false, 0),
                new Column("v2", ColumnType.BIGINT, false, 0),
                new Column("v3", ColumnType.DOUBLE, false, 0),
                new Column("v4", ColumnType.VARCHAR, false, 16)), 1, KeysType.DUPLICATE_KEYS);
    }

    /** Tab-separated rows; keys are a permutation-like scramble of the row number. */
    private static byte[] csv(int rows) {
        StringBuilder sb = new StringBuilder(rows * 48);
        for (int i = 0; i < rows; i++) {
            long k = (i * 2_654_435_761L) & 0x7fff_ffffL;
            sb.append(k).append('\t').append(i).append('\t').append(i * 31L).append('\t').append(i * 0.25)
                    .append('\t').append(String.format("s%0" + (VARCHAR_BYTES - 1) + "d", i)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

}
