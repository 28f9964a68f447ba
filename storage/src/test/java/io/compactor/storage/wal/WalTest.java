package io.compactor.storage.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
    private static final Schema SCHEMA = new Schema(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("s", ColumnType.VARCHAR, true, 16)), 1, KeysType.DUPLICATE_KEYS);
    private static final Wal.Header HEADER = new Wal.Header(7, 42, "db", "group_commit_ab_cd");

    @TempDir
    Path dir;

    private static byte[] rows(long from, int n) {
        RowBatch b = new RowBatch(SCHEMA, n);
        for (int i = 0; i < n; i++) {
            int r = b.addRow();
            b.setLong(r, 0, from + i);
            b.setBytes(r, 1, ("v" + (from + i)).getBytes());
        }
        return RowBatchCodec.encode(b);
    }

    /** Three whole loads of 2, 3 and 4 rows; answers the file and the offset where the third begins. */
    private long[] writeThree(Path[] file) throws Exception {
        try (WalWriter w = WalWriter.create(dir, HEADER)) {
            w.appendRows(rows(0, 2));
            w.appendRows(rows(10, 3));
            long third = w.size();
            w.appendRows(rows(20, 4));
            file[0] = w.file();
            return new long[] {third, w.size()};
        }
    }

    @Test
    void wholeRecordsReadBackWithTheHeaderAndRowsInOrder() throws Exception {
        Path[] f = new Path[1];
        long[] sizes = writeThree(f);
        assertEquals("7_42.wal", f[0].getFileName().toString());
        WalReader.Contents c = WalReader.read(f[0]);
        assertEquals(HEADER, c.header());
        assertEquals(3, c.rows().size());
        assertEquals(sizes[1], c.validBytes());
        assertEquals(0, c.tornBytes());
        assertNull(c.tornReason());
        RowBatch all = c.decodeRows(SCHEMA);
        assertEquals(9, all.size());
        assertEquals(20L, all.value(5, 0));
        assertEquals("v23", all.value(8, 1));
    }

    @Test
    void everyKindOfTornTailIsDroppedAndTheIntactRecordsBeforeItStay() throws Exception {
        Path[] f = new Path[1];
        long[] sizes = writeThree(f);
        int third = (int) sizes[0];
        byte[] whole = Files.readAllBytes(f[0]);
        List<UnaryOperator<byte[]>> tears = new ArrayList<>();
        tears.add(b -> Arrays.copyOf(b, third + 3)); // length prefix cut off
        tears.add(b -> Arrays.copyOf(b, third + 8)); // header of the record only
        tears.add(b -> Arrays.copyOf(b, b.length - 1)); // payload cut off by one byte
        tears.add(b -> { // a flipped bit in the payload
            byte[] c = b.clone();
            c[c.length - 2] ^= 0x10;
            return c;
        });
        tears.add(b -> { // zero-filled tail (length 0, crc 0: crc32c of nothing is 0)
            byte[] c = b.clone();
            Arrays.fill(c, third, c.length, (byte) 0);
            return c;
        });
        tears.add(b -> { // an absurd length
            byte[] c = b.clone();
            ByteBuffer.wrap(c).putInt(third, Integer.MAX_VALUE);
            return c;
        });
        tears.add(b -> { // negative length
            byte[] c = b.clone();
            ByteBuffer.wrap(c).putInt(third, -5);
            return c;
        });
        tears.add(b -> { // a damaged checksum field
            byte[] c = b.clone();
            c[third + 5] ^= 0x01;
            return c;
        });
        tears.add(b -> { // garbage appended after whole records
            byte[] c = Arrays.copyOf(b, b.length + 11);
            Arrays.fill(c, b.length, c.length, (byte) 0x5A);
            return c;
        });
        for (int i = 0; i < tears.size(); i++) {
            Path torn = dir.resolve("torn" + i + ".wal");
            Files.write(torn, tears.get(i).apply(whole));
            WalReader.Contents c = WalReader.read(torn);
            assertEquals(HEADER, c.header(), "tear " + i);
            int expected = i == tears.size() - 1 ? 3 : 2;
            assertEquals(expected, c.rows().size(), "tear " + i + ": whole records before the tear stay");
            assertTrue(c.tornBytes() > 0, "tear " + i);
            assertNotNull(c.tornReason(), "tear " + i);
            assertEquals(expected == 3 ? whole.length : third, c.validBytes(), "tear " + i);
            RowBatch all = c.decodeRows(SCHEMA);
            assertEquals(expected == 3 ? 9 : 5, all.size(), "tear " + i + ": no garbage row");
        }
    }

    @Test
    void aFileTornInsideItsHeaderHoldsNothing() throws Exception {
        Path[] f = new Path[1];
        writeThree(f);
        byte[] whole = Files.readAllBytes(f[0]);
        for (int cut : new int[] {0, 2, 4, 9, 20}) {
            Path torn = dir.resolve("h" + cut + ".wal");
            Files.write(torn, Arrays.copyOf(whole, cut));
            WalReader.Contents c = WalReader.read(torn);
            assertNull(c.header(), "cut at " + cut);
            assertTrue(c.rows().isEmpty());
        }
        Path bad = dir.resolve("magic.wal");
        byte[] c = whole.clone();
        c[0] = 'X';
        Files.write(bad, c);
        assertNull(WalReader.read(bad).header());
    }

    @Test
    void concurrentAppendsAreAllDurableAndWhole() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (WalWriter w = WalWriter.create(dir, HEADER)) {
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                fs.add(pool.submit(() -> w.appendRows(rows(n * 100L, 1 + n % 3))));
            }
            for (Future<Long> x : fs) {
                assertTrue(x.get() > 8);
            }
            WalReader.Contents c = WalReader.read(w.file());
            assertEquals(40, c.rows().size());
            assertEquals(0, c.tornBytes());
            w.delete();
            assertFalse(Files.exists(w.file()));
        } finally {
            pool.shutdownNow();
        }
    }
}
