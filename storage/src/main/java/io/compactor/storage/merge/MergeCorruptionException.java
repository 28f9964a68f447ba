package io.compactor.storage.merge;

/**
 * A merge found its input or output inconsistent: row counts that do not add up (Doris's
 * CHECK_LINES_ERROR), unsorted input, or sources that disagree with the recorded row sources.
 * The compaction must fail and its output be discarded; the input rowsets stay untouched.
 */
public final class MergeCorruptionException extends RuntimeException {

    public MergeCorruptionException(String message) {
        super(message);
    }

    /** Doris's row-count check failure for a tablet, with its exact wording. */
    static MergeCorruptionException rowCountMismatch(long tabletId, long inputRows, long mergedRows,
                                                     long outputRows, String detail) {
        return new MergeCorruptionException("[CHECK_LINES_ERROR] row_num does not match between cumulative input "
                + "and output! input_row_num=" + inputRows + ", merged_row_num=" + mergedRows
                + ", output_row_num=" + outputRows + " (tablet_id=" + tabletId + (detail.isEmpty() ? "" : ", " + detail)
                + ")");
    }
}
