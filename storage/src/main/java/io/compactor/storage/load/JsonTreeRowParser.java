package io.compactor.storage.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON stream load with Doris's layout headers, reading each document as a tree:
 * <ul>
 *   <li>{@code read_json_by_line: true}: each line is a document; otherwise the body is one
 *       document ({@code read_json_by_line: false} or only {@code strip_outer_array} given);</li>
 *   <li>{@code json_root}: the rows are under this path of each document;</li>
 *   <li>{@code strip_outer_array: true}: that node is an array whose elements are the rows;
 *       otherwise it is one row, and an array is refused with Doris's message;</li>
 *   <li>{@code jsonpaths}: the i-th path of a row object feeds the i-th input column; without it
 *       fields feed the columns of the same name (case-insensitive).</li>
 * </ul>
 * A document that does not parse is a filtered row when documents are lines, and fails the load
 * when the body is one document. Values convert as in {@link JsonRowParser}.
 */
final class JsonTreeRowParser extends RowParser implements JsonLineHandler {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RowAssembler rows;
    private final int[] mapping;
    private final ColumnType[] types;
    private final Map<String, Integer> byName = new HashMap<>();
    private final JsonOptions json;
    private final boolean byLine;
    private final boolean strip;
    private final LineSplitter lines;
    private byte[] buffer = new byte[1024];
    private int bufferLen;
    private long rowNo;

    JsonTreeRowParser(Schema schema, LoadOptions options, int[] mapping) {
        this.json = options.json();
        this.mapping = mapping;
        this.strip = Boolean.TRUE.equals(json.stripOuterArray());
        this.byLine = json.readJsonByLine() != null ? json.readJsonByLine() : json.stripOuterArray() == null;
        if (json.jsonPaths().size() > mapping.length) {
            throw new IllegalArgumentException("header 'jsonpaths' has " + json.jsonPaths().size()
                    + " paths but the load has " + mapping.length + " columns");
        }
        this.rows = new RowAssembler(schema, 1024, byLine ? "line" : "row", options.rules());
        this.types = new ColumnType[schema.columnCount()];
        for (int c = 0; c < types.length; c++) {
            types[c] = schema.column(c).type();
        }
        for (int col : mapping) {
            byName.put(schema.column(col).name().toLowerCase(Locale.ROOT), col);
        }
        this.lines = new LineSplitter(options.lineDelimiter(), this);
    }

    @Override
    void doFeed(byte[] chunk, int off, int len) {
        if (byLine) {
            lines.feed(chunk, off, len);
            return;
        }
        if (bufferLen + len > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, bufferLen + len));
        }
        System.arraycopy(chunk, off, buffer, bufferLen, len);
        bufferLen += len;
    }

    @Override
    ParsedLoad doFinish(long loadBytes) {
        if (byLine) {
            lines.finish();
        } else {
            int from = bufferLen >= 3 && buffer[0] == (byte) 0xEF && buffer[1] == (byte) 0xBB
                    && buffer[2] == (byte) 0xBF ? 3 : 0;
            JsonNode doc;
            try {
                doc = MAPPER.readTree(buffer, from, bufferLen - from);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("malformed JSON body: " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new IllegalStateException("reading JSON from memory failed", e);
            }
            if (doc != null && !doc.isMissingNode()) {
                document(doc, 1, buffer, from, bufferLen);
            }
            buffer = new byte[0];
        }
        return rows.result(loadBytes);
    }

    @Override
    public void onJsonLine(byte[] b, int from, int to, long lineNo) {
        JsonNode doc;
        try {
            doc = MAPPER.readTree(b, from, to - from);
        } catch (JsonProcessingException e) {
            rows.beginRow(lineNo, b, from, to);
            rows.rejectRow(rows.wantsErrorText() ? "malformed JSON: " + e.getOriginalMessage() : null);
            return;
        } catch (IOException e) {
            throw new IllegalStateException("reading JSON from memory failed", e);
        }
        document(doc, lineNo, b, from, to);
    }

    private void document(JsonNode doc, long position, byte[] src, int from, int to) {
        JsonNode node = json.jsonRoot() == null ? doc : json.jsonRoot().find(doc);
        if (node == null || node.isMissingNode()) {
            reject(position, src, from, to, "JSON Root not found");
            return;
        }
        if (strip) {
            if (!node.isArray()) {
                reject(position, src, from, to, "JSON data is not an array-object, strip_outer_array must be FALSE.");
                return;
            }
            for (JsonNode element : node) {
                row(element, byLine ? position : ++rowNo, src, from, to);
            }
            return;
        }
        if (node.isArray()) {
            reject(position, src, from, to, "JSON data is array-object, `strip_outer_array` must be TRUE.");
            return;
        }
        row(node, byLine ? position : ++rowNo, src, from, to);
    }

    private void reject(long position, byte[] src, int from, int to, String why) {
        rows.beginRow(position, src, from, Math.min(to, from + 1024));
        rows.rejectRow(why);
    }

    private void row(JsonNode object, long position, byte[] src, int from, int to) {
        if (byLine) {
            rows.beginRow(position, src, from, to);
        } else {
            byte[] text = object.toString().getBytes(StandardCharsets.UTF_8);
            rows.beginRow(position, text, 0, text.length);
        }
        if (!object.isObject()) {
            rows.rejectRow("not a JSON object");
            return;
        }
        List<JsonPath> paths = json.jsonPaths();
        if (!paths.isEmpty()) {
            for (int i = 0; i < paths.size() && !rows.rowFailed(); i++) {
                JsonNode v = paths.get(i).find(object);
                if (v != null) {
                    set(mapping[i], v);
                }
            }
        } else {
            var fields = object.fields();
            while (fields.hasNext() && !rows.rowFailed()) {
                var f = fields.next();
                Integer col = byName.get(f.getKey().toLowerCase(Locale.ROOT));
                if (col != null) {
                    set(col, f.getValue());
                }
            }
        }
        rows.endRow();
    }

    private void set(int col, JsonNode v) {
        ColumnType type = types[col];
        if (v.isNull()) {
            rows.setNull(col);
        } else if (v.isTextual()) {
            text(col, v.asText());
        } else if (v.isNumber()) {
            if (type == ColumnType.VARCHAR || json.numAsString()) {
                text(col, v.asText());
            } else if (v.isBigInteger()) {
                rows.rejectValue(col, v.asText(), "is out of range for " + type);
            } else if (v.isIntegralNumber()) {
                rows.setLong(col, v.asLong());
            } else {
                rows.setDouble(col, v.asDouble(), v.asText());
            }
        } else if (v.isBoolean() && type == ColumnType.VARCHAR) {
            text(col, v.asText());
        } else {
            rows.rejectValue(col, v.isContainerNode() ? (v.isObject() ? "{...}" : "[...]") : v.asText(),
                    "is not a valid " + type);
        }
    }

    private void text(int col, String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        rows.setText(col, utf8, 0, utf8.length);
    }

}
