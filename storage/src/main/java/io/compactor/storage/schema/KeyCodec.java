package io.compactor.storage.schema;

import java.io.ByteArrayOutputStream;

/**
 * Memcomparable encoding of a row's key columns: comparing two encodings as unsigned bytes gives
 * the same order as {@link RowBatch#compareKeys}. Used for min/max keys in segment footers and
 * primary-key indexes.
 *
 * <ul>
 *   <li>LONG-physical: 8 bytes big-endian with the sign bit flipped;</li>
 *   <li>DOUBLE: 8 bytes of the IEEE bits, sign-flipped (all bits inverted for negatives);</li>
 *   <li>VARCHAR: the bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x00.</li>
 * </ul>
 */
public final class KeyCodec {
    private KeyCodec() {
    }

    public static byte[] encodeKey(RowBatch batch, int row) {
        Schema schema = batch.schema();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16);
        for (int c = 0; c < schema.keyCount(); c++) {
            switch (schema.column(c).type().physical()) {
                case LONG -> writeLong(out, batch.getLong(row, c) ^ Long.MIN_VALUE);
                case DOUBLE -> {
                    long bits = Double.doubleToLongBits(batch.getDouble(row, c));
                    bits = bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
                    writeLong(out, bits);
                }
                case BYTES -> {
                    for (byte b : batch.getBytes(row, c)) {
                        out.write(b);
                        if (b == 0) {
                            out.write(0xFF);
                        }
                    }
                    out.write(0);
                    out.write(0);
                }
            }
        }
        return out.toByteArray();
    }

    private static void writeLong(ByteArrayOutputStream out, long v) {
        for (int i = 56; i >= 0; i -= 8) {
            out.write((int) (v >>> i) & 0xFF);
        }
    }
}
