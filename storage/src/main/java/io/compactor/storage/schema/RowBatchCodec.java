package io.compactor.storage.schema;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A compact binary form of a {@link RowBatch} for shipping rows between nodes (the schema is
 * known on both sides and is not encoded). Layout: a magic byte, the column count and the row
 * count, then row by row each cell as a null flag (nullable columns only) and the value: 8 bytes
 * for LONG and DOUBLE, a length-prefixed UTF-8 array for BYTES. Decoding checks every length
 * against the remaining input, so a damaged message is an error, never wrong rows.
 */
public final class RowBatchCodec {
    private static final int MAGIC = 0x52; // 'R'

    private RowBatchCodec() {
    }

    /** Encodes rows {@code [from, to)} of {@code batch}. */
    public static byte[] encode(RowBatch batch, int from, int to) {
        Schema schema = batch.schema();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, (to - from) * 16));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(MAGIC);
            out.writeInt(schema.columnCount());
            out.writeInt(to - from);
            for (int r = from; r < to; r++) {
                for (int c = 0; c < schema.columnCount(); c++) {
                    Column col = schema.column(c);
                    if (col.nullable()) {
                        boolean isNull = batch.isNull(r, c);
                        out.writeBoolean(isNull);
                        if (isNull) {
                            continue;
                        }
                    }
                    switch (col.type().physical()) {
                        case LONG -> out.writeLong(batch.getLong(r, c));
                        case DOUBLE -> out.writeDouble(batch.getDouble(r, c));
                        case BYTES -> {
                            byte[] v = batch.getBytes(r, c);
                            out.writeInt(v.length);
                            out.write(v);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Encodes the whole batch. */
    public static byte[] encode(RowBatch batch) {
        return encode(batch, 0, batch.size());
    }

    /**
     * Appends the rows encoded in {@code data} to {@code into} (whose schema must be the encoder's).
     *
     * @throws IllegalArgumentException when the data is not a row batch of this schema
     */
    public static void decodeInto(byte[] data, RowBatch into) {
        Schema schema = into.schema();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readUnsignedByte() != MAGIC) {
                throw new IllegalArgumentException("not an encoded row batch (bad magic byte)");
            }
            int columns = in.readInt();
            if (columns != schema.columnCount()) {
                throw new IllegalArgumentException("encoded rows have " + columns + " columns, the schema "
                        + schema.columnCount());
            }
            int rows = in.readInt();
            if (rows < 0) {
                throw new IllegalArgumentException("negative row count " + rows);
            }
            for (int i = 0; i < rows; i++) {
                int r = into.addRow();
                for (int c = 0; c < columns; c++) {
                    Column col = schema.column(c);
                    if (col.nullable() && in.readBoolean()) {
                        into.setNull(r, c);
                        continue;
                    }
                    switch (col.type().physical()) {
                        case LONG -> into.setLong(r, c, in.readLong());
                        case DOUBLE -> into.setDouble(r, c, in.readDouble());
                        case BYTES -> {
                            int len = in.readInt();
                            if (len < 0 || len > in.available()) {
                                throw new IllegalArgumentException("row " + i + " column " + col.name()
                                        + ": length " + len + " exceeds the remaining " + in.available() + " bytes");
                            }
                            into.setBytes(r, c, in.readNBytes(len));
                        }
                    }
                }
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException(in.available() + " trailing bytes after " + rows + " rows");
            }
        } catch (java.io.EOFException e) {
            throw new IllegalArgumentException("encoded rows end early", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes into a new batch. */
    public static RowBatch decode(Schema schema, byte[] data) {
        RowBatch b = new RowBatch(schema, 16);
        decodeInto(data, b);
        return b;
    }
}
