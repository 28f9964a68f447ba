package io.compactor.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.config.SchedulerKeys;
import io.compactor.scheduler.policy.CompactionPick;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.merge.MergeSink;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.RowsetSources;
import io.compactor.storage.tablet.TabletReader;
import io.compactor.storage.tablet.TabletSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code bin/compactor bench upsert}: merge-on-write against merge-on-read on the same upserts.
 *
 * <p><b>Data.</b> A UNIQUE_KEYS table (BIGINT key; BIGINT, DOUBLE, VARCHAR(32), INT values), one
 * tablet per mode. A base load of {@code --rows} (1,000,000) keys, then {@code --batches} (10)
 * batches of {@code --rows} upserts, half of them keys already present (drawn uniformly from every
 * key loaded so far), half new keys. Keys are a bijective hash of a sequence number, so new keys
 * fall everywhere in the key space (segment min/max pruning can not skip anything).
 *
 * <p><b>The two tablets</b> are {@link UpsertTablet}s on one storage engine configured as the node
 * is ({@code application.conf}): each load writes its rowset with the node's memtable, commits its
 * meta in one synced write; the merge-on-write tablet also computes the load's delete bitmap
 * against every visible rowset. Each batch goes to both tablets, alternating which goes first.
 *
 * <p><b>Compaction runs</b>, as on a node with default settings: after every load the node's own
 * policies (size_based cumulative, then base, Doris defaults) are asked what to compact, and it
 * runs — between loads, on the bench thread, timed apart from the loads (on a node it runs in the
 * background, beside loads, so load throughput here excludes it; its time is printed). Both
 * tablets get the same compactions (chosen for the merge-on-write tablet, applied to the same
 * versions of the other), so reads compare the read paths over the same rowset layout:
 * merge-on-write compaction converts its marks through the row-id map, merge-on-read compaction
 * collapses keys as it merges.
 *
 * <p><b>Measured.</b> {@code load_rows_per_s}: rows of the 10 upsert batches / the time of their
 * loads (write + bitmap + commit). {@code get_p50_us}: median of point gets of keys loaded at any
 * time, through {@link TabletReader#get}: merge-on-write by primary-key lookup (cached key
 * indexes, delete bitmap), merge-on-read by merging the tablet's rowsets, the earlier read path
 * ({@code --gets} and {@code --mor-gets} samples; a merge-on-read get reads the whole tablet, so it
 * gets fewer). Every merge-on-read answer is checked against the merge-on-write one. {@code
 * scan_ms}: median of {@code --scans} full reads of every visible row into a checksum of
 * all its columns (VARCHAR bytes copied out by {@link RowBatch#copyBytes}, which allocates nothing),
 * through {@link TabletReader#readAnyOrder}, as an analytic query scans a table: merge-on-write
 * reads rowset after rowset and skips the rows its bitmap marks, without merging (Doris's
 * merge-on-write scan), its VARCHAR values left packed as the pages hold them; merge-on-read has to merge the rowsets by key to know which rows
 * are visible. The key-ordered scan of the {@code _scan} API ({@link TabletReader#read}) is timed
 * too and printed above the summary. All scans must produce the same rows and checksum.
 */
public final class UpsertBench {
    private static final Set<String> FLAGS = Set.of("rows", "batches", "gets", "mor-gets", "scans", "seed");
    private static final int VARCHAR_POOL = 4096;

    private final int rows;
    private final int batches;
    private final int gets;
    private final int morGets;
    private final int scans;
    private final long seed;
    private final Schema schema = Schema.of(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("batch", ColumnType.BIGINT, false, 0), new Column("score", ColumnType.DOUBLE, true, 0),
            new Column("name", ColumnType.VARCHAR, true, 32), new Column("n", ColumnType.INT, false, 0)),
            List.of("k"), KeysType.UNIQUE_KEYS);
    private final byte[][] names = new byte[VARCHAR_POOL][];
    private long nextId;

    private UpsertBench(int rows, int batches, int gets, int morGets, int scans, long seed) {
        this.rows = rows;
        this.batches = batches;
        this.gets = gets;
        this.morGets = morGets;
        this.scans = scans;
        this.seed = seed;
        for (int i = 0; i < VARCHAR_POOL; i++) {
            names[i] = String.format(Locale.ROOT, "user-%06d-%08x", i, i * 0x9E3779B1).getBytes(StandardCharsets.US_ASCII);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, FLAGS);
        new UpsertBench(Flags.intFlag(f, "rows", 1_000_000, 2), Flags.intFlag(f, "batches", 10, 1),
                Flags.intFlag(f, "gets", 2000, 1), Flags.intFlag(f, "mor-gets", 15, 1), Flags.intFlag(f, "scans", 3, 1),
                Long.parseLong(f.getOrDefault("seed", "20240717"))).run();
    }

    /** A bijection of the sequence number onto the whole long range (splitmix64's finalizer). */
    static long key(long id) {
        long z = id + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private void run() throws Exception {
        Path root = Files.createTempDirectory("upsert-bench");
        Config config = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", root.toString()))
                .withFallback(ConfigFactory.load()).resolve();
        CompactorConfig cfg = CompactorConfig.load(config, List.of(StorageKeys.ALL, SchedulerKeys.ALL));
        CompactionConfig compaction = SchedulerKeys.compactionConfig(cfg);
        Clock clock = Clock.systemUTC();
        try (StorageEngine engine = StorageEngine.open(cfg, clock)) {
            UpsertTablet mow = new UpsertTablet("merge-on-write", engine, 1, schema, true);
            UpsertTablet mor = new UpsertTablet("merge-on-read", engine, 2, schema, false);
            System.out.printf(Locale.ROOT, "upsert-bench: UNIQUE_KEYS (BIGINT key, 4 values), base load of %,d keys, then"
                            + " %d batches of %,d upserts (50%% existing keys); write_buffer_size=%d, compaction by the"
                            + " node's policies between loads%n", rows, batches, rows,
                    cfg.get(StorageKeys.WRITE_BUFFER_SIZE));
            SplittableRandom rnd = new SplittableRandom(seed);
            loadBoth(mow, mor, batch(rnd, 0, 0), 0, compaction, clock);
            long mowNanos = 0;
            long morNanos = 0;
            for (int b = 1; b <= batches; b++) {
                RowBatch data = batch(rnd, b, rows / 2);
                long[] took = loadBoth(mow, mor, data, b, compaction, clock);
                mowNanos += took[0];
                morNanos += took[1];
            }
            long loaded = (long) batches * rows;
            System.out.printf(Locale.ROOT, "upsert-bench: compaction (between loads, not in load time): merge-on-write %d"
                            + " runs %.1f s, merge-on-read %d runs %.1f s%n", mow.compactions(), mow.compactionNanos() / 1e9,
                    mor.compactions(), mor.compactionNanos() / 1e9);
            System.out.println("upsert-bench: merge-on-write rowsets: " + mow.layout());
            System.out.println("upsert-bench: merge-on-read rowsets:  " + mor.layout());

            System.out.printf(Locale.ROOT, "upsert-bench: load average before the scans %.2f (figures taken above 3 are"
                    + " not valid measurements)%n", loadAverage());
            long[] scanMow = new long[scans];
            long[] scanMor = new long[scans];
            long[] sumMow = new long[3];
            long[] sumMor = new long[3];
            long[] ordMow = new long[3];
            long[] ordMor = new long[3];
            long[] cpuMow = new long[scans];
            long[] cpuMor = new long[scans];
            for (int i = 0; i < scans; i++) {
                System.gc();
                scanMow[i] = scan(mow, sumMow, false);
                cpuMow[i] = sumMow[2];
                System.gc();
                scanMor[i] = scan(mor, sumMor, false);
                cpuMor[i] = sumMor[2];
                System.out.printf(Locale.ROOT, "upsert-bench: scan %d: merge-on-write %d ms, merge-on-read %d ms (%,d rows)%n",
                        i + 1, scanMow[i] / 1_000_000, scanMor[i] / 1_000_000, sumMow[0]);
            }
            for (int i = 0; i < scans; i++) {
                System.gc();
                long m = scan(mow, ordMow, true);
                System.gc();
                long r = scan(mor, ordMor, true);
                System.out.printf(Locale.ROOT, "upsert-bench: key-ordered scan (the _scan API) %d: merge-on-write %d ms,"
                        + " merge-on-read %d ms%n", i + 1, m / 1_000_000, r / 1_000_000);
            }
            if (ordMow[0] != sumMow[0] || ordMow[1] != sumMow[1] || ordMor[1] != sumMor[1]) {
                throw new IllegalStateException("key-ordered scans differ from the scans in any order");
            }
            if (sumMow[0] != sumMor[0] || sumMow[1] != sumMor[1] || sumMow[0] != nextId) {
                throw new IllegalStateException("scans differ: merge-on-write " + sumMow[0] + " rows (checksum "
                        + sumMow[1] + "), merge-on-read " + sumMor[0] + " rows (checksum " + sumMor[1] + "), "
                        + nextId + " distinct keys loaded");
            }
            double[] getsMow = gets(engine, mow, mor, rnd);
            System.out.printf(Locale.ROOT, "upsert-bench: scan thread CPU time (median; less sensitive to other load,"
                            + " without the collector's threads): merge-on-write %d ms, merge-on-read %d ms%n",
                    median(cpuMow) / 1_000_000, median(cpuMor) / 1_000_000);
            System.out.printf(Locale.ROOT, "upsert-bench: load average at the end %.2f%n", loadAverage());
            System.out.printf(Locale.ROOT, "upsert: mow_load_rows_per_s=%d mor_load_rows_per_s=%d mow_get_p50_us=%d"
                            + " mor_get_p50_us=%d mow_scan_ms=%d mor_scan_ms=%d%n",
                    Math.round(loaded / (mowNanos / 1e9)), Math.round(loaded / (morNanos / 1e9)),
                    Math.round(getsMow[0]), Math.round(getsMow[1]), median(scanMow) / 1_000_000,
                    median(scanMor) / 1_000_000);
        } finally {
            TempTree.delete(root);
        }
    }

    /** Loads one batch into both tablets (alternating which goes first), then runs what the policies pick. */
    private long[] loadBoth(UpsertTablet mow, UpsertTablet mor, RowBatch data, int b, CompactionConfig compaction,
                            Clock clock) throws Exception {
        long[] took = new long[2];
        if (b % 2 == 0) {
            took[0] = mow.load(data);
            took[1] = mor.load(data);
        } else {
            took[1] = mor.load(data);
            took[0] = mow.load(data);
        }
        StringBuilder compacted = new StringBuilder();
        CompactionPick pick;
        while ((pick = mow.pick(compaction, clock)) != null) {
            mow.compact(pick, compaction, clock);
            mor.compact(pick, compaction, clock);
            compacted.append(' ').append(pick.type().name().toLowerCase(Locale.ROOT)).append(' ')
                    .append(pick.outputVersion());
        }
        System.out.printf(Locale.ROOT, "upsert-bench: %s %d: %,d rows, merge-on-write %.2f s, merge-on-read %.2f s%s%n",
                b == 0 ? "base load" : "batch", b, data.size(), took[0] / 1e9, took[1] / 1e9,
                compacted.length() == 0 ? "" : "; compacted" + compacted);
        return took;
    }

    /** {@code existing} keys drawn from those loaded so far, the rest new. */
    private RowBatch batch(SplittableRandom rnd, int b, int existing) {
        RowBatch out = new RowBatch(schema, rows);
        BitSet picked = new BitSet((int) nextId);
        int n = 0;
        while (n < existing) {
            int id = (int) rnd.nextLong(nextId);
            if (!picked.get(id)) {
                picked.set(id);
                add(out, id, b);
                n++;
            }
        }
        for (int i = existing; i < rows; i++) {
            add(out, nextId++, b);
        }
        return out;
    }

    private void add(RowBatch out, long id, int b) {
        int r = out.addRow();
        long k = key(id);
        out.setLong(r, 0, k);
        out.setLong(r, 1, b);
        if ((k & 31) == 0) {
            out.setNull(r, 2);
        } else {
            out.setDouble(r, 2, (k >>> 12) * 0x1.0p-40 + b);
        }
        out.setBytes(r, 3, names[(int) ((k >>> 20) + b & (VARCHAR_POOL - 1))]);
        out.setLong(r, 4, (int) (k >>> 33) ^ b);
    }

    /** One full read; sets {rows, checksum, thread CPU nanoseconds} in {@code sums}; returns nanoseconds. */
    private long scan(UpsertTablet t, long[] sums, boolean ordered) throws Exception {
        long[] acc = new long[2];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try (TabletSnapshot snap = t.snapshot()) {
            MergeSink sink = new MergeSink() {
                private long previous = Long.MIN_VALUE;
                private byte[] text = new byte[0];
                private java.nio.ByteBuffer words = java.nio.ByteBuffer.wrap(text);

                @Override
                public void accept(RowBatch batch, int from, int to) {
                    long[] keys = batch.longColumn(0);
                    long[] batchNo = batch.longColumn(1);
                    double[] score = batch.doubleColumn(2);
                    boolean[] scoreNull = batch.nullColumn(2);
                    boolean[] nameNull = batch.nullColumn(3);
                    long[] n = batch.longColumn(4);
                    if (text.length < (to - from) * 128) {
                        text = new byte[Math.max(RowsetSources.BATCH_ROWS, to - from) * 128]; // VARCHAR(32), UTF-8
                        words = java.nio.ByteBuffer.wrap(text);
                    }
                    // VARCHAR: the rows' bytes one after another (one copy when the column is packed); the
                    // sum of the unsigned bytes (so chunk boundaries do not matter), 8 bytes at a time
                    int textBytes = batch.copyBytes(from, to, 3, text, 0);
                    long sum = textBytes;
                    int i = 0;
                    for (; i + 8 <= textBytes; i += 8) {
                        long x = words.getLong(i);
                        x = (x & 0x00FF00FF00FF00FFL) + ((x >>> 8) & 0x00FF00FF00FF00FFL);
                        x = (x & 0x0000FFFF0000FFFFL) + ((x >>> 16) & 0x0000FFFF0000FFFFL);
                        sum += (x & 0xFFFFFFFFL) + (x >>> 32);
                    }
                    for (; i < textBytes; i++) {
                        sum += text[i] & 0xFF;
                    }
                    for (int r = from; r < to; r++) {
                        if (ordered && keys[r] <= previous && acc[0] > 0) {
                            throw new IllegalStateException(t.name() + " scan is not in key order at row " + acc[0]);
                        }
                        previous = keys[r];
                        sum += keys[r] * 31 + batchNo[r] + (scoreNull[r] ? 7 : Double.doubleToRawLongBits(score[r]))
                                + n[r] * 17 + (nameNull[r] ? 3 : batch.bytesLength(r, 3) * 5L);
                    }
                    acc[1] += sum;
                    acc[0] += to - from;
                }

                @Override
                public long rowsWritten() {
                    return acc[0];
                }
            };
            if (ordered) {
                TabletReader.read(schema, List.of(snap), sink);
            } else {
                TabletReader.readAnyOrder(schema, List.of(snap), sink);
            }
        }
        long took = System.nanoTime() - start;
        sums[2] = threads.getCurrentThreadCpuTime() - cpuStart;
        sums[0] = acc[0];
        sums[1] = acc[1];
        return took;
    }

    /** Median get latencies in microseconds: {merge-on-write, merge-on-read}. */
    private double[] gets(StorageEngine engine, UpsertTablet mow, UpsertTablet mor, SplittableRandom rnd)
            throws Exception {
        RowBatch key = new RowBatch(schema, 1);
        long[] mowMicros = new long[gets];
        try (TabletSnapshot snap = mow.snapshot()) {
            for (int i = -Math.min(200, gets); i < gets; i++) {
                setKey(key, key(rnd.nextLong(nextId)));
                long start = System.nanoTime();
                RowBatch row = TabletReader.get(schema, snap, key, engine.primaryKeys());
                long took = System.nanoTime() - start;
                if (row.size() != 1) {
                    throw new IllegalStateException("merge-on-write get found " + row.size() + " rows for a loaded key");
                }
                if (i >= 0) {
                    mowMicros[i] = took / 1000;
                }
            }
        }
        long[] morMicros = new long[morGets];
        try (TabletSnapshot morSnap = mor.snapshot(); TabletSnapshot mowSnap = mow.snapshot()) {
            for (int i = 0; i < morGets; i++) {
                setKey(key, key(rnd.nextLong(nextId)));
                long start = System.nanoTime();
                RowBatch row = TabletReader.get(schema, morSnap, key);
                morMicros[i] = (System.nanoTime() - start) / 1000;
                RowBatch expected = TabletReader.get(schema, mowSnap, key, engine.primaryKeys());
                if (row.size() != 1 || !sameRow(row, expected)) {
                    throw new IllegalStateException("merge-on-read get of key " + key.getLong(0, 0)
                            + " differs from merge-on-write");
                }
            }
        }
        System.out.printf(Locale.ROOT, "upsert-bench: gets: merge-on-write %d samples p50 %d us p99 %d us;"
                        + " merge-on-read %d samples p50 %d us%n", gets, median(mowMicros), percentile(mowMicros, 99),
                morGets, median(morMicros));
        return new double[] {median(mowMicros), median(morMicros)};
    }

    private void setKey(RowBatch key, long k) {
        key.clear();
        int r = key.addRow();
        key.setLong(r, 0, k);
        key.setLong(r, 1, 0);
        key.setDouble(r, 2, 0);
        key.setBytes(r, 3, names[0]);
        key.setLong(r, 4, 0);
    }

    private boolean sameRow(RowBatch a, RowBatch b) {
        if (b.size() != 1) {
            return false;
        }
        for (int c = 0; c < schema.columnCount(); c++) {
            if (!java.util.Objects.equals(a.value(0, c), b.value(0, c))) {
                return false;
            }
        }
        return true;
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long median(long[] v) {
        return percentile(v, 50);
    }

    private static long percentile(long[] v, int p) {
        long[] s = v.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, rank))];
    }
}
