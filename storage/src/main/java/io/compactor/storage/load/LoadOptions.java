package io.compactor.storage.load;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * How to read a stream-load body, from the Doris stream-load headers.
 *
 * @param format          {@code csv} (default) or {@code json}
 * @param columnSeparator CSV field separator bytes, default tab; may be several bytes
 * @param lineDelimiter   row delimiter bytes, default {@code \n}; with {@code \n} a trailing
 *                        {@code \r} of each line is dropped, so CRLF files load too
 * @param columns         input fields in order, mapped to schema columns by name; empty means
 *                        "the schema's columns in schema order"
 * @param maxFilterRatio  the share of filtered rows that still lets the load succeed, 0 to 1,
 *                        default 0
 * @param csv             CSV details: enclose, escape, trimmed quotes, skipped lines, header lines
 * @param json            JSON details: jsonpaths, json_root, strip_outer_array, read_json_by_line
 * @param rules           what happens to parsed rows: strict mode, where, merge type, sequence,
 *                        partial columns
 */
public record LoadOptions(LoadFormat format, byte[] columnSeparator, byte[] lineDelimiter, List<String> columns,
                          double maxFilterRatio, CsvOptions csv, JsonOptions json, LoadRules rules) {

    public static final String FORMAT = "format";
    public static final String COLUMN_SEPARATOR = "column_separator";
    public static final String LINE_DELIMITER = "line_delimiter";
    public static final String COLUMNS = "columns";
    public static final String MAX_FILTER_RATIO = "max_filter_ratio";

    private static final byte[] TAB = {'\t'};
    private static final byte[] NEWLINE = {'\n'};

    /** CSV, tab-separated, newline-delimited, every schema column in order, no filtered rows allowed. */
    public static final LoadOptions DEFAULTS = new LoadOptions(LoadFormat.CSV, TAB, NEWLINE, List.of(), 0);

    /** Options with default CSV, JSON and row rules. */
    public LoadOptions(LoadFormat format, byte[] columnSeparator, byte[] lineDelimiter, List<String> columns,
                       double maxFilterRatio) {
        this(format, columnSeparator, lineDelimiter, columns, maxFilterRatio, CsvOptions.DEFAULTS, JsonOptions.DEFAULTS,
                LoadRules.DEFAULTS);
    }

    public LoadOptions {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(csv, "csv");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(rules, "rules");
        columnSeparator = Objects.requireNonNull(columnSeparator, "columnSeparator").clone();
        lineDelimiter = Objects.requireNonNull(lineDelimiter, "lineDelimiter").clone();
        columns = List.copyOf(columns);
        if (columnSeparator.length == 0) {
            throw new IllegalArgumentException("header '" + COLUMN_SEPARATOR + "' is empty");
        }
        if (lineDelimiter.length == 0) {
            throw new IllegalArgumentException("header '" + LINE_DELIMITER + "' is empty");
        }
        if (format == LoadFormat.CSV && contains(lineDelimiter, columnSeparator)) {
            throw new IllegalArgumentException("header '" + COLUMN_SEPARATOR + "' value '" + show(columnSeparator)
                    + "' must not be part of the line delimiter '" + show(lineDelimiter) + "'");
        }
        if (!(maxFilterRatio >= 0 && maxFilterRatio <= 1)) {
            throw new IllegalArgumentException("header '" + MAX_FILTER_RATIO + "' value '" + maxFilterRatio
                    + "' must be between 0 and 1");
        }
    }

    /**
     * Reads the options from stream-load headers; absent headers take their defaults.
     *
     * <p>Separators are taken as written, with the escapes {@code \t}, {@code \n}, {@code \r} and
     * {@code \\}; a value starting with {@code \x} is hex bytes as in Doris ({@code \x01},
     * {@code \x0102}). {@code columns} is a comma-separated list of column names (optionally in
     * backquotes); Doris's column expressions ({@code v = k * 2}) are not supported.
     *
     * @param header returns a header's value, or null when the request lacks it
     * @throws IllegalArgumentException naming the header and value that are invalid
     */
    public static LoadOptions fromHeaders(Function<String, String> header) {
        String f = header.apply(FORMAT);
        LoadFormat format = f == null || f.isBlank() ? LoadFormat.CSV : LoadFormat.parse(f);
        String sep = header.apply(COLUMN_SEPARATOR);
        String delim = header.apply(LINE_DELIMITER);
        String cols = header.apply(COLUMNS);
        String ratio = header.apply(MAX_FILTER_RATIO);
        return new LoadOptions(format,
                sep == null ? TAB : parseSeparator(COLUMN_SEPARATOR, sep),
                delim == null ? NEWLINE : parseSeparator(LINE_DELIMITER, delim),
                cols == null || cols.isBlank() ? List.of() : parseColumns(cols),
                ratio == null || ratio.isBlank() ? 0 : parseRatio(ratio));
    }

    public LoadOptions withFormat(LoadFormat f) {
        return new LoadOptions(f, columnSeparator, lineDelimiter, columns, maxFilterRatio, csv, json, rules);
    }

    /** The same options with a separator given as a header value would be (escapes allowed). */
    public LoadOptions withColumnSeparator(String headerValue) {
        return new LoadOptions(format, parseSeparator(COLUMN_SEPARATOR, headerValue), lineDelimiter, columns,
                maxFilterRatio, csv, json, rules);
    }

    /** The same options with a line delimiter given as a header value would be (escapes allowed). */
    public LoadOptions withLineDelimiter(String headerValue) {
        return new LoadOptions(format, columnSeparator, parseSeparator(LINE_DELIMITER, headerValue), columns,
                maxFilterRatio, csv, json, rules);
    }

    public LoadOptions withColumns(List<String> cols) {
        return new LoadOptions(format, columnSeparator, lineDelimiter, cols, maxFilterRatio, csv, json, rules);
    }

    /** The same options with a {@code columns} header value (names, optionally in backquotes). */
    public LoadOptions withColumnsHeader(String headerValue) {
        return withColumns(parseColumns(headerValue));
    }

    /** The same options with a {@code max_filter_ratio} header value. */
    public LoadOptions withMaxFilterRatioHeader(String headerValue) {
        return withMaxFilterRatio(parseRatio(headerValue));
    }

    public LoadOptions withMaxFilterRatio(double ratio) {
        return new LoadOptions(format, columnSeparator, lineDelimiter, columns, ratio, csv, json, rules);
    }

    public LoadOptions withCsv(CsvOptions c) {
        return new LoadOptions(format, columnSeparator, lineDelimiter, columns, maxFilterRatio, c, json, rules);
    }

    public LoadOptions withJson(JsonOptions j) {
        return new LoadOptions(format, columnSeparator, lineDelimiter, columns, maxFilterRatio, csv, j, rules);
    }

    public LoadOptions withRules(LoadRules r) {
        return new LoadOptions(format, columnSeparator, lineDelimiter, columns, maxFilterRatio, csv, json, r);
    }

    @Override
    public byte[] columnSeparator() {
        return columnSeparator.clone();
    }

    @Override
    public byte[] lineDelimiter() {
        return lineDelimiter.clone();
    }

    /** Decodes a separator header value into bytes; see {@link #fromHeaders}. */
    static byte[] parseSeparator(String headerName, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("header '" + headerName + "' is empty");
        }
        if (value.length() >= 2 && value.charAt(0) == '\\' && (value.charAt(1) == 'x' || value.charAt(1) == 'X')) {
            String hex = value.substring(2);
            if (hex.isEmpty() || hex.length() % 2 != 0) {
                throw new IllegalArgumentException("header '" + headerName + "' value '" + value
                        + "' is not valid hex: expected pairs of hex digits after \\x");
            }
            byte[] out = new byte[hex.length() / 2];
            for (int i = 0; i < out.length; i++) {
                int hi = Character.digit(hex.charAt(2 * i), 16);
                int lo = Character.digit(hex.charAt(2 * i + 1), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("header '" + headerName + "' value '" + value
                            + "' is not valid hex: '" + hex.substring(2 * i, 2 * i + 2) + "'");
                }
                out[i] = (byte) (hi << 4 | lo);
            }
            return out;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char n = value.charAt(i + 1);
                int escaped = switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case '\\' -> '\\';
                    default -> -1;
                };
                if (escaped >= 0) {
                    out.write(escaped);
                    i++;
                    continue;
                }
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length()) {
                out.writeBytes(value.substring(i, i + 2).getBytes(StandardCharsets.UTF_8));
                i++;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }

    private static List<String> parseColumns(String value) {
        List<String> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String part : value.split(",", -1)) {
            String name = part.trim();
            if (name.contains("=")) {
                throw new IllegalArgumentException("header '" + COLUMNS + "' value '" + value
                        + "': column expressions are not supported ('" + name + "')");
            }
            if (name.length() >= 2 && name.startsWith("`") && name.endsWith("`")) {
                name = name.substring(1, name.length() - 1).trim();
            }
            if (name.isEmpty()) {
                throw new IllegalArgumentException("header '" + COLUMNS + "' value '" + value
                        + "' has an empty column name");
            }
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header '" + COLUMNS + "' value '" + value
                        + "' names column '" + name + "' twice");
            }
            out.add(name);
        }
        return out;
    }

    private static double parseRatio(String value) {
        double r;
        try {
            r = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("header '" + MAX_FILTER_RATIO + "' value '" + value
                    + "' is not a number");
        }
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException("header '" + MAX_FILTER_RATIO + "' value '" + value
                    + "' must be between 0 and 1");
        }
        return r;
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Printable form of separator bytes: visible ASCII as is, others as {@code \xHH}. */
    static String show(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            if (b >= 0x21 && b < 0x7F && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b & 0xFF));
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoadOptions x && x.format == format && Arrays.equals(x.columnSeparator, columnSeparator)
                && Arrays.equals(x.lineDelimiter, lineDelimiter) && x.columns.equals(columns)
                && Double.compare(x.maxFilterRatio, maxFilterRatio) == 0 && x.csv.equals(csv) && x.json.equals(json)
                && x.rules.equals(rules);
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, Arrays.hashCode(columnSeparator), Arrays.hashCode(lineDelimiter), columns,
                maxFilterRatio, csv, json, rules);
    }

    @Override
    public String toString() {
        return "LoadOptions[format=" + format + ", columnSeparator=" + show(columnSeparator) + ", lineDelimiter="
                + show(lineDelimiter) + ", columns=" + columns + ", maxFilterRatio=" + maxFilterRatio + ", " + csv + ", "
                + json + ", " + rules + "]";
    }
}
