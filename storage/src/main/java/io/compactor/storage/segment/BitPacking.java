package io.compactor.storage.segment;

/**
 * Frame-of-reference bit packing of longs: each value is stored as {@code value - base} in
 * {@code width} bits, LSB-first, in little-endian 64-bit words. Width 0 means every value equals
 * the base and stores nothing.
 */
final class BitPacking {
    private BitPacking() {
    }

    /** Bits needed for the unsigned range {@code max - min} of values with this min and max. */
    static int widthFor(long min, long max) {
        return 64 - Long.numberOfLeadingZeros(max - min);
    }

    /** Bytes used by {@code count} values of {@code width} bits (whole 64-bit words). */
    static int packedBytes(int count, int width) {
        return (int) ((((long) count * width) + 63) >>> 6) << 3;
    }

    /**
     * Packs {@code values[0..count)} minus {@code base} into {@code out} at {@code off};
     * {@code packedBytes(count, width)} bytes are written. {@code words} is scratch of at least
     * {@code packedBytes / 8} longs.
     */
    static void pack(long[] values, int count, long base, int width, long[] words, byte[] out, int off) {
        int nWords = packedBytes(count, width) >>> 3;
        if (nWords == 0) {
            return;
        }
        java.util.Arrays.fill(words, 0, nWords, 0L);
        long bitPos = 0;
        for (int i = 0; i < count; i++) {
            long v = values[i] - base;
            int w = (int) (bitPos >>> 6);
            int s = (int) (bitPos & 63);
            words[w] |= v << s;
            if (s + width > 64) {
                words[w + 1] |= v >>> (64 - s);
            }
            bitPos += width;
        }
        for (int w = 0; w < nWords; w++) {
            LittleEndian.putLong(out, off + (w << 3), words[w]);
        }
    }

    /**
     * Unpacks {@code count} values written by {@link #pack} into {@code values[0..count)}: one
     * read per 64-bit word (not per value), the word kept while its values are taken.
     */
    static void unpack(byte[] in, int off, int count, long base, int width, long[] values) {
        if (width == 0) {
            java.util.Arrays.fill(values, 0, count, base);
            return;
        }
        if (count == 0) {
            return;
        }
        if (width == 64) {
            for (int i = 0; i < count; i++) {
                values[i] = LittleEndian.getLong(in, off + (i << 3)) + base;
            }
            return;
        }
        long mask = (1L << width) - 1;
        int words = packedBytes(count, width) >>> 3;
        int w = 0;
        long word = LittleEndian.getLong(in, off);
        int shift = 0;
        for (int i = 0; i < count; i++) {
            long v = word >>> shift;
            shift += width;
            if (shift >= 64) {
                shift -= 64;
                if (++w < words) {
                    word = LittleEndian.getLong(in, off + (w << 3));
                    if (shift > 0) {
                        v |= word << (width - shift); // the value's high bits start the next word
                    }
                }
            }
            values[i] = (v & mask) + base;
        }
    }
}
