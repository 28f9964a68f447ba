package io.compactor.storage.schema;

import java.util.Locale;

/**
 * Column types a table may use. In memory every type lives in one of three physical shapes:
 * {@code long} (INT, BIGINT, DATE as days since 1970-01-01, DATETIME as microseconds since the
 * epoch, UTC), {@code double} (DOUBLE), or UTF-8 bytes (VARCHAR).
 */
public enum ColumnType {
    INT(Physical.LONG),
    BIGINT(Physical.LONG),
    DOUBLE(Physical.DOUBLE),
    VARCHAR(Physical.BYTES),
    DATE(Physical.LONG),
    DATETIME(Physical.LONG);

    /** How values of a type are held in a {@link RowBatch} and in segment pages. */
    public enum Physical { LONG, DOUBLE, BYTES }

    private final Physical physical;

    ColumnType(Physical physical) {
        this.physical = physical;
    }

    public Physical physical() {
        return physical;
    }

    /**
     * Parses a type name as users write it: case-insensitive, with an optional length such as
     * {@code VARCHAR(16)} (the length is returned by {@link #parseLength}).
     */
    public static ColumnType parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("column type is missing");
        }
        String t = text.trim().toUpperCase(Locale.ROOT);
        int paren = t.indexOf('(');
        String base = paren >= 0 ? t.substring(0, paren).trim() : t;
        if (base.equals("STRING")) {
            return VARCHAR;
        }
        try {
            return ColumnType.valueOf(base);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unsupported column type '" + text
                    + "': expected one of INT, BIGINT, DOUBLE, VARCHAR, DATE, DATETIME");
        }
    }

    /** The declared length of {@code VARCHAR(n)}, or {@code defaultLength} if none was given. */
    public static int parseLength(String text, int defaultLength) {
        String t = text.trim();
        int open = t.indexOf('(');
        if (open < 0) {
            return defaultLength;
        }
        int close = t.indexOf(')', open);
        if (close < 0) {
            throw new IllegalArgumentException("unsupported column type '" + text + "': missing ')'");
        }
        try {
            int n = Integer.parseInt(t.substring(open + 1, close).trim());
            if (n <= 0 || n > 1_048_576) {
                throw new IllegalArgumentException("invalid length in column type '" + text
                        + "': must be between 1 and 1048576");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid length in column type '" + text + "'");
        }
    }
}
