package io.compactor.storage.load;

import io.compactor.storage.schema.RowBatch;
import java.util.List;
import java.util.Objects;

/**
 * What parsing a stream-load body produced.
 *
 * @param rows         the rows that parsed and fit their columns, in input order
 * @param totalRows    rows read (empty lines are not rows)
 * @param filteredRows rows that did not parse or did not fit; not in {@link #rows}
 * @param loadBytes    bytes of body read
 * @param errorSamples reasons for the first filtered rows (at most {@link RowParser#MAX_ERROR_SAMPLES})
 */
public record ParsedLoad(RowBatch rows, long totalRows, long filteredRows, long loadBytes, List<String> errorSamples,
                         long unselectedRows, List<String> errorLog) {

    /** Rows with no unselected row and no error log. */
    public ParsedLoad(RowBatch rows, long totalRows, long filteredRows, long loadBytes, List<String> errorSamples) {
        this(rows, totalRows, filteredRows, loadBytes, errorSamples, 0, List.of());
    }

    /** Doris's message when a load filters more rows than {@code max_filter_ratio} allows. */
    public static final String TOO_MANY_FILTERED_ROWS = "too many filtered rows";

    public ParsedLoad {
        Objects.requireNonNull(rows, "rows");
        errorSamples = List.copyOf(errorSamples);
        errorLog = List.copyOf(errorLog);
        if (unselectedRows < 0 || filteredRows + unselectedRows > totalRows) {
            throw new IllegalArgumentException("unselected rows " + unselectedRows + " and filtered rows " + filteredRows
                    + " exceed total rows " + totalRows);
        }
        if (filteredRows < 0 || filteredRows > totalRows) {
            throw new IllegalArgumentException("filtered rows " + filteredRows + " must be between 0 and total rows "
                    + totalRows);
        }
    }

    /** Rows that will be loaded: {@code totalRows - filteredRows - unselectedRows}. */
    public long loadedRows() {
        return totalRows - filteredRows - unselectedRows;
    }

    /** The same load after a {@code where} removed rows: {@code rows} holds the selected ones. */
    public ParsedLoad withUnselected(RowBatch selected, long unselected) {
        return new ParsedLoad(selected, totalRows, filteredRows, loadBytes, errorSamples, unselectedRows + unselected,
                errorLog);
    }

    /**
     * Doris's rule: the load fails when {@code filteredRows / (totalRows - unselectedRows) >
     * maxFilterRatio}; a ratio exactly at the limit passes, and a load without filtered rows always
     * passes.
     */
    public boolean exceedsFilterRatio(double maxFilterRatio) {
        return filteredRows > 0 && (double) filteredRows / (totalRows - unselectedRows) > maxFilterRatio;
    }
}
