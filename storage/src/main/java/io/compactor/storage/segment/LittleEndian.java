package io.compactor.storage.segment;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian primitive access into byte arrays (JIT-intrinsic views, no allocation). */
final class LittleEndian {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    static long getLong(byte[] b, int off) {
        return (long) LONGS.get(b, off);
    }

    static void putLong(byte[] b, int off, long v) {
        LONGS.set(b, off, v);
    }

    static int getInt(byte[] b, int off) {
        return (int) INTS.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        INTS.set(b, off, v);
    }
}
