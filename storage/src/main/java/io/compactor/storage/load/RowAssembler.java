package io.compactor.storage.load;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the rows of a load into a {@link RowBatch}: converts each value to its column's type,
 * fills columns the input did not give with NULL, and filters a row (removing it from the batch)
 * at its first problem, counting it and keeping the first reasons. Format parsers drive it:
 * {@link #beginRow}, then {@code set*} per value, then {@link #endRow} or {@link #rejectRow}.
 */
final class RowAssembler {
    private static final int MAX_SHOWN_VALUE_BYTES = 100;
    /** Rejected rows kept for the error log (Doris's {@code ErrorURL}). */
    static final int MAX_ERROR_LOG_ROWS = RowParser.MAX_ERROR_SAMPLES;

    private final Schema schema;
    private final RowBatch batch;
    private final ColumnType[] types;
    private final boolean[] nullable;
    private final int[] maxLength;
    private final int[] setInRow;
    private final String positionWord;
    private final ValueParser parser = new ValueParser();
    private final List<String> errors = new ArrayList<>();
    private final List<Long> errorPositions = new ArrayList<>();
    private long totalRows;
    private long filteredRows;
    private int stamp;
    private int row = -1;
    private long position;
    private boolean failed;
    private String pendingError;
    private final boolean strict;
    private final boolean partial;
    private final int deleteSign;

    /**
     * @param positionWord how errors name a row's place: "line" or "row"
     */
    RowAssembler(Schema schema, int initialCapacity, String positionWord) {
        this(schema, initialCapacity, positionWord, LoadRules.DEFAULTS);
    }

    /**
     * @param rules {@code strict_mode}: false (Doris's default) turns a value that fails conversion
     *              into NULL in a nullable column; {@code partial_columns}: columns the input does
     *              not give stay unset (NULL) for the tablet to fill from the key's current row
     */
    RowAssembler(Schema schema, int initialCapacity, String positionWord, LoadRules rules) {
        this.strict = rules.strictMode();
        this.partial = rules.partialColumns();
        this.deleteSign = schema.deleteSignIndex();
        this.schema = schema;
        this.batch = new RowBatch(schema, initialCapacity);
        int n = schema.columnCount();
        this.types = new ColumnType[n];
        this.nullable = new boolean[n];
        this.maxLength = new int[n];
        for (int c = 0; c < n; c++) {
            Column col = schema.column(c);
            types[c] = col.type();
            nullable[c] = col.nullable();
            maxLength[c] = col.length();
        }
        this.setInRow = new int[n];
        Arrays.fill(setInRow, -1);
        this.positionWord = positionWord;
    }

    private byte[] source;
    private int sourceFrom;
    private int sourceTo;
    private final List<String> errorLog = new ArrayList<>();

    /** Starts a row whose input text is {@code src[from, to)} (shown in the error log if it is filtered). */
    void beginRow(long rowPosition, byte[] src, int from, int to) {
        beginRow(rowPosition);
        source = src;
        sourceFrom = from;
        sourceTo = to;
    }

    /** The current row's input text, for the error log. */
    void source(byte[] src, int from, int to) {
        source = src;
        sourceFrom = from;
        sourceTo = to;
    }

    void beginRow(long rowPosition) {
        source = null;
        row = batch.addRow();
        position = rowPosition;
        failed = false;
        pendingError = null;
        stamp++;
    }

    /** Whether a value of the current row was already refused (later values need not be parsed). */
    boolean rowFailed() {
        return failed;
    }

    /** Sets a column from its text form; returns false (and marks the row failed) if it does not fit. */
    boolean setText(int col, byte[] b, int from, int to) {
        setInRow[col] = stamp;
        int status;
        switch (types[col]) {
            case BIGINT -> status = parser.parseLong(b, from, to);
            case INT -> status = parser.parseInt(b, from, to);
            case DATE -> status = parser.parseDate(b, from, to);
            case DATETIME -> status = parser.parseDateTime(b, from, to);
            case DOUBLE -> {
                status = parser.parseDouble(b, from, to);
                if (status == ValueParser.OK) {
                    batch.setDouble(row, col, parser.doubleValue);
                    return true;
                }
            }
            case VARCHAR -> {
                return setVarchar(col, b, from, to);
            }
            default -> throw new IllegalStateException("unhandled column type " + types[col]);
        }
        if (status == ValueParser.OK) {
            batch.setLong(row, col, parser.longValue);
            return true;
        }
        if (status == ValueParser.OUT_OF_RANGE) {
            return fail(col, b, from, to, "is out of range for " + types[col]);
        }
        return fail(col, b, from, to, "is not a valid " + types[col]);
    }

    private boolean setVarchar(int col, byte[] b, int from, int to) {
        int len = to - from;
        if (len > maxLength[col]) {
            return failWith("VARCHAR value too long for column '" + schema.column(col).name() + "' (" + len + " > "
                    + maxLength[col] + ")");
        }
        if (!Utf8.isValid(b, from, to)) {
            return failWith("column '" + schema.column(col).name() + "' value is not valid UTF-8");
        }
        batch.setBytes(row, col, Arrays.copyOfRange(b, from, to));
        return true;
    }

    /** Sets an INT/BIGINT/DOUBLE column from a number already parsed (JSON). */
    boolean setLong(int col, long v) {
        setInRow[col] = stamp;
        switch (types[col]) {
            case INT -> {
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    return failValue(col, Long.toString(v), "is out of range for INT");
                }
                batch.setLong(row, col, v);
            }
            case BIGINT -> batch.setLong(row, col, v);
            case DOUBLE -> batch.setDouble(row, col, v);
            default -> {
                return failValue(col, Long.toString(v), "is not a valid " + types[col]);
            }
        }
        return true;
    }

    /** Sets a DOUBLE column from a number already parsed (JSON). */
    boolean setDouble(int col, double v, String text) {
        setInRow[col] = stamp;
        if (types[col] != ColumnType.DOUBLE) {
            return failValue(col, text, "is not a valid " + types[col]);
        }
        if (Double.isInfinite(v) || Double.isNaN(v)) {
            return failValue(col, text, "is out of range for DOUBLE");
        }
        batch.setDouble(row, col, v);
        return true;
    }

    boolean setNull(int col) {
        setInRow[col] = stamp;
        if (!nullable[col]) {
            return failWith("column '" + schema.column(col).name() + "' is not nullable but the value is NULL");
        }
        batch.setNull(row, col);
        return true;
    }

    /** Marks the current row failed with a value-independent reason (e.g. not a JSON object). */
    boolean rejectValue(int col, String text, String problem) {
        setInRow[col] = stamp;
        return failValue(col, text, problem);
    }

    /**
     * Ends the current row: columns without a value become NULL, or the row is filtered if such a
     * column is not nullable. A failed row is removed and counted.
     */
    void endRow() {
        if (!failed) {
            for (int c = 0; c < setInRow.length; c++) {
                if (setInRow[c] != stamp) {
                    if (c == deleteSign) {
                        batch.setLong(row, c, 0);
                        continue;
                    }
                    if (partial && c >= schema.keyCount()) {
                        placeholder(c); // the tablet fills it from the key's current row
                        continue;
                    }
                    if (!nullable[c]) {
                        failWith("column '" + schema.column(c).name() + "' is not nullable and has no value");
                        break;
                    }
                    batch.setNull(row, c);
                }
            }
        }
        totalRows++;
        if (failed) {
            filter(pendingError);
        }
        row = -1;
    }

    private void placeholder(int c) {
        if (nullable[c]) {
            batch.setNull(row, c);
            return;
        }
        switch (types[c].physical()) {
            case LONG -> batch.setLong(row, c, 0);
            case DOUBLE -> batch.setDouble(row, c, 0);
            case BYTES -> batch.setBytes(row, c, new byte[0]);
        }
    }

    /** Filters the current row for a reason that takes precedence over any value error. */
    void rejectRow(String reason) {
        totalRows++;
        filter(reason);
        row = -1;
    }

    /** Whether the reason of a filtered row will be kept; lets callers skip building messages. */
    boolean wantsErrorText() {
        return errors.size() < RowParser.MAX_ERROR_SAMPLES;
    }

    ParsedLoad result(long loadBytes) {
        return result(loadBytes, 0);
    }

    /**
     * The rows and counters; error positions are shifted by {@code positionOffset} (a part of a
     * body parsed on its own counts its lines from 1).
     */
    ParsedLoad result(long loadBytes, long positionOffset) {
        List<String> shown = new ArrayList<>(errors.size());
        for (int i = 0; i < errors.size(); i++) {
            shown.add(errors.get(i) + " at " + positionWord + " " + (errorPositions.get(i) + positionOffset));
        }
        return new ParsedLoad(batch, totalRows, filteredRows, loadBytes, shown, 0, errorLog);
    }

    private void filter(String reason) {
        batch.removeLastRow();
        filteredRows++;
        if (reason != null && wantsErrorText()) {
            errors.add(reason);
            errorPositions.add(position);
            if (errorLog.size() < MAX_ERROR_LOG_ROWS) {
                int n = source == null ? 0 : Math.min(sourceTo - sourceFrom, 1024);
                String text = source == null ? "" : new String(source, sourceFrom, n, StandardCharsets.UTF_8);
                errorLog.add("Reason: " + reason + ". src line [" + text + "]; ");
            }
        }
    }

    private boolean fail(int col, byte[] b, int from, int to, String problem) {
        if (!strict && nullable[col]) {
            batch.setNull(row, col);
            return true;
        }
        if (!failed && wantsErrorText()) {
            int shown = Math.min(to - from, MAX_SHOWN_VALUE_BYTES);
            String text = new String(b, from, shown, StandardCharsets.UTF_8) + (shown < to - from ? "..." : "");
            pendingError = "column '" + schema.column(col).name() + "' value '" + text + "' " + problem;
        }
        failed = true;
        return false;
    }

    private boolean failValue(int col, String text, String problem) {
        if (!strict && nullable[col]) {
            batch.setNull(row, col);
            return true;
        }
        if (!failed && wantsErrorText()) {
            String shown = text.length() > MAX_SHOWN_VALUE_BYTES ? text.substring(0, MAX_SHOWN_VALUE_BYTES) + "..."
                    : text;
            pendingError = "column '" + schema.column(col).name() + "' value '" + shown + "' " + problem;
        }
        failed = true;
        return false;
    }

    private boolean failWith(String reason) {
        if (!failed && wantsErrorText()) {
            pendingError = reason;
        }
        failed = true;
        return false;
    }
}
