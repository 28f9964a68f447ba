package io.compactor.storage.load;

import java.util.Locale;

/** Body format of a stream load, from the {@code format} header. */
public enum LoadFormat {
    /** Delimited text: one row per line, fields split by the column separator, {@code \N} is NULL. */
    CSV,
    /** JSON: one object per line, or one top-level array of objects. */
    JSON;

    /**
     * Parses a header value case-insensitively ({@code csv}, {@code json}).
     *
     * @throws IllegalArgumentException naming the value when it is neither
     */
    public static LoadFormat parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "csv" -> CSV;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("header 'format' has unsupported value '" + value
                    + "': expected csv or json");
        };
    }
}
