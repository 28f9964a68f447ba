package io.compactor.storage.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Durability helpers: making a directory entry (a create or rename) survive a crash. */
public final class FileSync {
    private FileSync() {
    }

    /**
     * Fsyncs a directory so that entries created or renamed in it are durable. Platforms that
     * cannot open a directory for sync (Windows) are skipped, as their renames are journaled.
     */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (java.nio.file.AccessDeniedException e) {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                throw e;
            }
        }
    }
}
