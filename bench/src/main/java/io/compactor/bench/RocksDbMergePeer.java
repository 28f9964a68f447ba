package io.compactor.bench;

import io.compactor.storage.schema.RowBatch;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB half of {@code bench merge}: each input is a fresh database holding the rows as
 * 8-byte big-endian keys and 40-byte values, one L0 file per run (WAL off, auto compactions off,
 * LZ4 like segment pages); the timed part is {@code compactRange()} with
 * {@code max_subcompactions=1} (one thread per compaction).
 */
final class RocksDbMergePeer implements MergeRuns.Peer {
    private static final int VALUE_BYTES = 40;

    private final List<RowBatch> rows;
    private final Path root;
    private final AtomicInteger seq = new AtomicInteger();

    private record Input(Path dir, Options options, RocksDB db) {
    }

    RocksDbMergePeer(List<RowBatch> rows, Path root) {
        this.rows = rows;
        this.root = root;
        RocksDB.loadLibrary();
    }

    @Override
    public Object prepare(int run, int slot) throws Exception {
        Path dir = Files.createDirectories(root.resolve("db" + seq.incrementAndGet()));
        Options options = new Options().setCreateIfMissing(true).setDisableAutoCompactions(true)
                .setWriteBufferSize(1L << 30).setMaxWriteBufferNumber(4)
                .setLevel0FileNumCompactionTrigger(1000).setLevel0SlowdownWritesTrigger(1000)
                .setLevel0StopWritesTrigger(1000).setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setMaxSubcompactions(1).setMaxBackgroundJobs(2);
        RocksDB db = RocksDB.open(options, dir.toString());
        try (WriteOptions noWal = new WriteOptions().setDisableWAL(true);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            byte[] key = new byte[8];
            ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES);
            for (RowBatch b : rows) {
                WriteBatch batch = new WriteBatch();
                for (int row = 0; row < b.size(); row++) {
                    ByteBuffer.wrap(key).putLong(b.getLong(row, 0));
                    value.clear();
                    value.putLong(b.getLong(row, 1)).putLong(b.getLong(row, 2)).putDouble(b.getDouble(row, 3))
                            .put(b.getBytes(row, 4), 0, MergeData.VARCHAR_BYTES);
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
        }
        if (run == 0 && slot == 0) {
            System.out.printf("merge-bench: rocksdb loaded %s L0 files, compression LZ4, max_subcompactions=1%n",
                    db.getProperty("rocksdb.num-files-at-level0"));
        }
        return new Input(dir, options, db);
    }

    @Override
    public void compact(Object prepared) throws Exception {
        ((Input) prepared).db().compactRange();
    }

    @Override
    public void cleanup(Object prepared) throws Exception {
        Input in = (Input) prepared;
        in.db().close();
        in.options().close();
        TempTree.delete(in.dir());
    }
}
