package io.compactor.storage.segment;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A segment's footer declares columns that do not match the schema it is opened with (count,
 * key count, type, or a nullable column where the schema says NOT NULL). The file itself may be
 * intact; the message names it and the first difference.
 */
public class SegmentSchemaMismatchException extends IOException {
    public SegmentSchemaMismatchException(Path file, String what) {
        super("segment " + file + ": schema mismatch: " + what);
    }
}
