package io.compactor.storage.schema;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A table schema: ordered columns whose first {@link #keyCount()} columns are the key columns,
 * and the keys model. As in Doris, key columns must be an ordered prefix of the columns.
 */
public final class Schema {
    /** Doris's hidden delete-sign column of a unique-key table: 1 deletes the row's key. */
    public static final String DELETE_SIGN = "__DORIS_DELETE_SIGN__";
    /** Doris's hidden sequence column: among rows of one key the larger sequence value wins. */
    public static final String SEQUENCE_COL = "__DORIS_SEQUENCE_COL__";
    /** Names that start so are reserved for hidden columns. */
    public static final String HIDDEN_PREFIX = "__DORIS_";

    private final List<Column> columns;
    private final int keyCount;
    private final KeysType keysType;

    @JsonCreator
    public Schema(@JsonProperty("columns") List<Column> columns, @JsonProperty("keyCount") int keyCount,
                  @JsonProperty("keysType") KeysType keysType) {
        Objects.requireNonNull(columns, "columns");
        Objects.requireNonNull(keysType, "keysType");
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("schema has no columns");
        }
        if (keyCount < 1 || keyCount > columns.size()) {
            throw new IllegalArgumentException("key column count " + keyCount
                    + " must be between 1 and the number of columns (" + columns.size() + ")");
        }
        Set<String> seen = new HashSet<>();
        for (Column c : columns) {
            if (!seen.add(c.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("Duplicate column name '" + c.name() + "'");
            }
        }
        for (int i = 0; i < keyCount; i++) {
            if (columns.get(i).nullable()) {
                throw new IllegalArgumentException("key column '" + columns.get(i).name() + "' can not be nullable");
            }
        }
        this.columns = List.copyOf(columns);
        this.keyCount = keyCount;
        this.keysType = keysType;
        this.deleteSign = indexOf(DELETE_SIGN);
        this.sequence = indexOf(SEQUENCE_COL);
        int visible = 0;
        for (Column c : columns) {
            if (!isHidden(c.name())) {
                visible++;
            }
        }
        this.visibleCount = visible;
    }

    private final int deleteSign;
    private final int sequence;
    private final int visibleCount;

    /** Whether a column name is a hidden column's ({@code __DORIS_...}). */
    public static boolean isHidden(String name) {
        return name.regionMatches(true, 0, HIDDEN_PREFIX, 0, HIDDEN_PREFIX.length());
    }

    /** Index of the delete-sign column, or -1 when the table has none. */
    public int deleteSignIndex() {
        return deleteSign;
    }

    /** Index of the hidden sequence column, or -1 when the table has none. */
    public int sequenceIndex() {
        return sequence;
    }

    /** Columns users see: every column but the hidden ones, which come last. */
    public int visibleColumnCount() {
        return visibleCount;
    }

    /**
     * Builds a schema from user-declared columns and key column names, validating as Doris does:
     * the key columns must be an ordered prefix of the columns.
     */
    public static Schema of(List<Column> columns, List<String> keyColumns, KeysType keysType) {
        if (keyColumns == null || keyColumns.isEmpty()) {
            throw new IllegalArgumentException("key_columns must name at least one column");
        }
        if (keyColumns.size() > columns.size()) {
            throw new IllegalArgumentException("more key columns than columns");
        }
        List<Column> fixed = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            if (i < keyColumns.size()) {
                if (!c.name().equalsIgnoreCase(keyColumns.get(i))) {
                    String wanted = keyColumns.get(i);
                    if (columns.stream().noneMatch(x -> x.name().equalsIgnoreCase(wanted))) {
                        throw new IllegalArgumentException("Key column '" + wanted + "' does not exist");
                    }
                    throw new IllegalArgumentException("Key columns should be a ordered prefix of the schema. "
                            + "KeyColumns[" + i + "] (starts from zero) is " + wanted
                            + ", but corresponding column is " + c.name() + " in the previous columns declaration.");
                }
                fixed.add(new Column(c.name(), c.type(), false, c.length()));
            } else {
                fixed.add(c);
            }
        }
        return new Schema(fixed, keyColumns.size(), keysType);
    }

    @JsonProperty("columns")
    public List<Column> columns() {
        return columns;
    }

    public Column column(int i) {
        return columns.get(i);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public int columnCount() {
        return columns.size();
    }

    @JsonProperty("keyCount")
    public int keyCount() {
        return keyCount;
    }

    @JsonProperty("keysType")
    public KeysType keysType() {
        return keysType;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isUniqueKeys() {
        return keysType == KeysType.UNIQUE_KEYS;
    }

    /** Index of the column with this name (case-insensitive), or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && s.columns.equals(columns) && s.keyCount == keyCount && s.keysType == keysType;
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, keyCount, keysType);
    }

    @Override
    public String toString() {
        return "Schema" + columns + " keys=" + keyCount + " " + keysType;
    }
}
