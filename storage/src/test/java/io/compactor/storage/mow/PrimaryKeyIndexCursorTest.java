package io.compactor.storage.mow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A forward cursor over a key index finds exactly what a binary search finds, for ascending probes. */
class PrimaryKeyIndexCursorTest {
    @TempDir
    Path dir;

    private PrimaryKeyIndex index(Schema schema, TreeSet<Long> keys, boolean longKey) throws IOException {
        RowBatch b = new RowBatch(schema, keys.size());
        for (long k : keys) {
            int r = b.addRow();
            if (longKey) {
                b.setLong(r, 0, k);
            } else {
                b.setBytes(r, 0, String.format("%012d", k).getBytes(StandardCharsets.UTF_8));
            }
        }
        Path f = dir.resolve((longKey ? "l" : "s") + keys.size() + ".dat");
        try (SegmentWriter w = SegmentWriter.create(f, schema)) {
            w.appendRange(b, 0, b.size());
            w.finish();
        }
        return PrimaryKeyIndex.build(f, schema);
    }

    @Test
    void cursorFindsWhatBinarySearchFinds() throws IOException {
        Random rnd = new Random(3);
        for (boolean longKey : new boolean[] {true, false}) {
            Schema schema = Schema.of(List.of(longKey ? new Column("k", ColumnType.BIGINT, false, 0)
                    : new Column("k", ColumnType.VARCHAR, false, 12)), List.of("k"), KeysType.UNIQUE_KEYS);
            for (int size : new int[] {1, 7, 1000, 20_000}) {
                TreeSet<Long> keys = new TreeSet<>();
                while (keys.size() < size) {
                    keys.add((long) rnd.nextInt(size * 4));
                }
                PrimaryKeyIndex idx = index(schema, keys, longKey);
                for (int stride : new int[] {1, 3, 50, 5000}) {
                    PrimaryKeyIndex.Cursor cursor = idx.cursor();
                    for (long probe = -2; probe < size * 4L + 3; probe += 1 + rnd.nextInt(stride)) {
                        if (longKey) {
                            assertEquals(idx.find(probe), cursor.find(probe), "probe " + probe);
                        } else {
                            byte[] enc = encoded(probe);
                            assertEquals(idx.find(enc), cursor.find(enc), "probe " + probe);
                        }
                    }
                }
                if (longKey) {
                    PrimaryKeyIndex.Cursor c = idx.cursor();
                    c.find(10);
                    assertThrows(IllegalArgumentException.class, () -> c.find(9), "keys must ascend");
                }
            }
        }
    }

    private static byte[] encoded(long k) {
        byte[] text = k < 0 ? "-".getBytes(StandardCharsets.UTF_8)
                : String.format("%012d", k).getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 2];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }
}
