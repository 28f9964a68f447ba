package io.compactor.storage.schema;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The VARCHAR columns of one batch that a scan keeps packed: the values of rows {@code [0, rows)}
 * of a column as one payload and an offsets array, the way a segment page stores them, so a scan
 * appends a page's values with two array copies instead of one {@code byte[]} per value. {@link
 * RowBatch} turns a column into one array per value (materializes it) the first time anything
 * needs that form; {@link RowBatch#bytesLength} and {@link RowBatch#copyBytes} read the packed
 * form directly.
 */
final class PackedBytes {
    private static final byte[] EMPTY = new byte[0];

    private final boolean[] active;
    private final byte[][] payload;
    /** {@code offsets[c][r]..offsets[c][r + 1]} are row r's bytes in {@code payload[c]}. */
    private final int[][] offsets;
    private final int[] rows;

    PackedBytes(int columns) {
        active = new boolean[columns];
        payload = new byte[columns][];
        offsets = new int[columns][];
        rows = new int[columns];
    }

    boolean isPacked(int c) {
        return active[c];
    }

    /** The packed column's bytes in total. */
    int totalBytes(int c) {
        return offsets[c][rows[c]];
    }

    /** Drops column c's packed rows (the batch was cleared; its per-value slots were never set). */
    boolean clear(int c) {
        boolean was = active[c];
        active[c] = false;
        return was;
    }

    /**
     * Appends {@code n} values to column c at row {@code destRow} ({@code src[srcOffsets[from + i]
     * .. srcOffsets[from + i + 1])}) if they start the column or follow its packed rows: returns
     * the bytes appended, or -1 (after materializing into {@code column}) when they can not be.
     */
    long append(int c, int destRow, byte[] src, int[] srcOffsets, int from, int n, byte[][] column) {
        if (!active[c]) {
            if (destRow != 0) {
                return -1;
            }
            active[c] = true;
            rows[c] = 0;
            if (offsets[c] == null) {
                offsets[c] = new int[n + 1];
                payload[c] = new byte[0];
            }
        } else if (rows[c] != destRow) {
            materialize(c, column);
            return -1;
        }
        int r = rows[c];
        int start = srcOffsets[from];
        int len = srcOffsets[from + n] - start;
        int base = offsets[c][r];
        if (offsets[c].length < r + n + 1) {
            offsets[c] = Arrays.copyOf(offsets[c], Math.max(r + n + 1, offsets[c].length * 2));
        }
        if (payload[c].length < base + len) {
            payload[c] = Arrays.copyOf(payload[c], Math.max(base + len, payload[c].length * 2));
        }
        System.arraycopy(src, start, payload[c], base, len);
        int[] o = offsets[c];
        int shift = base - start;
        for (int i = 1; i <= n; i++) {
            o[r + i] = srcOffsets[from + i] + shift;
        }
        rows[c] = r + n;
        return len;
    }

    int length(int c, int row) {
        return offsets[c][row + 1] - offsets[c][row];
    }

    /** Copies the values of rows {@code [from, to)}, one after another; returns the bytes copied. */
    int copy(int c, int from, int to, byte[] dst, int dstOffset) {
        int n = offsets[c][to] - offsets[c][from];
        System.arraycopy(payload[c], offsets[c][from], dst, dstOffset, n);
        return n;
    }

    String string(int c, int row) {
        return new String(payload[c], offsets[c][row], length(c, row), StandardCharsets.UTF_8);
    }

    /** Writes one array per value of column c into {@code column[0..rows)}; the column is no longer packed. */
    void materialize(int c, byte[][] column) {
        int[] o = offsets[c];
        byte[] p = payload[c];
        for (int r = 0; r < rows[c]; r++) {
            column[r] = o[r] == o[r + 1] ? EMPTY : Arrays.copyOfRange(p, o[r], o[r + 1]);
        }
        active[c] = false;
    }
}
