package io.compactor.storage.segment;

import java.util.Arrays;

/**
 * Where the pages of one column are: per page its file offset, stored and raw lengths, first row,
 * row count and CRC32C. Primitive arrays, appended by the writer, read-only once in a reader.
 */
final class PageIndex {
    private long[] offsets;
    private int[] storedLengths;
    private int[] rawLengths;
    private long[] firstRows;
    private int[] rows;
    private int[] crcs;
    private int count;
    private long totalRows;

    PageIndex(int initialCapacity) {
        int c = Math.max(4, initialCapacity);
        offsets = new long[c];
        storedLengths = new int[c];
        rawLengths = new int[c];
        firstRows = new long[c];
        rows = new int[c];
        crcs = new int[c];
    }

    /** Appends a page that starts right after the previous one in row order. */
    void add(long offset, int storedLength, int rawLength, int pageRows, int crc) {
        add(offset, storedLength, rawLength, totalRows, pageRows, crc);
    }

    void add(long offset, int storedLength, int rawLength, long firstRow, int pageRows, int crc) {
        if (count == offsets.length) {
            int c = count * 2;
            offsets = Arrays.copyOf(offsets, c);
            storedLengths = Arrays.copyOf(storedLengths, c);
            rawLengths = Arrays.copyOf(rawLengths, c);
            firstRows = Arrays.copyOf(firstRows, c);
            rows = Arrays.copyOf(rows, c);
            crcs = Arrays.copyOf(crcs, c);
        }
        offsets[count] = offset;
        storedLengths[count] = storedLength;
        rawLengths[count] = rawLength;
        firstRows[count] = firstRow;
        rows[count] = pageRows;
        crcs[count] = crc;
        count++;
        totalRows = firstRow + pageRows;
    }

    int pageCount() {
        return count;
    }

    long totalRows() {
        return totalRows;
    }

    long offset(int page) {
        return offsets[page];
    }

    int storedLength(int page) {
        return storedLengths[page];
    }

    int rawLength(int page) {
        return rawLengths[page];
    }

    long firstRow(int page) {
        return firstRows[page];
    }

    int rows(int page) {
        return rows[page];
    }

    int crc(int page) {
        return crcs[page];
    }

    /** The page holding {@code row}, which must be below {@link #totalRows()}. */
    int find(long row) {
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (firstRows[mid] <= row) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    void writeTo(ByteSink out) {
        out.putInt(count);
        for (int p = 0; p < count; p++) {
            out.putLong(offsets[p]);
            out.putInt(storedLengths[p]);
            out.putInt(rawLengths[p]);
            out.putLong(firstRows[p]);
            out.putInt(rows[p]);
            out.putInt(crcs[p]);
        }
    }
}
