package io.compactor.bench;

import io.compactor.storage.DataDir;
import io.compactor.storage.compaction.CompactionOutput;
import io.compactor.storage.compaction.CompactionSettings;
import io.compactor.storage.compaction.RowsetCompactor;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.SortedRowsetWriter;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Full compaction of overlapping rowsets, Compactor's merge against RocksDB's
 * {@code compactRange()} over the same logical rows, on one thread each.
 *
 * <p>Data: {@code --rowsets} (10) rowsets of {@code --rows-per-rowset} (1,000,000) rows; keys are
 * distinct within a rowset and uniform in {@code [0, 5 x rows-per-rowset)}; values BIGINT,
 * BIGINT, DOUBLE, VARCHAR(16). RocksDB gets the same rows as 8-byte big-endian keys and 40-byte
 * values, one L0 file per rowset (WAL off, auto compactions off, LZ4 like segment pages).
 *
 * <p>The Compactor half is the real compaction path: segment files in, {@link RowsetCompactor}
 * (horizontal and vertical), segment files out, fsynced. The better of the two is reported.
 */
public final class MergeBench {
    private static final int VALUE_BYTES = 40;
    private static final int VARCHAR_POOL = 4096;

    private final int rowsets;
    private final int rowsPerRowset;
    private final long keySpace;
    private final long seed;
    private final int runs;
    private final Schema schema = new Schema(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("v1", ColumnType.BIGINT, false, 0), new Column("v2", ColumnType.BIGINT, false, 0),
            new Column("v3", ColumnType.DOUBLE, false, 0), new Column("v4", ColumnType.VARCHAR, false, 16)),
            1, KeysType.UNIQUE_KEYS);
    private final byte[][] varcharPool = new byte[VARCHAR_POOL][];

    private MergeBench(int rowsets, int rowsPerRowset, long seed, int runs) {
        this.rowsets = rowsets;
        this.rowsPerRowset = rowsPerRowset;
        this.keySpace = 5L * rowsPerRowset;
        this.seed = seed;
        this.runs = runs;
        for (int i = 0; i < VARCHAR_POOL; i++) {
            varcharPool[i] = String.format("val-%012d", i * 7919L).getBytes(StandardCharsets.US_ASCII);
        }
    }

    public static void main(String[] args) throws Exception {
        int rowsets = 10;
        int rows = 1_000_000;
        long seed = 20240601L;
        int runs = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rowsets" -> rowsets = Integer.parseInt(args[++i]);
                case "--rows-per-rowset" -> rows = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; expected --rows-per-rowset N, --rowsets N, --seed N, --runs N");
            }
        }
        if (rowsets < 1 || rows < 1 || runs < 1) {
            throw new IllegalArgumentException("--rowsets, --rows-per-rowset and --runs must be >= 1");
        }
        new MergeBench(rowsets, rows, seed, runs).run();
    }

    private void run() throws Exception {
        System.out.printf("merge-bench: %d rowsets x %,d rows, UNIQUE BIGINT key uniform in [0, %,d), "
                + "values BIGINT, BIGINT, DOUBLE, VARCHAR(16)%n", rowsets, rowsPerRowset, keySpace);
        List<RowBatch> data = generate();
        long totalRows = (long) rowsets * rowsPerRowset;
        double compactor = compactorRowsPerSecond(data, totalRows);
        double rocks = rocksDbRowsPerSecond(data, totalRows);
        System.out.printf("merge: compactor_rows_per_s=%d rocksdb_rows_per_s=%d ratio=%.2f%n", Math.round(compactor),
                Math.round(rocks), compactor / rocks);
    }

    /** One sorted batch per rowset: distinct keys drawn uniformly, values derived from key and rowset. */
    private List<RowBatch> generate() {
        Random rnd = new Random(seed);
        List<RowBatch> out = new ArrayList<>(rowsets);
        for (int r = 0; r < rowsets; r++) {
            BitSet keys = new BitSet((int) keySpace);
            int n = 0;
            while (n < rowsPerRowset) {
                int k = (int) (rnd.nextDouble() * keySpace);
                if (!keys.get(k)) {
                    keys.set(k);
                    n++;
                }
            }
            RowBatch b = new RowBatch(schema, rowsPerRowset);
            for (int k = keys.nextSetBit(0); k >= 0; k = keys.nextSetBit(k + 1)) {
                int row = b.addRow();
                b.setLong(row, 0, k);
                b.setLong(row, 1, k * 31L + r);
                b.setLong(row, 2, mix(k, r));
                b.setDouble(row, 3, (mix(k, r) & 0xFFFFF) / 1024.0);
                b.setBytes(row, 4, varcharPool[(int) ((mix(k, r) >>> 20) % VARCHAR_POOL)]);
            }
            out.add(b);
        }
        System.out.printf("merge-bench: generated %d rowsets%n", rowsets);
        return out;
    }

    private static long mix(long k, int r) {
        long x = k * 0x9E3779B97F4A7C15L + r;
        x ^= x >>> 29;
        return x * 0xBF58476D1CE4E5B9L;
    }

    /**
     * The real compaction path: the rowsets are written as segment files (one sorted segment each,
     * as a load of one memtable writes them), then {@link RowsetCompactor} full-compacts them into a
     * new rowset's segment files (read, merge, encode, compress, checksum, fsync) on this one thread.
     */
    private double compactorRowsPerSecond(List<RowBatch> data, long totalRows) throws IOException {
        Path root = Files.createTempDirectory("merge-bench-compactor");
        try {
            DataDir dir = new DataDir(root);
            long tabletId = 1;
            List<RowsetMeta> inputs = new ArrayList<>();
            long id = 1;
            for (int r = 0; r < rowsets; r++) {
                RowsetId rid = new RowsetId(id++);
                SortedRowsetWriter w = new SortedRowsetWriter(dir, tabletId, rid, schema, Long.MAX_VALUE, null);
                w.appendRange(data.get(r), 0, data.get(r).size());
                PendingRowset p = w.build();
                inputs.add(new RowsetMeta(rid, tabletId, Version.of(2 + r), p.segments(), SegmentsOverlap.NONOVERLAPPING,
                        0, 0, r + 1));
            }
            long inputBytes = inputs.stream().mapToLong(RowsetMeta::totalBytes).sum();
            System.out.printf("merge-bench: compactor wrote %d input rowsets as segment files, %,d bytes%n",
                    rowsets, inputBytes);
            double best = 0;
            for (boolean vertical : new boolean[]{false, true}) {
                CompactionSettings settings = new CompactionSettings(vertical, 5, 1024L << 20, 1L << 30, false);
                double[] rates = new double[runs];
                for (int run = -1; run < runs; run++) {
                    long start = System.nanoTime();
                    CompactionOutput out = RowsetCompactor.compact(dir, tabletId, schema, inputs, new RowsetId(id++),
                            settings);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    System.out.printf("merge-bench: compactor %s %s: %.3f s, output %d segments %,d bytes, %s%n",
                            vertical ? "vertical" : "horizontal", run < 0 ? "warm-up" : "run " + (run + 1), seconds,
                            out.rowset().segments().size(), out.rowset().totalBytes(), out.stats());
                    dir.deleteRowsetFiles(tabletId, out.rowset().rowsetId(), out.rowset().segments().size());
                    if (run >= 0) {
                        rates[run] = totalRows / seconds;
                    }
                }
                Arrays.sort(rates);
                double median = rates[runs / 2];
                System.out.printf("merge-bench: compactor %s median of %d runs: %,d rows/s (segment files in and out)%n",
                        vertical ? "vertical" : "horizontal", runs, Math.round(median));
                best = Math.max(best, median);
            }
            return best;
        } finally {
            TempTree.delete(root);
        }
    }

    private double rocksDbRowsPerSecond(List<RowBatch> data, long totalRows) throws IOException, RocksDBException {
        RocksDB.loadLibrary();
        Path dir = Files.createTempDirectory("merge-bench-rocksdb");
        try (Options options = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true)
                .setWriteBufferSize(1L << 30).setMaxWriteBufferNumber(4)
                .setLevel0FileNumCompactionTrigger(1000).setLevel0SlowdownWritesTrigger(1000)
                .setLevel0StopWritesTrigger(1000).setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxSubcompactions(1).setMaxBackgroundJobs(2);
             WriteOptions noWal = new WriteOptions().setDisableWAL(true);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true);
             RocksDB db = RocksDB.open(options, dir.toString())) {
            byte[] key = new byte[8];
            ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES);
            for (int r = 0; r < rowsets; r++) {
                RowBatch b = data.get(r);
                WriteBatch batch = new WriteBatch();
                for (int row = 0; row < b.size(); row++) {
                    ByteBuffer.wrap(key).putLong(b.getLong(row, 0));
                    value.clear();
                    value.putLong(b.getLong(row, 1)).putLong(b.getLong(row, 2)).putDouble(b.getDouble(row, 3))
                            .put(b.getBytes(row, 4), 0, 16);
                    batch.put(key, value.array());
                    if (batch.count() == 10_000) {
                        db.write(noWal, batch);
                        batch.close();
                        batch = new WriteBatch();
                    }
                }
                db.write(noWal, batch);
                batch.close();
                db.flush(flush);
            }
            System.out.printf("merge-bench: rocksdb loaded %d L0 files (%s), compression LZ4, max_subcompactions=1%n",
                    rowsets, db.getProperty("rocksdb.num-files-at-level0"));
            long start = System.nanoTime();
            db.compactRange();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("merge-bench: rocksdb compactRange: %.3f s, L0 files after=%s, bottom-level files after=%s, "
                            + "estimated keys=%s%n", seconds, db.getProperty("rocksdb.num-files-at-level0"),
                    db.getProperty("rocksdb.num-files-at-level6"), db.getProperty("rocksdb.estimate-num-keys"));
            double rate = totalRows / seconds;
            System.out.printf("merge-bench: rocksdb %,d rows/s%n", Math.round(rate));
            return rate;
        } finally {
            TempTree.delete(dir);
        }
    }


    /** Copies merged rows into a reusable batch, as a writer's page buffer would; writes nothing. */
}
