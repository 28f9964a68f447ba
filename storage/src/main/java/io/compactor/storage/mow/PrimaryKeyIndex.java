package io.compactor.storage.mow;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentCursor;
import io.compactor.storage.segment.SegmentReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sorted keys of one segment, for primary-key lookups of merge-on-write tables: a
 * {@code long[]} when the key is one INT/BIGINT/DATE/DATETIME column, else memcomparable-encoded
 * keys. Keys in a segment of a unique-key table are distinct (memtables and merges keep one row
 * per key), so a binary search finds the one row id. Immutable, thread-safe.
 */
public final class PrimaryKeyIndex {
    private final long[] longKeys;
    private final byte[][] encodedKeys;
    /** Sequence values by row id when the schema has a sequence column (NULL as Long.MIN_VALUE), else null. */
    private final long[] sequences;

    private PrimaryKeyIndex(long[] longKeys, byte[][] encodedKeys, long[] sequences) {
        this.longKeys = longKeys;
        this.encodedKeys = encodedKeys;
        this.sequences = sequences;
    }

    /** The sequence value of a row (NULL is {@code Long.MIN_VALUE}); the schema must have a sequence column. */
    public long sequence(int row) {
        return sequences[row];
    }

    /** Whether keys of this schema use the {@code long} form. */
    public static boolean singleLongKey(Schema schema) {
        return schema.keyCount() == 1 && schema.column(0).type().physical() == ColumnType.Physical.LONG;
    }

    /** Reads the key columns of a segment file. */
    public static PrimaryKeyIndex build(Path file, Schema schema) throws IOException {
        int seq = schema.isUniqueKeys() ? schema.sequenceIndex() : -1;
        int[] keyCols = new int[schema.keyCount() + (seq >= 0 ? 1 : 0)];
        for (int i = 0; i < schema.keyCount(); i++) {
            keyCols[i] = i;
        }
        if (seq >= 0) {
            keyCols[keyCols.length - 1] = seq;
        }
        try (SegmentReader reader = SegmentReader.open(file, schema)) {
            long rows = reader.rowCount();
            if (rows > Integer.MAX_VALUE) {
                throw new IOException("segment " + file + " has too many rows for a key index: " + rows);
            }
            boolean fast = singleLongKey(schema);
            long[] longs = fast ? new long[(int) rows] : null;
            byte[][] encoded = fast ? null : new byte[(int) rows][];
            long[] seqs = seq >= 0 ? new long[(int) rows] : null;
            SegmentCursor cursor = SegmentCursor.open(reader, 8192, keyCols);
            RowBatch batch = new RowBatch(schema, (int) Math.min(8192, Math.max(16, rows)));
            int at = 0;
            while (cursor.next(batch)) {
                if (fast) {
                    System.arraycopy(batch.longColumn(0), 0, longs, at, batch.size());
                } else {
                    for (int r = 0; r < batch.size(); r++) {
                        encoded[at + r] = KeyCodec.encodeKey(batch, r);
                    }
                }
                if (seqs != null) {
                    for (int r = 0; r < batch.size(); r++) {
                        seqs[at + r] = batch.isNull(r, seq) ? Long.MIN_VALUE : batch.getLong(r, seq);
                    }
                }
                at += batch.size();
            }
            return new PrimaryKeyIndex(longs, encoded, seqs);
        }
    }

    /** Row id of {@code key} (single long keys), or -1. */
    public int find(long key) {
        int i = Arrays.binarySearch(longKeys, key);
        return i >= 0 ? i : -1;
    }

    /** Row id of an encoded key, or -1. */
    public int find(byte[] encodedKey) {
        int lo = 0;
        int hi = encodedKeys.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Arrays.compareUnsigned(encodedKeys[mid], encodedKey);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    /** Keys in the index (the segment's rows). */
    public int size() {
        return longKeys != null ? longKeys.length : encodedKeys.length;
    }

    /** A forward-only finder for keys asked in ascending order. */
    public Cursor cursor() {
        return new Cursor();
    }

    /**
     * Finds keys asked in ascending order (the keys of another sorted segment) by galloping from
     * the last position: consecutive lookups touch neighbouring memory and cost O(log gap) instead
     * of a full binary search each, which is what makes a load's delete-bitmap calculation a
     * merge-join of sorted key runs. Asking a smaller key than before is an error.
     */
    public final class Cursor {
        private int pos;

        /** The sequence value of a row this cursor found (see {@link PrimaryKeyIndex#sequence}). */
        public long sequence(int row) {
            return sequences[row];
        }

        private long lastLong = Long.MIN_VALUE;
        private byte[] lastEncoded;

        /** Row id of {@code key}, or -1; {@code key} must not be smaller than the previous one. */
        public int find(long key) {
            if (key < lastLong) {
                throw new IllegalArgumentException("cursor keys must ascend: " + key + " after " + lastLong);
            }
            lastLong = key;
            long[] keys = longKeys;
            int n = keys.length;
            if (pos >= n || keys[n - 1] < key) {
                pos = n;
                return -1;
            }
            if (keys[pos] >= key) {
                return keys[pos] == key ? pos : -1;
            }
            int step = 1;
            int lo = pos;
            int hi = pos + 1;
            while (hi < n && keys[hi] < key) {
                lo = hi;
                step <<= 1;
                hi = Math.min(n - 1, hi + step);
            }
            int i = Arrays.binarySearch(keys, lo + 1, hi + 1, key);
            pos = i >= 0 ? i : -i - 1;
            return i >= 0 ? i : -1;
        }

        /** Row id of an encoded key, or -1; keys must not descend. */
        public int find(byte[] key) {
            if (lastEncoded != null && Arrays.compareUnsigned(key, lastEncoded) < 0) {
                throw new IllegalArgumentException("cursor keys must ascend");
            }
            lastEncoded = key;
            byte[][] keys = encodedKeys;
            int n = keys.length;
            if (pos >= n || Arrays.compareUnsigned(keys[n - 1], key) < 0) {
                pos = n;
                return -1;
            }
            int c = Arrays.compareUnsigned(keys[pos], key);
            if (c >= 0) {
                return c == 0 ? pos : -1;
            }
            int step = 1;
            int lo = pos;
            int hi = pos + 1;
            while (hi < n && Arrays.compareUnsigned(keys[hi], key) < 0) {
                lo = hi;
                step <<= 1;
                hi = Math.min(n - 1, hi + step);
            }
            // keys[lo] < key <= keys[hi] (or hi is the last); binary search in (lo, hi]
            int a = lo + 1;
            int b = hi;
            while (a <= b) {
                int mid = (a + b) >>> 1;
                int cmp = Arrays.compareUnsigned(keys[mid], key);
                if (cmp < 0) {
                    a = mid + 1;
                } else if (cmp > 0) {
                    b = mid - 1;
                } else {
                    pos = mid;
                    return mid;
                }
            }
            pos = a;
            return -1;
        }
    }

    /** Approximate heap use, for the cache's weigher. */
    public long memoryBytes() {
        long seqBytes = sequences == null ? 0 : 8L * sequences.length;
        if (longKeys != null) {
            return 16L + 8L * longKeys.length + seqBytes;
        }
        long n = 16L + 8L * encodedKeys.length + seqBytes;
        for (byte[] k : encodedKeys) {
            n += 16 + k.length;
        }
        return n;
    }
}
