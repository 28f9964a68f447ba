package io.compactor.bench;

import io.compactor.storage.schema.RowBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.data.BinaryRow;
import org.apache.paimon.data.BinaryString;
import org.apache.paimon.data.GenericRow;
import org.apache.paimon.disk.IOManager;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.table.Table;
import org.apache.paimon.table.sink.BatchTableWrite;
import org.apache.paimon.table.sink.BatchWriteBuilder;
import org.apache.paimon.table.sink.CommitMessage;
import org.apache.paimon.table.sink.StreamTableCommit;
import org.apache.paimon.table.sink.StreamTableWrite;
import org.apache.paimon.table.sink.StreamWriteBuilder;
import org.apache.paimon.types.DataTypes;

/**
 * The Apache Paimon half of {@code bench merge}, run by {@link MergeBench} in a child JVM whose
 * class path adds {@code bench/target/paimon-lib} (Paimon and the Hadoop client stay off the
 * server's class path). A primary-key table on the local file system (Paimon's own local file
 * IO, {@code file:} warehouse), 1 bucket, deduplicate merge engine, parquet with LZ4 (as segment
 * pages), the same rows as the other peers ({@link MergeData}) written as 10 commits with
 * {@code write-only} (no compaction while writing: one sorted run per commit), then a full
 * compaction ({@code compact(partition, bucket, true)}), which Paimon runs on its one compaction
 * thread; reads are kept synchronous ({@code file-reader-async-threshold} above the file sizes).
 * Timed: from {@code compact} to the commit of its result. Last line:
 * {@code paimon-peer: rows_per_s=<median>}.
 */
public final class PaimonMergePeer implements MergeRuns.Peer {
    private final MergeData data;
    private final List<RowBatch> rows;
    private final Path root;
    private final String compression;

    private record Prepared(Path warehouse, Catalog catalog, Table table) {
    }

    private PaimonMergePeer(MergeData data, Path root, String compression) {
        this.data = data;
        this.rows = data.generate();
        this.root = root;
        this.compression = compression;
    }

    public static void main(String[] args) throws Exception {
        // Without a logging configuration logback logs DEBUG, and Paimon and Hadoop log a lot of it.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.INFO);
        for (String chatty : List.of("org.apache.paimon", "org.apache.hadoop")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(chatty))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
        }
        Map<String, String> f = Flags.parse(args, Set.of("rowsets", "rows-per-rowset", "seed", "runs", "threads",
                "compression"));
        MergeData data = new MergeData(Flags.intFlag(f, "rowsets", 10, 1), Flags.intFlag(f, "rows-per-rowset",
                1_000_000, 1), Long.parseLong(f.getOrDefault("seed", "20240601")));
        int runs = Flags.intFlag(f, "runs", 3, 1);
        int threads = Flags.intFlag(f, "threads", 1, 1);
        Path root = Files.createTempDirectory("merge-bench-paimon");
        try {
            PaimonMergePeer peer = new PaimonMergePeer(data, root, f.getOrDefault("compression", "lz4"));
            double rate = MergeRuns.median("paimon", peer, runs, threads, data.totalRows());
            System.out.printf("paimon-peer: rows_per_s=%d%n", Math.round(rate));
        } finally {
            TempTree.delete(root);
        }
    }

    @Override
    public Object prepare(int run, int slot) throws Exception {
        Path warehouse = root.resolve("run" + run + "-" + slot);
        Catalog catalog = CatalogFactory.createCatalog(CatalogContext.create(
                new org.apache.paimon.fs.Path("file://" + warehouse.toAbsolutePath())));
        catalog.createDatabase("bench", true);
        Identifier id = Identifier.create("bench", "t");
        Schema schema = Schema.newBuilder()
                .column("k", DataTypes.BIGINT().notNull())
                .column("v1", DataTypes.BIGINT().notNull())
                .column("v2", DataTypes.BIGINT().notNull())
                .column("v3", DataTypes.DOUBLE().notNull())
                .column("v4", DataTypes.VARCHAR(16).notNull())
                .primaryKey("k")
                .option("bucket", "1")
                .option("file.format", "parquet")
                .option("file.compression", compression)
                .option("write-only", "true")
                .option("write-buffer-size", "256 mb")
                .option("target-file-size", "1 gb")
                .option("file-reader-async-threshold", "1 tb")
                .build();
        catalog.createTable(id, schema, false);
        Table table = catalog.getTable(id);
        StreamWriteBuilder builder = table.newStreamWriteBuilder();
        try (StreamTableWrite write = builder.newWrite(); StreamTableCommit commit = builder.newCommit()) {
            for (int r = 0; r < rows.size(); r++) {
                RowBatch b = rows.get(r);
                for (int i = 0; i < b.size(); i++) {
                    write.write(GenericRow.of(b.getLong(i, 0), b.getLong(i, 1), b.getLong(i, 2), b.getDouble(i, 3),
                            BinaryString.fromBytes(b.getBytes(i, 4))));
                }
                commit.commit(r, write.prepareCommit(false, r));
            }
        }
        return new Prepared(warehouse, catalog, table);
    }

    @Override
    public void compact(Object prepared) throws Exception {
        Prepared p = (Prepared) prepared;
        Table table = p.table().copy(Map.of("write-only", "false"));
        BatchWriteBuilder builder = table.newBatchWriteBuilder();
        try (IOManager io = IOManager.create(p.warehouse().resolve("io").toString());
             BatchTableWrite write = builder.newWrite()) {
            write.withIOManager(io);
            write.compact(BinaryRow.EMPTY_ROW, 0, true);
            List<CommitMessage> messages = write.prepareCommit();
            try (var commit = builder.newCommit()) {
                commit.commit(messages);
            }
        }
    }

    @Override
    public void cleanup(Object prepared) throws Exception {
        Prepared p = (Prepared) prepared;
        p.catalog().close();
        TempTree.delete(p.warehouse());
    }
}
