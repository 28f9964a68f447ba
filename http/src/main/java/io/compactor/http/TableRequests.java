package io.compactor.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.CreateTableSpec;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Parses and validates the JSON bodies of the table endpoints; errors name the offending field. */
final class TableRequests {
    private TableRequests() {
    }

    static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw new IllegalArgumentException("request body is empty: expected a JSON object");
        }
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("request body must be a JSON object");
            }
            return n;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("request body can not be read: " + e.getMessage());
        }
    }

    static CreateTableSpec createSpec(String db, String table, byte[] body) {
        JsonNode n = parseObject(body);
        String keysText = text(n, "keys_type", "DUPLICATE_KEYS");
        KeysType keys;
        try {
            keys = KeysType.valueOf(keysText.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("keys_type must be UNIQUE_KEYS or DUPLICATE_KEYS (got '" + keysText + "')");
        }
        JsonNode cols = n.get("columns");
        if (cols == null || !cols.isArray() || cols.isEmpty()) {
            throw new IllegalArgumentException("columns must be a non-empty array of {\"name\",\"type\"}");
        }
        if (cols.size() > 4096) {
            throw new IllegalArgumentException("too many columns: " + cols.size() + " (at most 4096)");
        }
        List<Column> columns = new ArrayList<>();
        for (int i = 0; i < cols.size(); i++) {
            JsonNode c = cols.get(i);
            if (!c.isObject()) {
                throw new IllegalArgumentException("columns[" + i + "] must be an object");
            }
            String name = text(c, "name", null);
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
                throw new IllegalArgumentException("columns[" + i + "].name '" + name
                        + "' is invalid: letters, digits and '_' only, at most 64");
            }
            String type = text(c, "type", null);
            if (type == null) {
                throw new IllegalArgumentException("columns[" + i + "].type is missing");
            }
            ColumnType t = ColumnType.parse(type);
            int length = t == ColumnType.VARCHAR ? ColumnType.parseLength(type, Column.DEFAULT_VARCHAR_LENGTH) : 0;
            JsonNode nullable = c.get("nullable");
            if (nullable != null && !nullable.isBoolean()) {
                throw new IllegalArgumentException("columns[" + i + "].nullable must be true or false");
            }
            columns.add(new Column(name, t, nullable == null || nullable.asBoolean(), length));
        }
        JsonNode keyCols = n.get("key_columns");
        List<String> keyNames = new ArrayList<>();
        if (keyCols == null) {
            keyNames.add(columns.get(0).name());
        } else {
            if (!keyCols.isArray() || keyCols.isEmpty()) {
                throw new IllegalArgumentException("key_columns must be a non-empty array of column names");
            }
            for (JsonNode k : keyCols) {
                if (!k.isTextual()) {
                    throw new IllegalArgumentException("key_columns must hold column names (strings)");
                }
                keyNames.add(k.asText());
            }
        }
        Schema schema = Schema.of(columns, keyNames, keys);
        int buckets = intField(n, "buckets", 1);
        int replication = intField(n, "replication_num", 1);
        return new CreateTableSpec(db, table, schema, buckets, replication, properties(n.get("properties")));
    }

    static Map<String, String> properties(JsonNode p) {
        Map<String, String> props = new LinkedHashMap<>();
        if (p == null || p.isNull()) {
            return props;
        }
        if (!p.isObject()) {
            throw new IllegalArgumentException("properties must be an object of string values");
        }
        Iterator<Map.Entry<String, JsonNode>> it = p.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!e.getValue().isValueNode()) {
                throw new IllegalArgumentException("property '" + e.getKey() + "' must be a string");
            }
            props.put(e.getKey(), e.getValue().asText());
        }
        return props;
    }

    private static String text(JsonNode n, String field, String dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.asText();
    }

    private static int intField(JsonNode n, String field, int dflt) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (v.isTextual()) {
            try {
                return Integer.parseInt(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(field + " must be an integer (got '" + v.asText() + "')");
            }
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(field + " must be an integer (got " + v + ")");
        }
        return v.asInt();
    }
}
