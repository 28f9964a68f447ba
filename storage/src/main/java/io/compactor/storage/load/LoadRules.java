package io.compactor.storage.load;

import java.util.List;
import java.util.Objects;

/**
 * What happens to the rows of a load once parsed, from Doris's stream-load headers.
 *
 * @param strictMode         {@code strict_mode} (default false): false turns a value that fails
 *                           conversion into NULL when its column is nullable; true filters the row
 * @param where              {@code where}: rows it does not select are counted as unselected and not
 *                           loaded; null selects every row
 * @param mergeType          {@code merge_type} (default APPEND)
 * @param deleteOn           {@code delete}: with MERGE, rows it selects delete their keys
 * @param sequenceSource     {@code function_column.sequence_col}: the column whose value is the row's
 *                           sequence value, or null
 * @param partialColumns     {@code partial_columns} / {@code unique_key_update_mode:
 *                           UPDATE_FIXED_COLUMNS}: columns the load does not give keep their current
 *                           values
 * @param newKeyError        {@code partial_update_new_key_behavior: ERROR}: a partial update of a key
 *                           that does not exist fails the load (default APPEND: the row is inserted)
 * @param hiddenColumns      {@code hidden_columns}: hidden columns that follow the table's columns in
 *                           each input row when {@code columns} is absent
 */
public record LoadRules(boolean strictMode, LoadExpr where, MergeType mergeType, LoadExpr deleteOn,
                        String sequenceSource, boolean partialColumns, boolean newKeyError,
                        List<String> hiddenColumns) {

    public static final LoadRules DEFAULTS = new LoadRules(false, null, MergeType.APPEND, null, null, false, false,
            List.of());

    public LoadRules {
        Objects.requireNonNull(mergeType, "mergeType");
        hiddenColumns = List.copyOf(hiddenColumns);
        if (mergeType == MergeType.MERGE && deleteOn == null) {
            throw new IllegalArgumentException("Excepted DELETE ON clause when merge type is MERGE.");
        }
        if (mergeType != MergeType.MERGE && deleteOn != null) {
            throw new IllegalArgumentException("Not support DELETE ON clause when merge type is not MERGE.");
        }
    }
}
