package io.compactor.storage.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Doris's hidden columns, added when a table is created: every unique-key table gets the delete
 * sign {@code __DORIS_DELETE_SIGN__} (what {@code merge_type: DELETE} sets), and the table
 * property {@code function_column.sequence_type} adds the sequence column
 * {@code __DORIS_SEQUENCE_COL__} of that type. Hidden columns come after the declared ones and are
 * not shown by reads.
 */
public final class HiddenColumns {
    /** The table property that gives a unique-key table a sequence column of this type. */
    public static final String SEQUENCE_TYPE = "function_column.sequence_type";
    /** Doris's property that maps the sequence to a declared column. */
    public static final String SEQUENCE_COL = "function_column.sequence_col";

    private HiddenColumns() {
    }

    /**
     * The schema a new table gets: the declared one plus its hidden columns.
     *
     * @throws IllegalArgumentException with Doris's message for a sequence type on a duplicate-key
     *                                  table or of a type that can not be a sequence
     */
    public static Schema add(Schema declared, Map<String, String> properties) {
        for (Column c : declared.columns()) {
            if (Schema.isHidden(c.name())) {
                throw new IllegalArgumentException("column name '" + c.name() + "' is reserved: names starting with "
                        + Schema.HIDDEN_PREFIX + " are Doris's hidden columns");
            }
        }
        String sequenceType = null;
        for (var e : properties.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.equals(SEQUENCE_COL)) {
                throw new IllegalArgumentException("property " + SEQUENCE_COL + " is not supported: give the table "
                        + SEQUENCE_TYPE + " and each load the function_column.sequence_col header");
            }
            if (key.equals(SEQUENCE_TYPE)) {
                sequenceType = e.getValue();
            }
        }
        if (!declared.isUniqueKeys()) {
            if (sequenceType != null) {
                throw new IllegalArgumentException("sequence column only support UNIQUE_KEYS");
            }
            return declared;
        }
        List<Column> columns = new ArrayList<>(declared.columns());
        if (sequenceType != null) {
            ColumnType t;
            try {
                t = ColumnType.parse(sequenceType);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sequence type only support integer types and date types: "
                        + sequenceType);
            }
            if (t.physical() != ColumnType.Physical.LONG) {
                throw new IllegalArgumentException("sequence type only support integer types and date types: "
                        + sequenceType);
            }
            columns.add(new Column(Schema.SEQUENCE_COL, t, true, 0));
        }
        columns.add(new Column(Schema.DELETE_SIGN, ColumnType.INT, false, 0));
        return new Schema(columns, declared.keyCount(), declared.keysType());
    }

    /** The rows without their hidden columns (the batch itself when the schema has none). */
    public static RowBatch visible(RowBatch rows) {
        Schema schema = rows.schema();
        int n = schema.visibleColumnCount();
        if (n == schema.columnCount()) {
            return rows;
        }
        Schema shown = new Schema(schema.columns().subList(0, n), schema.keyCount(), schema.keysType());
        RowBatch out = new RowBatch(shown, Math.max(1, rows.size()));
        for (int r = 0; r < rows.size(); r++) {
            int row = out.addRow();
            for (int c = 0; c < n; c++) {
                if (rows.isNull(r, c)) {
                    out.setNull(row, c);
                    continue;
                }
                switch (schema.column(c).type().physical()) {
                    case LONG -> out.setLong(row, c, rows.getLong(r, c));
                    case DOUBLE -> out.setDouble(row, c, rows.getDouble(r, c));
                    case BYTES -> out.setBytes(row, c, rows.getBytes(r, c));
                }
            }
        }
        return out;
    }

    /** The properties without the ones {@link #add} turned into columns. */
    public static Map<String, String> tableProperties(Map<String, String> properties) {
        Map<String, String> out = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (!k.equalsIgnoreCase(SEQUENCE_TYPE)) {
                out.put(k, v);
            }
        });
        return out;
    }
}
