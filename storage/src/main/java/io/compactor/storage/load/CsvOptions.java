package io.compactor.storage.load;

/**
 * How a CSV body is read beyond its separators, from Doris's stream-load headers.
 *
 * @param enclose          {@code enclose}: the byte that encloses a field holding separators or line
 *                         delimiters ({@code "a,b"}), or -1 for none (the default)
 * @param escape           {@code escape}: the byte that makes the next byte literal inside an enclosed
 *                         field, or -1 for none (the default)
 * @param trimDoubleQuotes {@code trim_double_quotes}: a field's outermost double quotes are removed
 * @param skipLines        {@code skip_lines}: lines at the start of the body that are not rows
 * @param header           {@code format: csv_with_names} or {@code csv_with_names_and_types}: the
 *                         body starts with one (names) or two (names, types) lines that are not rows;
 *                         as in Doris, {@code skip_lines} then does not apply
 * @param emptyFieldAsNull {@code empty_field_as_null}: an empty field is NULL instead of an empty string
 */
public record CsvOptions(int enclose, int escape, boolean trimDoubleQuotes, int skipLines, HeaderType header,
                         boolean emptyFieldAsNull) {

    /** The header lines a {@code csv_with_names*} body starts with. */
    public enum HeaderType {
        NONE(0), NAMES(1), NAMES_AND_TYPES(2);

        private final int lines;

        HeaderType(int lines) {
            this.lines = lines;
        }

        public int lines() {
            return lines;
        }
    }

    public static final CsvOptions DEFAULTS = new CsvOptions(-1, -1, false, 0, HeaderType.NONE, false);

    public CsvOptions {
        if (enclose < -1 || enclose > 255 || escape < -1 || escape > 255) {
            throw new IllegalArgumentException("enclose and escape must be one byte or -1");
        }
        if (skipLines < 0) {
            throw new IllegalArgumentException("Invalid 'skip_lines': " + skipLines);
        }
        java.util.Objects.requireNonNull(header, "header");
    }

    /** Lines at the start of the body that are not rows. */
    public int linesToSkip() {
        return header == HeaderType.NONE ? skipLines : header.lines();
    }

    /** Whether a line may hold an enclosed line delimiter (the body can not be cut at delimiters blindly). */
    public boolean enclosed() {
        return enclose >= 0;
    }
}
