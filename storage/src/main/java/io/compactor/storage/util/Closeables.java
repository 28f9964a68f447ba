package io.compactor.storage.util;

import java.io.Closeable;
import java.io.IOException;

/** Closing several resources at once. */
public final class Closeables {
    private Closeables() {
    }

    /**
     * Closes every non-null resource, even when some fail; rethrows the first failure with the
     * others suppressed on it.
     */
    public static void closeAll(Iterable<? extends Closeable> resources) throws IOException {
        IOException first = null;
        for (Closeable c : resources) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Closes every non-null resource and ignores failures: for readers whose reading is over, where
     * a failed close loses nothing.
     */
    public static void closeQuietly(Iterable<? extends Closeable> resources) {
        for (Closeable c : resources) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException ignored) {
                // reading is over; a close failure loses nothing
            }
        }
    }
}
