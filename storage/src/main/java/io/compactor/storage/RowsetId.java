package io.compactor.storage;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A rowset id, unique on a node. Printed as Doris prints its v2 ids: 48 hex digits starting with
 * "02". The numeric part comes from the meta store's id sequence, so ids never repeat.
 */
public record RowsetId(long value) implements Comparable<RowsetId> {

    @JsonCreator
    public static RowsetId parse(String text) {
        if (text == null || text.length() != 48 || !text.startsWith("02")) {
            throw new IllegalArgumentException("invalid rowset id '" + text + "'");
        }
        return new RowsetId(Long.parseUnsignedLong(text.substring(32), 16));
    }

    @JsonValue
    @Override
    public String toString() {
        return String.format("02%030x%016x", 0, value);
    }

    @Override
    public int compareTo(RowsetId o) {
        return Long.compare(value, o.value);
    }
}
