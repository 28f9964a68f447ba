package io.compactor.storage.merge;

import io.compactor.storage.schema.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Doris's column groups for vertical compaction ({@code vertical_split_columns}): group 0 is the
 * key columns; the value columns follow in schema order, {@code numColumnsPerGroup} to a group.
 */
public final class ColumnGroups {
    /** Doris's {@code vertical_compaction_num_columns_per_group}. */
    public static final int DEFAULT_COLUMNS_PER_GROUP = 5;

    private ColumnGroups() {
    }

    /** The groups of a schema, each an ascending array of column indexes. */
    public static List<int[]> split(Schema schema, int numColumnsPerGroup) {
        if (numColumnsPerGroup < 1) {
            throw new IllegalArgumentException("vertical_compaction_num_columns_per_group must be >= 1, got "
                    + numColumnsPerGroup);
        }
        List<int[]> groups = new ArrayList<>();
        groups.add(ColumnCopier.keyColumns(schema));
        int[] all = ColumnCopier.allColumns(schema);
        for (int from = schema.keyCount(); from < all.length; from += numColumnsPerGroup) {
            groups.add(Arrays.copyOfRange(all, from, Math.min(all.length, from + numColumnsPerGroup)));
        }
        return groups;
    }
}
