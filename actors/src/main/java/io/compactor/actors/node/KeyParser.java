package io.compactor.actors.node;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.schema.ValueFormat;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Builds a one-row batch holding a key given as text values (the {@code _get} endpoint). */
final class KeyParser {
    private KeyParser() {
    }

    static RowBatch parse(Schema schema, Map<String, String> values) {
        RowBatch row = new RowBatch(schema, 1);
        int r = row.addRow();
        for (int c = 0; c < schema.keyCount(); c++) {
            Column col = schema.column(c);
            String text = values.get(col.name());
            if (text == null) {
                throw new IllegalArgumentException("key column '" + col.name() + "' is missing: give ?"
                        + col.name() + "=<value>");
            }
            try {
                switch (col.type()) {
                    case INT -> row.setLong(r, c, Integer.parseInt(text.trim()));
                    case BIGINT -> row.setLong(r, c, Long.parseLong(text.trim()));
                    case DOUBLE -> row.setDouble(r, c, Double.parseDouble(text.trim()));
                    case VARCHAR -> row.setBytes(r, c, text.getBytes(StandardCharsets.UTF_8));
                    case DATE -> row.setLong(r, c, ValueFormat.parseDate(text.trim()));
                    case DATETIME -> row.setLong(r, c, ValueFormat.parseDateTime(text.trim()));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("key column '" + col.name() + "' value '" + text
                        + "' is not a valid " + col.typeString());
            }
        }
        for (int c = schema.keyCount(); c < schema.columnCount(); c++) {
            if (schema.column(c).nullable()) {
                row.setNull(r, c);
            } else {
                switch (schema.column(c).type().physical()) {
                    case BYTES -> row.setBytes(r, c, new byte[0]);
                    default -> { }
                }
            }
        }
        return row;
    }
}
