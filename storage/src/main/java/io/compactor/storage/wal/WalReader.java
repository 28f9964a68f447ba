package io.compactor.storage.wal;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads a WAL file back, keeping the whole, checksummed records and dropping a torn tail. */
public final class WalReader {
    private WalReader() {
    }

    /**
     * What a WAL holds.
     *
     * @param header     null when even the header record is not whole (nothing was acknowledged)
     * @param rows       each acknowledged load's encoded rows, in append order
     * @param validBytes bytes up to the end of the last whole record
     * @param tornBytes  bytes dropped after it (0 when the file ends cleanly)
     * @param tornReason why the tail was dropped, or null
     */
    public record Contents(Wal.Header header, List<byte[]> rows, long validBytes, long tornBytes, String tornReason) {
        /** Every load's rows decoded into one batch, in append order. */
        public RowBatch decodeRows(Schema schema) {
            RowBatch all = new RowBatch(schema, 16);
            for (byte[] r : rows) {
                RowBatchCodec.decodeInto(r, all);
            }
            return all;
        }
    }

    public static Contents read(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        if (data.length < Wal.MAGIC.length || !Arrays.equals(Arrays.copyOf(data, Wal.MAGIC.length), Wal.MAGIC)) {
            return new Contents(null, List.of(), 0, data.length, data.length < Wal.MAGIC.length
                    ? "file shorter than the magic" : "bad magic");
        }
        ByteBuffer b = ByteBuffer.wrap(data);
        b.position(Wal.MAGIC.length);
        Wal.Header header = null;
        List<byte[]> rows = new ArrayList<>();
        long valid = b.position();
        String torn = null;
        while (b.hasRemaining()) {
            int start = b.position();
            if (b.remaining() < 8) {
                torn = "record header cut off at offset " + start;
                break;
            }
            int len = b.getInt();
            int crc = b.getInt();
            if (len <= 0 || len > Wal.MAX_RECORD) {
                torn = "invalid record length " + len + " at offset " + start;
                break;
            }
            if (len > b.remaining()) {
                torn = "record at offset " + start + " cut off (" + len + " bytes announced, " + b.remaining()
                        + " left)";
                break;
            }
            if (Wal.crc(data, b.position(), len) != crc) {
                torn = "checksum mismatch in the record at offset " + start;
                break;
            }
            byte[] payload = Arrays.copyOfRange(data, b.position(), b.position() + len);
            b.position(b.position() + len);
            if (header == null) {
                try {
                    header = Wal.Header.decode(payload);
                } catch (RuntimeException e) {
                    torn = "unreadable header record: " + e.getMessage();
                    break;
                }
            } else if (payload[0] == Wal.ROWS) {
                rows.add(Arrays.copyOfRange(payload, 1, payload.length));
            } else {
                torn = "unknown record kind " + payload[0] + " at offset " + start;
                break;
            }
            valid = b.position();
        }
        if (header == null) {
            return new Contents(null, List.of(), 0, data.length, torn == null ? "no header record" : torn);
        }
        return new Contents(header, List.copyOf(rows), valid, data.length - valid, torn);
    }
}
