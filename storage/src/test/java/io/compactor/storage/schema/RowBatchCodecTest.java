package io.compactor.storage.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowBatchCodecTest {
    private static final Schema SCHEMA = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
            new Column("d", ColumnType.DOUBLE, true, 0), new Column("s", ColumnType.VARCHAR, true, 64),
            new Column("day", ColumnType.DATE, false, 0)), List.of("id"), KeysType.DUPLICATE_KEYS);

    private static RowBatch sample() {
        RowBatch b = new RowBatch(SCHEMA, 4);
        for (int i = 0; i < 5; i++) {
            int r = b.addRow();
            b.setLong(r, 0, i * 1_000_000_007L);
            if (i % 2 == 0) {
                b.setNull(r, 1);
            } else {
                b.setDouble(r, 1, i / 3.0);
            }
            if (i == 3) {
                b.setNull(r, 2);
            } else {
                b.setBytes(r, 2, ("tab\there\nnew line é " + i).getBytes(StandardCharsets.UTF_8));
            }
            b.setLong(r, 3, 19_000 + i);
        }
        return b;
    }

    @Test
    void roundTripKeepsEveryValueAndNull() {
        RowBatch in = sample();
        RowBatch out = RowBatchCodec.decode(SCHEMA, RowBatchCodec.encode(in));
        assertEquals(in.size(), out.size());
        for (int r = 0; r < in.size(); r++) {
            for (int c = 0; c < SCHEMA.columnCount(); c++) {
                assertEquals(in.value(r, c), out.value(r, c), "row " + r + " col " + c);
            }
        }
    }

    @Test
    void aRangeEncodesOnlyThoseRowsAndChunksAppend() {
        RowBatch in = sample();
        RowBatch out = new RowBatch(SCHEMA, 2);
        RowBatchCodec.decodeInto(RowBatchCodec.encode(in, 0, 2), out);
        RowBatchCodec.decodeInto(RowBatchCodec.encode(in, 2, 5), out);
        assertEquals(5, out.size());
        assertEquals(in.value(4, 2), out.value(4, 2));
    }

    @Test
    void damagedInputIsAnErrorNotWrongRows() {
        byte[] data = RowBatchCodec.encode(sample());
        assertThrows(IllegalArgumentException.class,
                () -> RowBatchCodec.decode(SCHEMA, Arrays.copyOf(data, data.length - 3)));
        byte[] bad = data.clone();
        bad[0] = 0;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RowBatchCodec.decode(SCHEMA, bad));
        assertTrue(e.getMessage().contains("magic"), e.getMessage());
        byte[] longer = Arrays.copyOf(data, data.length + 1);
        assertThrows(IllegalArgumentException.class, () -> RowBatchCodec.decode(SCHEMA, longer));
    }
}
