package io.compactor.storage.load;

import io.compactor.storage.schema.Schema;
import java.util.Arrays;

/**
 * CSV with Doris's {@code enclose} (and {@code escape}): a field that starts with the enclose byte
 * runs to the matching enclose byte and may hold column separators and line delimiters; the
 * enclose bytes are not part of the value. Inside it, the escape byte makes the next byte literal,
 * and a doubled enclose byte is one literal enclose byte (as in RFC 4180). Bytes between the
 * closing enclose byte and the next separator are kept. An enclose byte inside an unenclosed field
 * is an ordinary byte. Records are split after the whole body has arrived, since a line delimiter
 * means nothing inside an enclosed field. Otherwise as {@link CsvRowParser}: {@code \N} (not
 * enclosed) is NULL, empty records are skipped, {@code skip_lines} and header lines count records.
 */
final class EnclosedCsvRowParser extends RowParser {
    private final RowAssembler rows;
    private final int[] mapping;
    private final byte[] separator;
    private final byte[] delimiter;
    private final byte enclose;
    private final int escape;
    private final boolean stripCarriageReturn;
    private final int skipLines;
    private final boolean trimDoubleQuotes;
    private final boolean emptyAsNull;
    private final String separatorShown;
    private byte[] body = new byte[1024];
    private int length;
    private byte[] scratch = new byte[256];
    private int scratchLen;

    EnclosedCsvRowParser(Schema schema, LoadOptions options, int[] mapping) {
        this.rows = new RowAssembler(schema, 1024, "line", options.rules());
        this.mapping = mapping;
        this.separator = options.columnSeparator();
        this.delimiter = options.lineDelimiter();
        this.enclose = (byte) options.csv().enclose();
        this.escape = options.csv().escape();
        this.stripCarriageReturn = delimiter.length == 1 && delimiter[0] == '\n';
        this.skipLines = options.csv().linesToSkip();
        this.trimDoubleQuotes = options.csv().trimDoubleQuotes();
        this.emptyAsNull = options.csv().emptyFieldAsNull();
        this.separatorShown = LoadOptions.show(separator);
    }

    @Override
    void doFeed(byte[] chunk, int off, int len) {
        if (length + len > body.length) {
            body = Arrays.copyOf(body, Math.max(body.length * 2, length + len));
        }
        System.arraycopy(chunk, off, body, length, len);
        length += len;
    }

    @Override
    ParsedLoad doFinish(long loadBytes) {
        byte[] b = body;
        int n = length;
        int pos = n >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF ? 3 : 0;
        long record = 0;
        int expected = mapping.length;
        while (pos < n) {
            int start = pos;
            record++;
            boolean skip = record <= skipLines;
            int field = 0;
            boolean begun = false;
            boolean emptyRecord = false;
            int end;
            while (true) {
                boolean enclosed = pos < n && b[pos] == enclose;
                int valueFrom;
                int valueTo;
                byte[] src;
                if (enclosed) {
                    pos = readEnclosed(b, pos + 1, n);
                    src = scratch;
                    valueFrom = 0;
                    valueTo = scratchLen;
                } else {
                    valueFrom = pos;
                    while (pos < n && !matches(b, pos, n, separator) && !matches(b, pos, n, delimiter)) {
                        pos++;
                    }
                    valueTo = pos;
                    src = b;
                    if (stripCarriageReturn && (pos >= n || matches(b, pos, n, delimiter)) && valueTo > valueFrom
                            && b[valueTo - 1] == '\r') {
                        valueTo--;
                    }
                }
                boolean last = !(pos < n && matches(b, pos, n, separator));
                if (field == 0 && last && !enclosed && valueTo == valueFrom) {
                    emptyRecord = true; // an empty line
                } else if (!skip) {
                    if (!begun) {
                        rows.beginRow(record);
                        begun = true;
                    }
                    if (field < expected && !rows.rowFailed()) {
                        set(mapping[field], src, valueFrom, valueTo, enclosed);
                    }
                }
                field++;
                if (!last) {
                    pos += separator.length;
                    continue;
                }
                end = pos;
                if (pos < n) {
                    pos += delimiter.length;
                }
                break;
            }
            if (skip || emptyRecord) {
                continue;
            }
            rows.source(b, start, end);
            if (field != expected) {
                rows.rejectRow(rows.wantsErrorText() ? "actual column number " + field + " is "
                        + (field < expected ? "less" : "more") + " than schema column number " + expected
                        + " (column separator '" + separatorShown + "', enclose '" + (char) enclose + "')" : null);
            } else {
                rows.endRow();
            }
        }
        body = new byte[0];
        return rows.result(loadBytes);
    }

    /** Reads an enclosed field's value into the scratch buffer; returns the position after it. */
    private int readEnclosed(byte[] b, int pos, int n) {
        scratchLen = 0;
        while (pos < n) {
            byte c = b[pos];
            if (escape >= 0 && c == (byte) escape && escape != (enclose & 0xFF) && pos + 1 < n) {
                append(b[pos + 1]);
                pos += 2;
                continue;
            }
            if (c == enclose) {
                if (pos + 1 < n && b[pos + 1] == enclose) {
                    append(enclose);
                    pos += 2;
                    continue;
                }
                pos++;
                break;
            }
            append(c);
            pos++;
        }
        // bytes after the closing enclose byte, up to the separator or the end of the record
        while (pos < n && !matches(b, pos, n, separator) && !matches(b, pos, n, delimiter)) {
            append(b[pos]);
            pos++;
        }
        if (stripCarriageReturn && scratchLen > 0 && scratch[scratchLen - 1] == '\r'
                && (pos >= n || matches(b, pos, n, delimiter))) {
            scratchLen--;
        }
        return pos;
    }

    private void append(byte c) {
        if (scratchLen == scratch.length) {
            scratch = Arrays.copyOf(scratch, scratch.length * 2);
        }
        scratch[scratchLen++] = c;
    }

    private static boolean matches(byte[] b, int at, int n, byte[] what) {
        if (at + what.length > n) {
            return false;
        }
        for (int k = 0; k < what.length; k++) {
            if (b[at + k] != what[k]) {
                return false;
            }
        }
        return true;
    }

    private void set(int col, byte[] b, int from, int to, boolean enclosed) {
        if (trimDoubleQuotes && to - from >= 2 && b[from] == '"' && b[to - 1] == '"') {
            from++;
            to--;
        }
        if (!enclosed && to - from == 2 && b[from] == '\\' && b[from + 1] == 'N' || emptyAsNull && from == to) {
            rows.setNull(col);
        } else {
            rows.setText(col, b, from, to);
        }
    }
}
