package io.compactor.storage.segment;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A segment file failed verification: bad magic, a checksum mismatch, a truncated file or an
 * inconsistent footer. The message always names the file and what failed. Readers throw this
 * instead of ever returning data they could not verify.
 */
public class CorruptSegmentException extends IOException {
    private final Path file;

    public CorruptSegmentException(Path file, String what) {
        super("segment " + file + ": " + what);
        this.file = file;
    }

    public CorruptSegmentException(Path file, String what, Throwable cause) {
        super("segment " + file + ": " + what, cause);
        this.file = file;
    }

    /** The corrupt file. */
    public Path file() {
        return file;
    }
}
