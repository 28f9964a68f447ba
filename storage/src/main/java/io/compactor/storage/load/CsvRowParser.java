package io.compactor.storage.load;

import io.compactor.storage.schema.Schema;

/**
 * CSV stream-load parsing on bytes. Each line is one row; empty lines are skipped (as Doris
 * does) and a UTF-8 byte-order mark at the very start is ignored. Fields are split by the column
 * separator (one or more bytes); {@code \N} is NULL and an empty field is an empty VARCHAR (and
 * invalid for other types). A line must have exactly as many fields as there are mapped columns.
 * With the default {@code \n} line delimiter a trailing {@code \r} is dropped, so CRLF works.
 */
final class CsvRowParser extends RowParser implements LineSplitter.LineHandler {
    private final RowAssembler rows;
    private final LineSplitter lines;
    private final int[] mapping;
    private final byte[] separator;
    private final boolean stripCarriageReturn;
    private final String separatorShown;
    private final boolean continuation;
    private final int skipLines;
    private final boolean trimDoubleQuotes;
    private final boolean emptyAsNull;
    private long lineOffset;

    CsvRowParser(Schema schema, LoadOptions options, int[] mapping) {
        this(schema, options, mapping, false);
    }

    /**
     * @param continuation the body part this parser sees does not start the body: its first line
     *                     is not checked for a byte-order mark
     */
    CsvRowParser(Schema schema, LoadOptions options, int[] mapping, boolean continuation) {
        this.continuation = continuation;
        this.rows = new RowAssembler(schema, 1024, "line", options.rules());
        this.skipLines = continuation ? 0 : options.csv().linesToSkip();
        this.trimDoubleQuotes = options.csv().trimDoubleQuotes();
        this.emptyAsNull = options.csv().emptyFieldAsNull();
        this.mapping = mapping;
        this.separator = options.columnSeparator();
        byte[] delimiter = options.lineDelimiter();
        this.stripCarriageReturn = delimiter.length == 1 && delimiter[0] == '\n';
        this.separatorShown = LoadOptions.show(separator);
        this.lines = new LineSplitter(delimiter, this);
    }

    @Override
    void doFeed(byte[] chunk, int off, int len) {
        lines.feed(chunk, off, len);
    }

    @Override
    ParsedLoad doFinish(long loadBytes) {
        lines.finish();
        return rows.result(loadBytes, lineOffset);
    }

    /** Lines seen so far (the delimiters, plus a last line without one once finished). */
    long lines() {
        return lines.lines();
    }

    /** Lines of the body before the part this parser sees; added to the line numbers of errors. */
    void lineOffset(long offset) {
        this.lineOffset = offset;
    }

    @Override
    public void onLine(byte[] b, int from, int to, long lineNo) {
        if (lineNo == 1 && !continuation && to - from >= 3 && b[from] == (byte) 0xEF && b[from + 1] == (byte) 0xBB
                && b[from + 2] == (byte) 0xBF) {
            from += 3;
        }
        if (stripCarriageReturn && to > from && b[to - 1] == '\r') {
            to--;
        }
        if (lineNo <= skipLines || from == to) {
            return;
        }
        rows.beginRow(lineNo, b, from, to);
        int expected = mapping.length;
        int fields = separator.length == 1 ? splitSingle(b, from, to, expected) : splitMulti(b, from, to, expected);
        if (fields != expected) {
            rows.rejectRow(rows.wantsErrorText() ? "actual column number " + fields + " is "
                    + (fields < expected ? "less" : "more") + " than schema column number " + expected
                    + " (column separator '" + separatorShown + "')" : null);
        } else {
            rows.endRow();
        }
    }

    /** Splits on a one-byte separator, setting the mapped columns; returns the field count. */
    private int splitSingle(byte[] b, int from, int to, int expected) {
        byte sep = separator[0];
        int field = 0;
        int start = from;
        for (int i = from; i < to; i++) {
            if (b[i] == sep) {
                if (field < expected) {
                    set(field, b, start, i);
                }
                field++;
                start = i + 1;
            }
        }
        if (field < expected) {
            set(field, b, start, to);
        }
        return field + 1;
    }

    private int splitMulti(byte[] b, int from, int to, int expected) {
        byte first = separator[0];
        int n = separator.length;
        int field = 0;
        int start = from;
        int i = from;
        while (i <= to - n) {
            if (b[i] == first && matchesRest(b, i)) {
                if (field < expected) {
                    set(field, b, start, i);
                }
                field++;
                i += n;
                start = i;
            } else {
                i++;
            }
        }
        if (field < expected) {
            set(field, b, start, to);
        }
        return field + 1;
    }

    private boolean matchesRest(byte[] b, int at) {
        for (int k = 1; k < separator.length; k++) {
            if (b[at + k] != separator[k]) {
                return false;
            }
        }
        return true;
    }

    private void set(int field, byte[] b, int from, int to) {
        if (rows.rowFailed()) {
            return;
        }
        int col = mapping[field];
        if (trimDoubleQuotes && to - from >= 2 && b[from] == '"' && b[to - 1] == '"') {
            from++;
            to--;
        }
        if (to - from == 2 && b[from] == '\\' && b[from + 1] == 'N' || emptyAsNull && from == to) {
            rows.setNull(col);
        } else {
            rows.setText(col, b, from, to);
        }
    }
}
