package io.compactor.storage.segment;

import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * Prints load (memtable sort + segment write) and scan throughput for a typical 4-column table.
 * A program, not a test: {@code java -cp ... io.compactor.storage.segment.SegmentCodecSmokeBench [rows]}.
 */
public final class SegmentCodecSmokeBench {
    private SegmentCodecSmokeBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
        Schema schema = new Schema(List.of(
                new Column("id", ColumnType.BIGINT, false, 0),
                new Column("ts", ColumnType.DATETIME, false, 0),
                new Column("name", ColumnType.VARCHAR, true, 32),
                new Column("score", ColumnType.DOUBLE, true, 0)), 1, KeysType.UNIQUE_KEYS);
        Random rnd = new Random(1);
        RowBatch batch = new RowBatch(schema, rows);
        byte[][] names = new byte[1000][];
        for (int i = 0; i < names.length; i++) {
            names[i] = ("user-" + i).getBytes(StandardCharsets.UTF_8);
        }
        for (int i = 0; i < rows; i++) {
            int r = batch.addRow();
            batch.setLong(r, 0, rnd.nextInt(rows * 4));
            batch.setLong(r, 1, 1_700_000_000_000_000L + i * 1000L);
            batch.setBytes(r, 2, names[rnd.nextInt(names.length)]);
            batch.setDouble(r, 3, rnd.nextInt(10_000) / 100.0);
        }
        Path root = Files.createTempDirectory("segbench");
        DataDir dir = new DataDir(root);
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            PendingRowset rs;
            try (RowsetWriter w = new RowsetWriter(dir, 1, new RowsetId(round + 1), schema, 64L << 20, null)) {
                w.addAll(batch);
                rs = w.build();
            }
            long t1 = System.nanoTime();
            long scanned = 0;
            for (Path f : rs.files()) {
                try (SegmentReader r = SegmentReader.open(f, schema)) {
                    SegmentCursor c = SegmentCursor.open(r, 4096);
                    RowBatch b = new RowBatch(schema, 4096);
                    while (c.next(b)) {
                        scanned += b.size();
                    }
                }
            }
            long t2 = System.nanoTime();
            System.out.printf("round %d: load %,d rows in %d ms (%,.0f rows/s), %d segments, %,d bytes (%.1f B/row); "
                            + "scan %,d rows in %d ms (%,.0f rows/s)%n", round, rows, (t1 - t0) / 1_000_000,
                    rows * 1e9 / (t1 - t0), rs.segments().size(), rs.totalBytes(), rs.totalBytes() / (double) rs.numRows(),
                    scanned, (t2 - t1) / 1_000_000, scanned * 1e9 / (t2 - t1));
            dir.deleteRowsetFiles(1, rs.rowsetId(), rs.segments().size());
        }
        Files.delete(dir.tabletPath(1));
        Files.delete(root.resolve("data"));
        Files.delete(root);
    }
}
