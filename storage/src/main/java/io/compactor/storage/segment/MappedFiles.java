package io.compactor.storage.segment;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;

/**
 * Unmaps a file mapping when its reader closes, instead of when the garbage collector gets to it:
 * a node opening many segment readers between collections would otherwise hold as many mappings
 * (and the kernel limits them). Uses {@code sun.misc.Unsafe.invokeCleaner} (module
 * jdk.unsupported); where that is missing the mapping is left to the collector.
 */
final class MappedFiles {
    private static final MethodHandle INVOKE_CLEANER = cleaner();

    private MappedFiles() {
    }

    private static MethodHandle cleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Unmaps {@code mapped}; nothing may read it afterwards (the caller guarantees it). */
    static void unmap(ByteBuffer mapped) {
        if (INVOKE_CLEANER == null || mapped == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact(mapped);
        } catch (Throwable e) {
            // left to the garbage collector, as without this helper
        }
    }
}
