package io.compactor.storage.segment;

import java.util.Arrays;

/** A reusable, growable little-endian byte buffer used to build pages and footers. */
final class ByteSink {
    private byte[] buf;
    private int len;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    void reset() {
        len = 0;
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    /** Makes room for {@code n} more bytes and returns the offset where they start. */
    int reserve(int n) {
        ensure(n);
        int at = len;
        len += n;
        return at;
    }

    private void ensure(int n) {
        long need = (long) len + n;
        if (need > buf.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("buffer would exceed 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(need, Math.min(Integer.MAX_VALUE - 16L, buf.length * 2L)));
        }
    }

    void putByte(int v) {
        ensure(1);
        buf[len++] = (byte) v;
    }

    void putInt(int v) {
        ensure(4);
        LittleEndian.putInt(buf, len, v);
        len += 4;
    }

    void putLong(long v) {
        ensure(8);
        LittleEndian.putLong(buf, len, v);
        len += 8;
    }

    void putBytes(byte[] src, int off, int n) {
        ensure(n);
        System.arraycopy(src, off, buf, len, n);
        len += n;
    }
}
