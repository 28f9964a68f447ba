package io.compactor.storage.segment;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The decoded values of one page of one column, kept by a reader so consecutive reads inside the
 * same page decode it once. Buffers are reused from page to page. Decoding validates the page
 * layout (see {@link ColumnPageBuilder}) and reports any inconsistency as corruption.
 */
final class DecodedPage {
    private static final byte[] EMPTY = new byte[0];

    private final ColumnType.Physical physical;
    private final boolean nullableInFile;
    private int pageNo = -1;
    private long firstRow;
    private int rows;
    private long[] longs = new long[0];
    private double[] doubles;
    private byte[] payload;
    private int[] offsets;
    private boolean[] nulls = new boolean[0];
    private boolean hasNulls;

    DecodedPage(ColumnType.Physical physical, boolean nullableInFile) {
        this.physical = physical;
        this.nullableInFile = nullableInFile;
    }

    int pageNo() {
        return pageNo;
    }

    long firstRow() {
        return firstRow;
    }

    int rows() {
        return rows;
    }

    void invalidate() {
        pageNo = -1;
    }

    /** Decodes {@code raw[0..rawLength)}; on failure the page is left invalid. */
    void decode(byte[] raw, int rawLength, int pageNo, long firstRow, int rows, Path file, String where)
            throws CorruptSegmentException {
        this.pageNo = -1;
        if (rawLength < 2) {
            throw corrupt(file, where, "is shorter than its header");
        }
        ensureCapacity(rows);
        byte encoding = raw[0];
        byte nullFlag = raw[1];
        int pos = 2;
        if (nullFlag != 0 && (nullFlag != 1 || !nullableInFile)) {
            throw corrupt(file, where, "has an invalid null flag " + nullFlag);
        }
        hasNulls = nullFlag == 1;
        if (hasNulls) {
            int bitmapBytes = (rows + 7) >>> 3;
            if (pos + bitmapBytes > rawLength) {
                throw corrupt(file, where, "null bitmap runs past the page end");
            }
            for (int i = 0; i < rows; i++) {
                nulls[i] = (raw[pos + (i >>> 3)] & (1 << (i & 7))) != 0;
            }
            pos += bitmapBytes;
        }
        int end = switch (physical) {
            case LONG -> decodeLongs(raw, pos, rawLength, rows, encoding, file, where);
            case DOUBLE -> decodeDoubles(raw, pos, rawLength, rows, encoding, file, where);
            case BYTES -> decodeBytes(raw, pos, rawLength, rows, encoding, file, where);
        };
        if (end != rawLength) {
            throw corrupt(file, where, "decodes to " + end + " bytes but is " + rawLength + " long");
        }
        this.pageNo = pageNo;
        this.firstRow = firstRow;
        this.rows = rows;
    }

    private int decodeLongs(byte[] raw, int pos, int rawLength, int n, byte encoding, Path file, String where)
            throws CorruptSegmentException {
        if (encoding == SegmentFormat.ENCODING_PLAIN) {
            if (pos + (long) n * 8 > rawLength) {
                throw corrupt(file, where, "plain values run past the page end");
            }
            for (int i = 0; i < n; i++) {
                longs[i] = LittleEndian.getLong(raw, pos + i * 8);
            }
            return pos + n * 8;
        }
        if (encoding != SegmentFormat.ENCODING_FOR) {
            throw corrupt(file, where, "has unknown encoding " + encoding);
        }
        return unpack(raw, pos, rawLength, n, file, where);
    }

    private int unpack(byte[] raw, int pos, int rawLength, int n, Path file, String where)
            throws CorruptSegmentException {
        if (pos + 9 > rawLength) {
            throw corrupt(file, where, "packed header runs past the page end");
        }
        long base = LittleEndian.getLong(raw, pos);
        int width = raw[pos + 8];
        pos += 9;
        if (width < 0 || width > 64) {
            throw corrupt(file, where, "has invalid bit width " + width);
        }
        int bytes = BitPacking.packedBytes(n, width);
        if (pos + (long) bytes > rawLength) {
            throw corrupt(file, where, "packed values run past the page end");
        }
        BitPacking.unpack(raw, pos, n, base, width, longs);
        return pos + bytes;
    }

    private int decodeDoubles(byte[] raw, int pos, int rawLength, int n, byte encoding, Path file, String where)
            throws CorruptSegmentException {
        if (encoding != SegmentFormat.ENCODING_PLAIN) {
            throw corrupt(file, where, "has unknown encoding " + encoding);
        }
        if (pos + (long) n * 8 > rawLength) {
            throw corrupt(file, where, "values run past the page end");
        }
        for (int i = 0; i < n; i++) {
            doubles[i] = Double.longBitsToDouble(LittleEndian.getLong(raw, pos + i * 8));
        }
        return pos + n * 8;
    }

    private int decodeBytes(byte[] raw, int pos, int rawLength, int n, byte encoding, Path file, String where)
            throws CorruptSegmentException {
        if (encoding != SegmentFormat.ENCODING_PLAIN) {
            throw corrupt(file, where, "has unknown encoding " + encoding);
        }
        pos = unpack(raw, pos, rawLength, n, file, where);
        long total = 0;
        offsets[0] = 0;
        for (int i = 0; i < n; i++) {
            long len = longs[i];
            total += len;
            if (len < 0 || total > rawLength - pos) {
                throw corrupt(file, where, "value lengths exceed the page");
            }
            offsets[i + 1] = (int) total;
        }
        if (payload == null || payload.length < total) {
            payload = new byte[(int) Math.max(total, SegmentFormat.TARGET_PAGE_BYTES)];
        }
        System.arraycopy(raw, pos, payload, 0, (int) total);
        return pos + (int) total;
    }

    private void ensureCapacity(int n) {
        if (longs.length < n) {
            longs = new long[n];
            nulls = new boolean[n];
            if (physical == ColumnType.Physical.DOUBLE) {
                doubles = new double[n];
            }
        }
        if (physical == ColumnType.Physical.DOUBLE && doubles == null) {
            doubles = new double[longs.length];
        }
        if (physical == ColumnType.Physical.BYTES && (offsets == null || offsets.length < n + 1)) {
            offsets = new int[longs.length + 1];
        }
    }

    /**
     * Copies {@code n} values starting at page row {@code from} into rows {@code [destRow,
     * destRow+n)} of column {@code col} of {@code into}, which were reserved by the caller.
     */
    void copyTo(RowBatch into, int col, int destRow, int from, int n) {
        switch (physical) {
            case LONG -> System.arraycopy(longs, from, into.longColumn(col), destRow, n);
            case DOUBLE -> System.arraycopy(doubles, from, into.doubleColumn(col), destRow, n);
            case BYTES -> {
                if (into.appendPacked(col, destRow, payload, offsets, from, n)) {
                    break; // a scan's batch: the values stay packed, no array per value
                }
                for (int i = 0; i < n; i++) {
                    int start = offsets[from + i];
                    int stop = offsets[from + i + 1];
                    into.setBytes(destRow + i, col, start == stop ? EMPTY : Arrays.copyOfRange(payload, start, stop));
                }
            }
        }
        boolean[] dst = into.nullColumn(col);
        if (dst != null) {
            if (hasNulls) {
                System.arraycopy(nulls, from, dst, destRow, n);
            } else {
                Arrays.fill(dst, destRow, destRow + n, false);
            }
        }
    }

    private static CorruptSegmentException corrupt(Path file, String where, String what) {
        return new CorruptSegmentException(file, where + " " + what);
    }
}
