package io.compactor.storage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link DataDir#sweepOrphans} removed.
 *
 * @param filesRemoved      files deleted (orphan segments, temp files, files of dropped tablets)
 * @param bytesRemoved      their total size
 * @param tabletDirsRemoved directories of tablets that no longer exist
 * @param removed           the deleted files, for the log
 */
public record SweepReport(int filesRemoved, long bytesRemoved, int tabletDirsRemoved, List<Path> removed) {
    public SweepReport {
        removed = List.copyOf(removed);
    }

    static final class Builder {
        private final List<Path> removed = new ArrayList<>();
        private long bytes;
        private int dirs;

        void fileRemoved(Path file, long size) {
            removed.add(file);
            bytes += size;
        }

        void tabletDirRemoved() {
            dirs++;
        }

        SweepReport build() {
            return new SweepReport(removed.size(), bytes, dirs, removed);
        }
    }
}
