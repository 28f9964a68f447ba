package io.compactor.storage.load;

import java.util.Locale;

/** Doris's {@code merge_type}: what a load's rows do to a unique-key table. */
public enum MergeType {
    /** Rows are upserted (the default). */
    APPEND,
    /** Rows delete their keys. */
    DELETE,
    /** Rows matching the {@code delete} condition delete their keys, the others are upserted. */
    MERGE;

    /**
     * Parses a header value case-insensitively.
     *
     * @throws IllegalArgumentException with Doris's message
     */
    public static MergeType parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid merge type " + value);
        }
    }
}
