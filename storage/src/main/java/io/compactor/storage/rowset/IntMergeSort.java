package io.compactor.storage.rowset;

/**
 * Stable sort of an {@code int[]} of row indices with a primitive comparator: no boxing, one
 * scratch array. Bottom-up merge sort over insertion-sorted runs; merges of runs that are
 * already in order are skipped, so presorted input costs one comparison per run.
 */
final class IntMergeSort {
    private static final int RUN = 32;

    /** Compares two row indices. */
    @FunctionalInterface
    interface IntComparator {
        int compare(int a, int b);
    }

    private IntMergeSort() {
    }

    static void sort(int[] a, int n, IntComparator cmp) {
        if (n < 2) {
            return;
        }
        for (int lo = 0; lo < n; lo += RUN) {
            insertionSort(a, lo, Math.min(lo + RUN, n), cmp);
        }
        if (n <= RUN) {
            return;
        }
        int[] src = a;
        int[] dst = new int[n];
        for (int width = RUN; width < n; width <<= 1) {
            for (int lo = 0; lo < n; lo += width << 1) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + (width << 1), n);
                merge(src, dst, lo, mid, hi, cmp);
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        if (src != a) {
            System.arraycopy(src, 0, a, 0, n);
        }
    }

    private static void insertionSort(int[] a, int lo, int hi, IntComparator cmp) {
        for (int i = lo + 1; i < hi; i++) {
            int v = a[i];
            int j = i - 1;
            while (j >= lo && cmp.compare(a[j], v) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = v;
        }
    }

    private static void merge(int[] src, int[] dst, int lo, int mid, int hi, IntComparator cmp) {
        if (mid >= hi || cmp.compare(src[mid - 1], src[mid]) <= 0) {
            System.arraycopy(src, lo, dst, lo, hi - lo);
            return;
        }
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
            dst[k++] = cmp.compare(src[i], src[j]) <= 0 ? src[i++] : src[j++];
        }
        while (i < mid) {
            dst[k++] = src[i++];
        }
        while (j < hi) {
            dst[k++] = src[j++];
        }
    }
}
