package io.compactor.storage.segment;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the meta store keeps about one segment file of a rowset.
 *
 * @param rows   rows in the segment
 * @param bytes  size of the file on disk
 * @param minKey memcomparable-encoded smallest key ({@link io.compactor.storage.schema.KeyCodec})
 * @param maxKey memcomparable-encoded largest key
 * @param crc    CRC32C of the segment footer, to tell one file version from another
 */
public record SegmentMeta(long rows, long bytes, byte[] minKey, byte[] maxKey, int crc) {
    public SegmentMeta {
        minKey = minKey == null ? new byte[0] : minKey;
        maxKey = maxKey == null ? new byte[0] : maxKey;
    }

    /** Rows of all segments. */
    public static long totalRows(java.util.List<SegmentMeta> segments) {
        long n = 0;
        for (SegmentMeta s : segments) {
            n += s.rows();
        }
        return n;
    }

    /** File bytes of all segments. */
    public static long totalBytes(java.util.List<SegmentMeta> segments) {
        long n = 0;
        for (SegmentMeta s : segments) {
            n += s.bytes();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegmentMeta s && s.rows == rows && s.bytes == bytes && s.crc == crc
                && Arrays.equals(s.minKey, minKey) && Arrays.equals(s.maxKey, maxKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rows, bytes, crc, Arrays.hashCode(minKey), Arrays.hashCode(maxKey));
    }
}
