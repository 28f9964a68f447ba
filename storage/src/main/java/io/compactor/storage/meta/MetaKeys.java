package io.compactor.storage.meta;

import io.compactor.storage.mow.DeleteBitmapKey;
import io.compactor.storage.RowsetId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key layout of the RocksDB meta store. Every key starts with a one-letter kind and {@code '|'};
 * numbers are 8-byte (segment ids 4-byte) big-endian, so RocksDB's bytewise order is numeric
 * order for the non-negative ids we use and a prefix scan returns one tablet's entries in order.
 *
 * <pre>
 *   T|{tableId:8}                                          table meta (JSON)
 *   H|{tabletId:8}                                         tablet header (JSON)
 *   R|{tabletId:8}|{rowsetId:8}                            rowset entry (JSON, visible or stale)
 *   L|{db utf8}\0{label utf8}                              load record (JSON)
 *   D|{tabletId:8}|{rowsetId:8}|{segmentId:4}|{version:8}  delete bitmap (raw RoaringBitmap bytes)
 *   S|{sequence name}                                      id high-water mark (JSON number)
 *   X|{tableId:8}                                          dropped table (cluster mode; drop time)
 * </pre>
 *
 * <p>Labels use a NUL byte between database and label, so neither may contain NUL.
 */
final class MetaKeys {
    static final byte TABLE = 'T';
    static final byte TABLET = 'H';
    static final byte ROWSET = 'R';
    static final byte LABEL = 'L';
    static final byte DELETE_BITMAP = 'D';
    static final byte SEQUENCE = 'S';
    static final byte DROPPED_TABLE = 'X';
    private static final byte SEP = '|';

    private MetaKeys() {
    }

    static byte[] kindPrefix(byte kind) {
        return new byte[] {kind, SEP};
    }

    static byte[] table(long tableId) {
        return ByteBuffer.allocate(10).put(TABLE).put(SEP).putLong(tableId).array();
    }

    static byte[] droppedTable(long tableId) {
        return ByteBuffer.allocate(10).put(DROPPED_TABLE).put(SEP).putLong(tableId).array();
    }

    static long droppedTableId(byte[] key) {
        return ByteBuffer.wrap(key, 2, 8).getLong();
    }

    static byte[] tablet(long tabletId) {
        return ByteBuffer.allocate(10).put(TABLET).put(SEP).putLong(tabletId).array();
    }

    /** Prefix of every rowset key of a tablet: {@code R|{tabletId}|}. */
    static byte[] rowsetPrefix(long tabletId) {
        return ByteBuffer.allocate(11).put(ROWSET).put(SEP).putLong(tabletId).put(SEP).array();
    }

    static byte[] rowset(long tabletId, RowsetId rowsetId) {
        return ByteBuffer.allocate(19).put(ROWSET).put(SEP).putLong(tabletId).put(SEP)
                .putLong(rowsetId.value()).array();
    }

    /** Prefix of every delete-bitmap key of a tablet: {@code D|{tabletId}|}. */
    static byte[] deleteBitmapPrefix(long tabletId) {
        return ByteBuffer.allocate(11).put(DELETE_BITMAP).put(SEP).putLong(tabletId).put(SEP).array();
    }

    /** Prefix of every delete-bitmap key of one rowset: {@code D|{tabletId}|{rowsetId}|}. */
    static byte[] deleteBitmapPrefix(long tabletId, RowsetId rowsetId) {
        return ByteBuffer.allocate(20).put(DELETE_BITMAP).put(SEP).putLong(tabletId).put(SEP)
                .putLong(rowsetId.value()).put(SEP).array();
    }

    static byte[] deleteBitmap(long tabletId, RowsetId rowsetId, int segmentId, long version) {
        return ByteBuffer.allocate(33).put(DELETE_BITMAP).put(SEP).putLong(tabletId).put(SEP)
                .putLong(rowsetId.value()).put(SEP).putInt(segmentId).put(SEP).putLong(version).array();
    }

    static byte[] label(String db, String label) {
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        byte[] l = label.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + d.length + l.length).put(LABEL).put(SEP).put(d).put((byte) 0).put(l).array();
    }

    static byte[] sequence(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + n.length).put(SEQUENCE).put(SEP).put(n).array();
    }

    /** The id stored at {@code offset} of a key (8 bytes, big-endian). */
    static long longAt(byte[] key, int offset) {
        return ByteBuffer.wrap(key, offset, 8).getLong();
    }

    /** Tablet id of an {@code H}, {@code R} or {@code D} key. */
    static long tabletIdOf(byte[] key) {
        return longAt(key, 2);
    }

    /** Decodes a delete-bitmap key into its (rowset, segment, version) triple. */
    static DeleteBitmapKey decodeDeleteBitmap(byte[] key) {
        if (key.length != 33 || key[0] != DELETE_BITMAP) {
            throw new IllegalArgumentException("not a delete-bitmap key: " + hex(key));
        }
        ByteBuffer b = ByteBuffer.wrap(key);
        return new DeleteBitmapKey(new RowsetId(b.getLong(11)), b.getInt(20), b.getLong(25));
    }

    /**
     * The smallest key greater than every key starting with {@code prefix}: the exclusive end of a
     * prefix range (for deleteRange and scans). Prefixes here never end in 0xFF.
     */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xFF) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        throw new IllegalArgumentException("prefix has no upper bound: " + hex(prefix));
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    static String hex(byte[] key) {
        StringBuilder sb = new StringBuilder(key.length * 2);
        for (byte b : key) {
            sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }
}
