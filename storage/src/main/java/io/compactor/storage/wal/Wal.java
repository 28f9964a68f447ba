package io.compactor.storage.wal;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The write-ahead log format of group commit's async mode (one file per internal load).
 *
 * <pre>
 * file   = magic "CWAL" (4 bytes), then records
 * record = length (int32, big-endian, &gt; 0) | crc32c of the payload (int32) | payload (length bytes)
 * </pre>
 * The first record is the header ({@link Header}: table, internal txn id and label); each later one
 * is one acknowledged load's rows. A record counts only if it is whole and its checksum matches:
 * a reader stops at the first record that is cut off, zero-filled, oversized or damaged and drops
 * it with everything after it (the torn tail of a crash; no load in it was acknowledged, since a
 * load is acknowledged only after its record is fsynced).
 */
public final class Wal {
    static final byte[] MAGIC = {'C', 'W', 'A', 'L'};
    static final byte HEADER = 'H';
    static final byte ROWS = 'D';
    /** A record longer than this is damage, not data (a load body is at most a few hundred MB). */
    static final int MAX_RECORD = 1 << 30;
    public static final String SUFFIX = ".wal";

    private Wal() {
    }

    /**
     * What a WAL belongs to.
     *
     * @param tableId table of the internal load
     * @param txnId   the internal load's txn id
     * @param db      database of the table
     * @param label   the internal load's label (committed with the rows: a replay whose label is
     *                already committed must not apply the rows again)
     */
    public record Header(long tableId, long txnId, String db, String label) {
        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeByte(HEADER);
                out.writeLong(tableId);
                out.writeLong(txnId);
                out.writeUTF(db);
                out.writeUTF(label);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        static Header decode(byte[] payload) {
            ByteBuffer b = ByteBuffer.wrap(payload);
            if (b.get() != HEADER) {
                throw new IllegalArgumentException("the first record is not a WAL header");
            }
            long table = b.getLong();
            long txn = b.getLong();
            String db = utf(b);
            String label = utf(b);
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " trailing bytes in the WAL header");
            }
            return new Header(table, txn, db, label);
        }

        private static String utf(ByteBuffer b) {
            int len = Short.toUnsignedInt(b.getShort());
            byte[] s = new byte[len];
            b.get(s);
            return new String(s, StandardCharsets.UTF_8);
        }

        /** The file name of this internal load's WAL: {@code {tableId}_{txnId}.wal}. */
        public String fileName() {
            return tableId + "_" + txnId + SUFFIX;
        }
    }

    /** A whole record: length, checksum, payload. */
    static byte[] frame(byte[] payload) {
        if (payload.length == 0 || payload.length > MAX_RECORD) {
            throw new IllegalArgumentException("a WAL record payload must have 1.." + MAX_RECORD + " bytes, got "
                    + payload.length);
        }
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putInt(payload.length);
        b.putInt(crc(payload, 0, payload.length));
        b.put(payload);
        return b.array();
    }

    static int crc(byte[] data, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(data, off, len);
        return (int) c.getValue();
    }

    /** A rows record's payload: the kind byte and the encoded rows. */
    static byte[] rowsPayload(byte[] encodedRows) {
        byte[] p = new byte[encodedRows.length + 1];
        p[0] = ROWS;
        System.arraycopy(encodedRows, 0, p, 1, encodedRows.length);
        return p;
    }
}
