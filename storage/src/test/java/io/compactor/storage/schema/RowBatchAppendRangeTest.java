package io.compactor.storage.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class RowBatchAppendRangeTest {
    private static final Schema SCHEMA = new Schema(List.of(new Column("k", ColumnType.BIGINT, false, 0),
            new Column("d", ColumnType.DOUBLE, true, 0), new Column("s", ColumnType.VARCHAR, true, 8)), 1,
            KeysType.DUPLICATE_KEYS);

    @Test
    void appendRangeCopiesEveryColumnNullsAndVarcharBytes() {
        RowBatch src = new RowBatch(SCHEMA, 4);
        for (int i = 0; i < 5; i++) {
            int r = src.addRow();
            src.setLong(r, 0, i);
            if (i == 2) {
                src.setNull(r, 1);
                src.setNull(r, 2);
            } else {
                src.setDouble(r, 1, i * 1.5);
                src.setBytes(r, 2, ("s" + i).getBytes());
            }
        }
        RowBatch dst = new RowBatch(SCHEMA, 1);
        assertEquals(0, dst.appendRange(src, 1, 4));
        assertEquals(3, dst.appendRange(src, 0, 1));
        assertEquals(4, dst.size());
        assertEquals(List.of(1L, 2L, 3L, 0L), List.of(dst.value(0, 0), dst.value(1, 0), dst.value(2, 0), dst.value(3, 0)));
        assertNull(dst.value(1, 1));
        assertNull(dst.value(1, 2));
        assertEquals("s3", dst.value(2, 2));
        assertEquals(4L * 3 * 8 + 6, dst.estimatedBytes());
        assertThrows(IndexOutOfBoundsException.class, () -> dst.appendRange(src, 3, 6));
    }
}
