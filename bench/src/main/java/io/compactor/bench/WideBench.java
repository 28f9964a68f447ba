package io.compactor.bench;

import io.compactor.storage.DataDir;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.compaction.CompactionSettings;
import io.compactor.storage.compaction.RowsetCompactor;
import io.compactor.storage.merge.ColumnGroups;
import io.compactor.storage.merge.RowSourceBuffer;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SortedRowsetWriter;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code bin/compactor bench wide}: horizontal against vertical compaction of a wide table, in one
 * run, through the real compaction path ({@link RowsetCompactor}: segment files in, merge, segment
 * files out, fsynced).
 *
 * <p><b>Data.</b> A UNIQUE_KEYS table with a BIGINT key and {@code --value-columns} (100) value
 * columns cycling BIGINT, INT, DOUBLE, VARCHAR(16), DATETIME (every fifth nullable);
 * {@code --rowsets} (5) rowsets of {@code --rows-per-rowset} (200,000) rows, keys distinct within a
 * rowset and uniform over 1.5 x all rows (so about a quarter of the rows are older versions that
 * the merge drops). Vertical compaction uses Doris's defaults: 5 value columns per group, row
 * sources in memory up to 1 GiB.
 *
 * <p><b>Time.</b> Each mode runs once to warm up, then {@code --runs} (3) times, alternating; the
 * median is printed. The output is deleted after each run.
 *
 * <p><b>Peak memory</b> is the peak live heap of one compaction run alone in the JVM, measured by
 * {@link LiveHeapPeak}: a full GC before the run gives the baseline; during the run a sampler forces
 * a full GC every {@code --gc-sample-ms} (25) ms and takes the heap in use at the end of that GC
 * from the collector's GC notification, i.e. the objects still reachable; the peak is the largest
 * sample minus the baseline. Garbage never counts
 * (so this is not allocated bytes, nor a pool's peak usage, which includes uncollected garbage).
 * These runs are separate from the timed ones (the forced GCs slow them). The merge's own estimate
 * of its batches ({@code MergeStats.peakMemoryBytes}) is printed next to it; it counts only the
 * merge's row batches (not decoded pages, reader and writer buffers, page indexes), so it is a
 * lower bound, not the figure reported.
 */
public final class WideBench {
    private static final Set<String> FLAGS = Set.of("rowsets", "rows-per-rowset", "value-columns", "runs", "seed",
            "gc-sample-ms");
    private static final long TABLET = 1;
    private static final ColumnType[] CYCLE = {ColumnType.BIGINT, ColumnType.INT, ColumnType.DOUBLE,
        ColumnType.VARCHAR, ColumnType.DATETIME};

    private final int rowsets;
    private final int rowsPerRowset;
    private final int runs;
    private final long seed;
    private final int gcSampleMs;
    private final Schema schema;
    private final byte[][] words = new byte[1024][];
    private long nextRowsetId = 1;

    private WideBench(int rowsets, int rowsPerRowset, int valueColumns, int runs, long seed, int gcSampleMs) {
        this.rowsets = rowsets;
        this.rowsPerRowset = rowsPerRowset;
        this.runs = runs;
        this.seed = seed;
        this.gcSampleMs = gcSampleMs;
        List<Column> cols = new ArrayList<>();
        cols.add(new Column("k", ColumnType.BIGINT, false, 0));
        for (int i = 1; i <= valueColumns; i++) {
            ColumnType t = CYCLE[(i - 1) % CYCLE.length];
            cols.add(new Column("v" + i, t, i % 5 == 0, t == ColumnType.VARCHAR ? 16 : 0));
        }
        this.schema = Schema.of(cols, List.of("k"), KeysType.UNIQUE_KEYS);
        for (int i = 0; i < words.length; i++) {
            words[i] = String.format(Locale.ROOT, "w%06d-%05d", i * 7919 % 1_000_000, i).getBytes(StandardCharsets.US_ASCII);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, FLAGS);
        WideBench bench = new WideBench(Flags.intFlag(f, "rowsets", 5, 1), Flags.intFlag(f, "rows-per-rowset", 200_000, 1),
                Flags.intFlag(f, "value-columns", 100, 1), Flags.intFlag(f, "runs", 3, 1),
                Long.parseLong(f.getOrDefault("seed", "20240717")), Flags.intFlag(f, "gc-sample-ms", 25, 1));
        bench.run();
    }

    private void run() throws Exception {
        Path root = Files.createTempDirectory("wide-bench");
        try {
            DataDir dir = new DataDir(root);
            System.out.printf(Locale.ROOT, "wide-bench: UNIQUE_KEYS, BIGINT key + %d value columns, %d rowsets x %,d rows,"
                            + " %d column groups of %d value columns%n", schema.columnCount() - 1, rowsets,
                    rowsPerRowset, ColumnGroups.split(schema, ColumnGroups.DEFAULT_COLUMNS_PER_GROUP).size(),
                    ColumnGroups.DEFAULT_COLUMNS_PER_GROUP);
            List<RowsetMeta> inputs = writeInputs(dir);
            long inputBytes = inputs.stream().mapToLong(RowsetMeta::totalBytes).sum();
            System.out.printf(Locale.ROOT, "wide-bench: wrote %d input rowsets, %,d bytes of segment files%n", rowsets,
                    inputBytes);

            long[] horizontalNs = new long[runs];
            long[] verticalNs = new long[runs];
            for (int run = -1; run < runs; run++) {
                long h = timed(dir, inputs, false, run);
                long v = timed(dir, inputs, true, run);
                if (run >= 0) {
                    horizontalNs[run] = h;
                    verticalNs[run] = v;
                }
            }
            long horizontalMs = median(horizontalNs) / 1_000_000;
            long verticalMs = median(verticalNs) / 1_000_000;

            long horizontalPeak = peak(dir, inputs, false);
            long verticalPeak = peak(dir, inputs, true);
            System.out.printf(Locale.ROOT, "wide: horizontal_ms=%d vertical_ms=%d horizontal_peak_bytes=%d"
                            + " vertical_peak_bytes=%d memory_ratio=%.3f%n", horizontalMs, verticalMs, horizontalPeak,
                    verticalPeak, horizontalPeak == 0 ? Double.NaN : verticalPeak / (double) horizontalPeak);
        } finally {
            TempTree.delete(root);
        }
    }

    private static CompactionSettings settings(boolean vertical) {
        return new CompactionSettings(vertical, ColumnGroups.DEFAULT_COLUMNS_PER_GROUP,
                RowSourceBuffer.DEFAULT_MAX_MEMORY_BYTES, 1L << 30, false);
    }

    private long timed(DataDir dir, List<RowsetMeta> inputs, boolean vertical, int run) throws Exception {
        long start = System.nanoTime();
        CompactionOutput out = RowsetCompactor.compact(dir, TABLET, schema, inputs, new RowsetId(nextRowsetId++),
                settings(vertical));
        long ns = System.nanoTime() - start;
        System.out.printf(Locale.ROOT, "wide-bench: %s %s: %.3f s, %,d rows out (%,d merged), %d segment(s) %,d bytes%n",
                vertical ? "vertical  " : "horizontal", run < 0 ? "warm-up" : "run " + (run + 1), ns / 1e9,
                out.stats().outputRows(), out.stats().mergedRows(), out.rowset().segments().size(),
                out.rowset().totalBytes());
        dir.deleteRowsetFiles(TABLET, out.rowset().rowsetId(), out.rowset().segments().size());
        return ns;
    }

    private long peak(DataDir dir, List<RowsetMeta> inputs, boolean vertical) throws Exception {
        CompactionOutput[] out = new CompactionOutput[1];
        LiveHeapPeak.Result r = LiveHeapPeak.measure(gcSampleMs, () -> out[0] = RowsetCompactor.compact(dir, TABLET,
                schema, inputs, new RowsetId(nextRowsetId++), settings(vertical)));
        System.out.printf(Locale.ROOT, "wide-bench: %s peak live heap %,d bytes over a baseline of %,d (%d forced-GC"
                        + " samples, one every %d ms); the merge's own estimate of its row batches alone: %,d bytes%n",
                vertical ? "vertical  " : "horizontal", r.peakBytes(), r.baselineBytes(), r.samples(), gcSampleMs,
                out[0].stats().peakMemoryBytes());
        dir.deleteRowsetFiles(TABLET, out[0].rowset().rowsetId(), out[0].rowset().segments().size());
        return r.peakBytes();
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** Each rowset: distinct keys drawn uniformly, written in key order through the real segment writer. */
    private List<RowsetMeta> writeInputs(DataDir dir) throws Exception {
        long keySpace = (long) rowsets * rowsPerRowset * 3 / 2;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        List<RowsetMeta> out = new ArrayList<>();
        RowBatch chunk = new RowBatch(schema, 4096);
        for (int r = 0; r < rowsets; r++) {
            BitSet keys = new BitSet((int) keySpace);
            int n = 0;
            while (n < rowsPerRowset) {
                int k = (int) rnd.nextLong(keySpace);
                if (!keys.get(k)) {
                    keys.set(k);
                    n++;
                }
            }
            RowsetId id = new RowsetId(nextRowsetId++);
            SortedRowsetWriter w = new SortedRowsetWriter(dir, TABLET, id, schema, Long.MAX_VALUE, null);
            chunk.clear();
            for (int k = keys.nextSetBit(0); k >= 0; k = keys.nextSetBit(k + 1)) {
                fill(chunk, k, r);
                if (chunk.size() == 4096) {
                    w.appendRange(chunk, 0, chunk.size());
                    chunk.clear();
                }
            }
            w.appendRange(chunk, 0, chunk.size());
            PendingRowset p = w.build();
            out.add(p.toMeta(Version.of(2 + r), 0, 2 + r));
        }
        return out;
    }

    private void fill(RowBatch b, long k, int rowset) {
        int row = b.addRow();
        b.setLong(row, 0, k);
        long x = k * 0x9E3779B97F4A7C15L + rowset;
        for (int c = 1; c < schema.columnCount(); c++) {
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            Column col = schema.column(c);
            if (col.nullable() && (x & 15) == 0) {
                b.setNull(row, c);
                continue;
            }
            switch (col.type()) {
                case BIGINT -> b.setLong(row, c, x >>> 20);
                case INT -> b.setLong(row, c, (int) (x >>> 40));
                case DOUBLE -> b.setDouble(row, c, (x >>> 11) * 0x1.0p-40);
                case VARCHAR -> b.setBytes(row, c, words[(int) ((x >>> 33) & (words.length - 1))]);
                case DATETIME -> b.setLong(row, c, 1_700_000_000_000L + ((x >>> 30) & 0xFFFFFFFFL));
                default -> b.setLong(row, c, x & 0xFFFF);
            }
        }
    }
}
