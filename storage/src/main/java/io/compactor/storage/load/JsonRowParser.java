package io.compactor.storage.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * JSON stream-load parsing. The first non-blank byte decides the layout:
 * <ul>
 *   <li>{@code [}: one array of objects. Like Doris (which caps such bodies with
 *       {@code streaming_load_json_max_mb}), the body is held until {@link #finish}; an array
 *       that does not parse fails the whole load.</li>
 *   <li>otherwise: one object per line (Doris's {@code read_json_by_line}; lines end with the
 *       {@code line_delimiter}, default {@code \n}); a line that does not
 *       parse, or is not an object, is a filtered row. Blank lines are skipped.</li>
 * </ul>
 * Keys are column names, case-insensitive; unknown keys are ignored; a missing key is NULL, or
 * filters the row for a NOT NULL column. Numeric columns take JSON numbers or strings; VARCHAR
 * takes strings, numbers and booleans (as their text); nested objects and arrays are refused.
 */
final class JsonRowParser extends RowParser implements JsonLineHandler {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private enum Layout { UNKNOWN, LINES, ARRAY }

    private final Schema schema;
    private final ColumnType[] types;
    private final Map<String, Integer> columnIndex = new HashMap<>();
    private final LineSplitter lines;
    private RowAssembler rows;
    private Layout layout = Layout.UNKNOWN;
    private byte[] buffer = new byte[1024];
    private int bufferLen;
    private final LoadRules rules;
    private final boolean numAsString;

    JsonRowParser(Schema schema, byte[] lineDelimiter, int[] mapping) {
        this(schema, new LoadOptions(LoadFormat.JSON, new byte[]{'\t'}, lineDelimiter, java.util.List.of(), 0), mapping);
    }

    JsonRowParser(Schema schema, LoadOptions options, int[] mapping) {
        this.schema = schema;
        this.rules = options.rules();
        this.numAsString = options.json().numAsString();
        this.lines = new LineSplitter(options.lineDelimiter(), this);
        this.types = new ColumnType[schema.columnCount()];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
        }
        for (int col : mapping) {
            String name = schema.column(col).name();
            columnIndex.put(name, col);
            columnIndex.put(name.toLowerCase(Locale.ROOT), col);
        }
    }

    @Override
    void doFeed(byte[] chunk, int off, int len) {
        switch (layout) {
            case LINES -> lines.feed(chunk, off, len);
            case ARRAY -> append(chunk, off, len);
            case UNKNOWN -> {
                int from = bufferLen;
                append(chunk, off, len);
                detectLayout(from);
            }
        }
    }

    private void detectLayout(int from) {
        for (int i = from; i < bufferLen; i++) {
            byte c = buffer[i];
            boolean bom = i < 3 && (c == (byte) 0xEF || c == (byte) 0xBB || c == (byte) 0xBF);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || bom) {
                continue;
            }
            if (c == '[') {
                layout = Layout.ARRAY;
                rows = new RowAssembler(schema, 1024, "row", rules);
            } else {
                layout = Layout.LINES;
                rows = new RowAssembler(schema, 1024, "line", rules);
                int n = bufferLen;
                bufferLen = 0;
                lines.feed(buffer, 0, n);
                buffer = new byte[0];
            }
            return;
        }
    }

    @Override
    ParsedLoad doFinish(long loadBytes) {
        switch (layout) {
            case UNKNOWN -> rows = new RowAssembler(schema, 16, "line", rules);
            case LINES -> lines.finish();
            case ARRAY -> parseArray();
        }
        return rows.result(loadBytes);
    }

    @Override
    public void onJsonLine(byte[] b, int from, int to, long lineNo) {
        rows.beginRow(lineNo, b, from, to);
        try (JsonParser p = FACTORY.createParser(b, from, to - from)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                rows.rejectRow("line is not a JSON object");
                return;
            }
            readObject(p);
            if (p.nextToken() != null) {
                rows.rejectRow("unexpected content after the JSON object");
                return;
            }
            rows.endRow();
        } catch (JsonProcessingException e) {
            rows.rejectRow(rows.wantsErrorText() ? "malformed JSON: " + e.getOriginalMessage() : null);
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory failed", e);
        }
    }

    private void parseArray() {
        try (JsonParser p = FACTORY.createParser(buffer, 0, bufferLen)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw malformed("expected a JSON array", p.currentLocation(), null);
            }
            long index = 0;
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                if (t == null) {
                    throw malformed("unexpected end of input inside the array", p.currentLocation(), null);
                }
                rows.beginRow(++index);
                if (t != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    rows.rejectRow("array element is not a JSON object");
                    continue;
                }
                readObject(p);
                rows.endRow();
            }
            if (p.nextToken() != null) {
                throw malformed("unexpected content after the JSON array", p.currentLocation(), null);
            }
        } catch (JsonProcessingException e) {
            throw malformed(e.getOriginalMessage(), e.getLocation(), e);
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory failed", e);
        } finally {
            buffer = new byte[0];
            bufferLen = 0;
        }
    }

    private static IllegalArgumentException malformed(String what, JsonLocation loc, Exception cause) {
        String where = loc == null ? "" : " at line " + loc.getLineNr() + " column " + loc.getColumnNr();
        return new IllegalArgumentException("malformed JSON body: " + what + where, cause);
    }

    /** Reads the fields of an object whose START_OBJECT was just read, up to its END_OBJECT. */
    private void readObject(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            Integer col = columnIndex.get(name);
            if (col == null) {
                col = columnIndex.get(name.toLowerCase(Locale.ROOT));
            }
            if (col == null || rows.rowFailed()) {
                p.skipChildren();
                continue;
            }
            setValue(col, value, p);
        }
    }

    private void setValue(int col, JsonToken value, JsonParser p) throws IOException {
        ColumnType type = types[col];
        switch (value) {
            case VALUE_NULL -> rows.setNull(col);
            case VALUE_STRING -> setText(col, p.getText());
            case VALUE_NUMBER_INT -> {
                if (type == ColumnType.VARCHAR || numAsString) {
                    setText(col, p.getText());
                } else if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    rows.rejectValue(col, p.getText(), "is out of range for " + type);
                } else {
                    rows.setLong(col, p.getLongValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> {
                if (type == ColumnType.VARCHAR || numAsString) {
                    setText(col, p.getText());
                } else {
                    rows.setDouble(col, p.getDoubleValue(), p.getText());
                }
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                if (type == ColumnType.VARCHAR) {
                    setText(col, p.getText());
                } else {
                    rows.rejectValue(col, p.getText(), "is not a valid " + type);
                }
            }
            case START_OBJECT, START_ARRAY -> {
                p.skipChildren();
                rows.rejectValue(col, value == JsonToken.START_OBJECT ? "{...}" : "[...]", "is not a valid " + type);
            }
            default -> throw new IllegalStateException("unexpected JSON token " + value);
        }
    }

    private void setText(int col, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        rows.setText(col, utf8, 0, utf8.length);
    }


    private void append(byte[] b, int off, int len) {
        if (bufferLen + len > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, bufferLen + len));
        }
        System.arraycopy(b, off, buffer, bufferLen, len);
        bufferLen += len;
    }
}
