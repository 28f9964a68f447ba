package io.compactor.storage.rowset;

/**
 * Stable LSD radix sort of row indices by one fixed-width key column, 8 bits per pass. Values
 * are first mapped to unsigned-sortable longs (longs: sign flipped; doubles: the
 * {@code Double.compare} order of their canonical bits), all eight digit histograms are built in
 * one scan, and passes whose digit is the same for every row are skipped, so keys from a narrow
 * range take two or three passes. Scratch arrays are kept for the next sort.
 */
final class RadixKeySort {
    private long[] keys = new long[0];
    private long[] keysTmp = new long[0];
    private int[] orderTmp = new int[0];
    private final int[][] counts = new int[8][256];

    /** Sortable form of a long: unsigned order equals signed order of the input. */
    static long sortable(long v) {
        return v ^ Long.MIN_VALUE;
    }

    /** Sortable form of a double in {@link Double#compare} order. */
    static long sortable(double d) {
        long bits = Double.doubleToLongBits(d);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    /** Stable-sorts {@code order[0..n)} by the long column values {@code col[order[i]]}. */
    void sortByLongColumn(long[] col, int[] order, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            keys[i] = sortable(col[order[i]]);
        }
        sortKeyed(order, n);
    }

    /** Stable-sorts {@code order[0..n)} by the double column values {@code col[order[i]]}. */
    void sortByDoubleColumn(double[] col, int[] order, int n) {
        ensure(n);
        for (int i = 0; i < n; i++) {
            keys[i] = sortable(col[order[i]]);
        }
        sortKeyed(order, n);
    }

    private void ensure(int n) {
        if (keys.length < n) {
            keys = new long[n];
            keysTmp = new long[n];
            orderTmp = new int[n];
        }
    }

    private void sortKeyed(int[] order, int n) {
        for (int[] c : counts) {
            java.util.Arrays.fill(c, 0);
        }
        long[] k = keys;
        for (int i = 0; i < n; i++) {
            long v = k[i];
            for (int d = 0; d < 8; d++) {
                counts[d][(int) (v >>> (d << 3)) & 0xFF]++;
            }
        }
        long[] srcK = keys;
        long[] dstK = keysTmp;
        int[] srcO = order;
        int[] dstO = orderTmp;
        for (int d = 0; d < 8; d++) {
            int[] c = counts[d];
            if (c[(int) (srcK[0] >>> (d << 3)) & 0xFF] == n) {
                continue;
            }
            int sum = 0;
            for (int b = 0; b < 256; b++) {
                int t = c[b];
                c[b] = sum;
                sum += t;
            }
            int shift = d << 3;
            for (int i = 0; i < n; i++) {
                long v = srcK[i];
                int pos = c[(int) (v >>> shift) & 0xFF]++;
                dstK[pos] = v;
                dstO[pos] = srcO[i];
            }
            long[] tk = srcK;
            srcK = dstK;
            dstK = tk;
            int[] to = srcO;
            srcO = dstO;
            dstO = to;
        }
        if (srcO != order) {
            System.arraycopy(srcO, 0, order, 0, n);
        }
    }
}
