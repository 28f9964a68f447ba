package io.compactor.storage.segment;

import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import java.io.IOException;
import java.util.Arrays;

/**
 * Buffers the values of one column until a page is full, then encodes it. Raw page layout:
 *
 * <pre>
 * u8 encoding, u8 hasNulls, [null bitmap, LSB-first, ceil(rows/8) bytes when hasNulls]
 * LONG   PLAIN: rows x u64 | FOR: u64 base, u8 width, bit-packed (value - base)
 * DOUBLE PLAIN: rows x u64 raw IEEE bits (keeps -0.0 and NaN payloads)
 * BYTES  PLAIN: u64 lengthBase, u8 width, bit-packed lengths, then the concatenated payload
 * </pre>
 *
 * A page is cut at {@code maxRows} rows or once its raw size reaches
 * {@link SegmentFormat#TARGET_PAGE_BYTES}. Values are copied in bulk; nothing is allocated per row.
 * The value arrays start small and double up to {@code maxRows}, so a segment of a few rows (a
 * small load into many tablets) does not allocate page-sized buffers for every column.
 */
final class ColumnPageBuilder {
    /** Above this width frame-of-reference saves too little to pay for itself. */
    private static final int MAX_FOR_WIDTH = 56;

    private final int column;
    private final String name;
    private final ColumnType.Physical physical;
    private final boolean nullable;
    private final int maxRows;
    private final ByteSink page;
    private final PackScratch words;
    private long[] longs;
    private double[] doubles;
    private byte[] payload;
    private int payloadLength;
    private int[] lengths;
    private boolean[] nulls;
    private boolean hasNull;
    private int count;

    ColumnPageBuilder(int column, String name, ColumnType.Physical physical, boolean nullable, int maxRows,
                      ByteSink sharedPage, PackScratch sharedWords) {
        this.column = column;
        this.name = name;
        this.physical = physical;
        this.nullable = nullable;
        this.maxRows = maxRows;
        this.page = sharedPage;
        this.words = sharedWords;
        int initial = Math.min(maxRows, INITIAL_ROWS);
        this.longs = new long[initial];
        switch (physical) {
            case DOUBLE -> doubles = new double[initial];
            case BYTES -> {
                lengths = new int[initial];
                payload = new byte[1024];
            }
            default -> { }
        }
        this.nulls = nullable ? new boolean[initial] : null;
    }

    private static final int INITIAL_ROWS = 256;

    /** Makes room for {@code count + n} values (n <= maxRows - count). */
    private void ensureRows(int n) {
        int need = count + n;
        if (need <= longs.length) {
            return;
        }
        int cap = Math.min(maxRows, Math.max(need, longs.length * 2));
        longs = Arrays.copyOf(longs, cap);
        if (doubles != null) {
            doubles = Arrays.copyOf(doubles, cap);
        }
        if (lengths != null) {
            lengths = Arrays.copyOf(lengths, cap);
        }
        if (nulls != null) {
            nulls = Arrays.copyOf(nulls, cap);
        }
    }

    /** Raw bytes buffered for the open page (for size estimates). */
    long bufferedBytes() {
        return physical == ColumnType.Physical.BYTES ? payloadLength + 4L * count : 8L * count;
    }

    /** Adds rows {@code [from, to)} of the batch's column; full pages go to {@code sink}. */
    void appendRange(RowBatch batch, int from, int to, PageSink sink) throws IOException {
        int i = from;
        while (i < to) {
            int n = Math.min(to - i, maxRows - count);
            ensureRows(n);
            switch (physical) {
                case LONG -> System.arraycopy(batch.longColumn(column), i, longs, count, n);
                case DOUBLE -> System.arraycopy(batch.doubleColumn(column), i, doubles, count, n);
                case BYTES -> n = copyBytes(batch, i, n, null);
            }
            if (nullable) {
                copyNulls(batch.nullColumn(column), i, n, null);
            }
            count += n;
            i += n;
            cutIfFull(sink);
        }
    }

    /** Adds the rows {@code rows[from..to)} of the batch's column, in that order. */
    void appendRows(RowBatch batch, int[] rows, int from, int to, PageSink sink) throws IOException {
        int i = from;
        while (i < to) {
            int n = Math.min(to - i, maxRows - count);
            ensureRows(n);
            switch (physical) {
                case LONG -> {
                    long[] src = batch.longColumn(column);
                    for (int k = 0; k < n; k++) {
                        longs[count + k] = src[rows[i + k]];
                    }
                }
                case DOUBLE -> {
                    double[] src = batch.doubleColumn(column);
                    for (int k = 0; k < n; k++) {
                        doubles[count + k] = src[rows[i + k]];
                    }
                }
                case BYTES -> n = copyBytes(batch, i, n, rows);
            }
            if (nullable) {
                copyNulls(batch.nullColumn(column), i, n, rows);
            }
            count += n;
            i += n;
            cutIfFull(sink);
        }
    }

