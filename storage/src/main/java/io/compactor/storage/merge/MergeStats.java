package io.compactor.storage.merge;

import java.util.Arrays;

/**
 * What a merge did, for the compaction profile and the row-count check.
 *
 * @param inputRows       rows read from all sources
 * @param outputRows      rows the sink reports written
 * @param mergedRows      older duplicates collapsed away (UNIQUE_KEYS); 0 for DUPLICATE_KEYS
 * @param perSourceRows   rows read from each source, indexed like the source list
 * @param peakMemoryBytes estimate of the most memory the merge held at once: chunks of every
 *                        source, output assembly and the in-memory part of the row sources
 * @param vertical        whether the merge ran by column groups
 * @param rowSourcesSpilled whether a vertical merge spilled its row sources to a temp file
 * @param filteredRows    newest rows of deleted keys dropped ({@link MergeOptions#dropDeleted})
 */
public record MergeStats(long inputRows, long outputRows, long mergedRows, long[] perSourceRows,
                         long peakMemoryBytes, boolean vertical, boolean rowSourcesSpilled, long filteredRows) {

    public MergeStats(long inputRows, long outputRows, long mergedRows, long[] perSourceRows, long peakMemoryBytes,
                      boolean vertical, boolean rowSourcesSpilled) {
        this(inputRows, outputRows, mergedRows, perSourceRows, peakMemoryBytes, vertical, rowSourcesSpilled, 0);
    }

    public MergeStats {
        perSourceRows = perSourceRows.clone();
    }

    @Override
    public long[] perSourceRows() {
        return perSourceRows.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MergeStats s && s.inputRows == inputRows && s.outputRows == outputRows
                && s.mergedRows == mergedRows && Arrays.equals(s.perSourceRows, perSourceRows)
                && s.peakMemoryBytes == peakMemoryBytes && s.vertical == vertical
                && s.rowSourcesSpilled == rowSourcesSpilled && s.filteredRows == filteredRows;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(inputRows) * 31 + Arrays.hashCode(perSourceRows);
    }

    @Override
    public String toString() {
        return "MergeStats{input_rows=" + inputRows + ", output_rows=" + outputRows + ", merged_rows=" + mergedRows
                + ", filtered_rows=" + filteredRows + ", sources=" + perSourceRows.length + ", is_vertical=" + vertical
                + ", peak_memory_bytes=" + peakMemoryBytes + ", row_sources_spilled=" + rowSourcesSpilled + "}";
    }
}
