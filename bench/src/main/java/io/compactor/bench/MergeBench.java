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
import io.compactor.storage.schema.RowBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Full compaction of overlapping sorted runs: Compactor's merge against RocksDB's
 * {@code compactRange()} and Apache Paimon's full compaction over the same logical rows
 * ({@link MergeData}: {@code --rowsets} (10) runs of {@code --rows-per-rowset} (1,000,000) rows,
 * UNIQUE BIGINT key, values BIGINT, BIGINT, DOUBLE, VARCHAR(16)).
 *
 * <p>Every peer runs under {@link MergeRuns}: one warm-up, {@code --runs} (3) measured runs, the
 * median; inputs are written before each run (untimed) and only the compaction is timed, with
 * {@code --threads} (1) compactions of separate inputs at once. The peers:
 * <ul>
 *   <li>Compactor: the real compaction path, {@link RowsetCompactor} with the default settings
 *       (vertical compaction on, 5 columns per group) over segment files written as a load
 *       writes them (one sorted segment per rowset); output segments LZ4, checksummed, fsynced.</li>
 *   <li>RocksDB: 8-byte big-endian keys, 40-byte values, one L0 file per run (WAL off, auto
 *       compaction off, LZ4), {@code compactRange()} with {@code max_subcompactions=1}.</li>
 *   <li>Paimon ({@link PaimonMergePeer}, in a child JVM): see there.</li>
 * </ul>
 * Last line: {@code merge: compactor_rows_per_s=<n> rocksdb_rows_per_s=<n> paimon_rows_per_s=<n>
 * ratio=<compactor/rocksdb> ratio_paimon=<compactor/paimon>}; with {@code --threads} above 1 a
 * line before it compares Compactor's rate with one compaction at a time.
 */
public final class MergeBench {
    private MergeBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> f = Flags.parse(args, Set.of("rowsets", "rows-per-rowset", "seed", "runs", "threads",
                "peers"));
        MergeData data = new MergeData(Flags.intFlag(f, "rowsets", 10, 1), Flags.intFlag(f, "rows-per-rowset",
                1_000_000, 1), Long.parseLong(f.getOrDefault("seed", "20240601")));
        int runs = Flags.intFlag(f, "runs", 3, 1);
        int threads = Flags.intFlag(f, "threads", 1, 1);
        Set<String> peers = Set.of(f.getOrDefault("peers", "compactor,rocksdb,paimon").split(","));
        System.out.printf("merge-bench: %d rowsets x %,d rows, UNIQUE BIGINT key uniform in [0, %,d), values BIGINT, "
                        + "BIGINT, DOUBLE, VARCHAR(16); %d measured runs after a warm-up, %d compaction(s) at once%n",
                data.rowsets(), data.rowsPerRowset(), data.keySpace(), runs, threads);
        List<RowBatch> rows = data.generate();
        Path root = Files.createTempDirectory("merge-bench");
        try {
            double compactor = Double.NaN;
            double rocks = Double.NaN;
            double paimon = Double.NaN;
            if (peers.contains("compactor")) {
                CompactorPeer peer = new CompactorPeer(rows, root.resolve("compactor"));
                compactor = MergeRuns.median("compactor", peer, runs, threads, data.totalRows());
                if (threads > 1) {
                    double one = MergeRuns.median("compactor", peer, runs, 1, data.totalRows());
                    System.out.printf("merge-scaling: threads=%d compactor_rows_per_s=%d one_thread_rows_per_s=%d "
                            + "speedup=%.2f%n", threads, Math.round(compactor), Math.round(one), compactor / one);
                }
            }
            if (peers.contains("rocksdb")) {
                rocks = MergeRuns.median("rocksdb", new RocksDbMergePeer(rows, root.resolve("rocksdb")), runs, threads,
                        data.totalRows());
            }
            rows = null;
            if (peers.contains("paimon")) {
                // By name: the class links against Paimon, which only the child JVM's class path has.
                paimon = ChildJvm.runForLine("io.compactor.bench.PaimonMergePeer", List.of("--rowsets",
                        Integer.toString(data.rowsets()), "--rows-per-rowset", Integer.toString(data.rowsPerRowset()),
                        "--seed", Long.toString(data.seed()), "--runs", Integer.toString(runs), "--threads",
                        Integer.toString(threads)), "paimon-peer: rows_per_s=");
            }
            System.out.printf("merge: compactor_rows_per_s=%d rocksdb_rows_per_s=%d paimon_rows_per_s=%d ratio=%.2f "
                            + "ratio_paimon=%.2f%n", Math.round(compactor), Math.round(rocks), Math.round(paimon),
                    compactor / rocks, compactor / paimon);
        } finally {
            TempTree.delete(root);
        }
    }

    /**
     * The real compaction path: each input is a tablet whose rowsets are segment files (one sorted
     * segment each, as a load of one memtable writes them); {@link RowsetCompactor} full-compacts
     * them into a new rowset's segment files (read, merge, encode, compress, checksum, fsync).
     */
    private static final class CompactorPeer implements MergeRuns.Peer {
        private final List<RowBatch> rows;
        private final DataDir dir;
        private final AtomicLong ids = new AtomicLong(1);
        private final CompactionSettings settings = new CompactionSettings(true, 5, 1024L << 20, 1L << 30, false);

        private record Input(long tabletId, List<RowsetMeta> rowsets) {
        }

        CompactorPeer(List<RowBatch> rows, Path root) throws java.io.IOException {
            this.rows = rows;
            this.dir = new DataDir(Files.createDirectories(root));
        }

        @Override
        public Object prepare(int run, int slot) throws Exception {
            long tabletId = ids.incrementAndGet();
            List<RowsetMeta> inputs = new ArrayList<>();
            for (int r = 0; r < rows.size(); r++) {
                RowsetId rid = new RowsetId(ids.incrementAndGet());
                SortedRowsetWriter w = new SortedRowsetWriter(dir, tabletId, rid, MergeData.SCHEMA, Long.MAX_VALUE,
                        null);
                w.appendRange(rows.get(r), 0, rows.get(r).size());
                PendingRowset p = w.build();
                inputs.add(new RowsetMeta(rid, tabletId, Version.of(2 + r), p.segments(),
                        SegmentsOverlap.NONOVERLAPPING, 0, 0, r + 1));
            }
            return new Input(tabletId, inputs);
        }

        @Override
        public void compact(Object prepared) throws Exception {
            Input in = (Input) prepared;
            CompactionOutput out = RowsetCompactor.compact(dir, in.tabletId(), MergeData.SCHEMA, in.rowsets(),
                    new RowsetId(ids.incrementAndGet()), settings);
            dir.deleteRowsetFiles(in.tabletId(), out.rowset().rowsetId(), out.rowset().segments().size());
        }

        @Override
        public void cleanup(Object prepared) throws Exception {
            Input in = (Input) prepared;
            for (RowsetMeta r : in.rowsets()) {
                dir.deleteRowsetFiles(in.tabletId(), r.rowsetId(), r.numSegments());
            }
        }
    }
}
