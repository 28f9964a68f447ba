package io.compactor.storage.schema;

import java.util.Objects;

/**
 * One column of a table schema.
 *
 * @param name     column name, unique in its schema (case-insensitive)
 * @param type     the value type
 * @param nullable whether NULL is allowed (key columns never are)
 * @param length   maximum length in bytes for VARCHAR; 0 for other types
 */
public record Column(String name, ColumnType type, boolean nullable, int length) {

    /** Default VARCHAR length when none is declared, as Doris's {@code VARCHAR} default (65533). */
    public static final int DEFAULT_VARCHAR_LENGTH = 65533;

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (type != ColumnType.VARCHAR) {
            length = 0;
        } else if (length <= 0) {
            length = DEFAULT_VARCHAR_LENGTH;
        }
    }

    /** The type as users write it, e.g. {@code VARCHAR(16)} or {@code BIGINT}. */
    public String typeString() {
        return type == ColumnType.VARCHAR ? "VARCHAR(" + length + ")" : type.name();
    }
}