    private int copyBytes(RowBatch batch, int from, int n, int[] rows) {
        byte[][] src = batch.bytesColumn(column);
        for (int k = 0; k < n; k++) {
            int r = rows == null ? from + k : rows[from + k];
            byte[] v = src[r];
            if (v == null) {
                throw new IllegalArgumentException("column '" + name + "' row " + r + " has no value");
            }
            if (payloadLength + v.length > payload.length) {
                payload = Arrays.copyOf(payload, Math.max(payload.length * 2, payloadLength + v.length));
            }
            System.arraycopy(v, 0, payload, payloadLength, v.length);
            payloadLength += v.length;
            lengths[count + k] = v.length;
            if (payloadLength >= SegmentFormat.TARGET_PAGE_BYTES) {
                return k + 1;
            }
        }
        return n;
    }

    private void copyNulls(boolean[] src, int from, int n, int[] rows) {
        if (src == null) {
            Arrays.fill(nulls, count, count + n, false);
            return;
        }
        boolean any = false;
        for (int k = 0; k < n; k++) {
            boolean b = src[rows == null ? from + k : rows[from + k]];
            nulls[count + k] = b;
            any |= b;
        }
        hasNull |= any;
    }

    private void cutIfFull(PageSink sink) throws IOException {
        if (count >= maxRows || payloadLength >= SegmentFormat.TARGET_PAGE_BYTES) {
            flush(sink);
        }
    }

    /** Encodes and hands over the open page, if it has rows. */
    void flush(PageSink sink) throws IOException {
        if (count == 0) {
            return;
        }
        page.reset();
        int encodingAt = page.reserve(1);
        page.putByte(hasNull ? 1 : 0);
        if (hasNull) {
            writeBitmap();
        }
        byte encoding = SegmentFormat.ENCODING_PLAIN;
        switch (physical) {
            case LONG -> encoding = writeLongs(longs, count);
            case DOUBLE -> {
                int at = page.reserve(count * 8);
                byte[] out = page.array();
                for (int i = 0; i < count; i++) {
                    LittleEndian.putLong(out, at + i * 8, Double.doubleToRawLongBits(doubles[i]));
                }
            }
            case BYTES -> {
                int minLen = Integer.MAX_VALUE;
                int maxLen = 0;
                for (int i = 0; i < count; i++) {
                    int len = lengths[i];
                    longs[i] = len;
                    minLen = Math.min(minLen, len);
                    maxLen = Math.max(maxLen, len);
                }
                writePacked(longs, count, minLen, maxLen);
                page.putBytes(payload, 0, payloadLength);
            }
        }
        page.array()[encodingAt] = encoding;
        sink.writePage(column, count, page.array(), page.length());
        count = 0;
        payloadLength = 0;
        hasNull = false;
    }

    private void writeBitmap() {
        int at = page.reserve((count + 7) >>> 3);
        byte[] out = page.array();
        Arrays.fill(out, at, at + ((count + 7) >>> 3), (byte) 0);
        for (int i = 0; i < count; i++) {
            if (nulls[i]) {
                out[at + (i >>> 3)] |= (byte) (1 << (i & 7));
            }
        }
    }

    private byte writeLongs(long[] values, int n) {
        long min = values[0];
        long max = values[0];
        for (int i = 1; i < n; i++) {
            long v = values[i];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (BitPacking.widthFor(min, max) > MAX_FOR_WIDTH) {
            int at = page.reserve(n * 8);
            byte[] out = page.array();
            for (int i = 0; i < n; i++) {
                LittleEndian.putLong(out, at + i * 8, values[i]);
            }
            return SegmentFormat.ENCODING_PLAIN;
        }
        writePacked(values, n, min, max);
        return SegmentFormat.ENCODING_FOR;
    }

    private void writePacked(long[] values, int n, long min, long max) {
        int width = BitPacking.widthFor(min, max);
        page.putLong(min);
        page.putByte(width);
        int bytes = BitPacking.packedBytes(n, width);
        int at = page.reserve(bytes);
        BitPacking.pack(values, n, min, width, words.words(n), page.array(), at);
    }
}
