package io.compactor.storage.merge;

/**
 * Settings of one merge.
 *
 * @param tabletId          the tablet being compacted, named in every error
 * @param expectedInputRows rows the input rowsets' metadata promise, checked against the rows
 *                          really read; -1 when unknown (then the rows read are the input)
 * @param rowIdConversion   where to record the input-to-output row-id map, or {@code null}
 * @param batchRows         rows per output batch that a vertical merge assembles (default 4096)
 * @param dropDeleted       UNIQUE_KEYS with a delete sign: the newest row of a key that carries the
 *                          delete sign is dropped (counted as filtered), as Doris's base and full
 *                          compactions drop deleted keys; false keeps it (cumulative compaction,
 *                          whose output must still hide older rows of the key)
 */
public record MergeOptions(long tabletId, long expectedInputRows, RowIdConversion rowIdConversion, int batchRows,
                           boolean dropDeleted) {

    public MergeOptions(long tabletId, long expectedInputRows, RowIdConversion rowIdConversion, int batchRows) {
        this(tabletId, expectedInputRows, rowIdConversion, batchRows, false);
    }

    /** Default rows per assembled output batch. */
    public static final int DEFAULT_BATCH_ROWS = 4096;

    public MergeOptions {
        if (expectedInputRows < -1) {
            throw new IllegalArgumentException("expectedInputRows must be -1 (unknown) or >= 0, got "
                    + expectedInputRows);
        }
        if (batchRows < 1) {
            throw new IllegalArgumentException("batchRows must be >= 1, got " + batchRows);
        }
    }

    /** Options for a tablet: no expected row count, no row-id conversion, default batch size. */
    public static MergeOptions forTablet(long tabletId) {
        return new MergeOptions(tabletId, -1, null, DEFAULT_BATCH_ROWS);
    }

    public MergeOptions withExpectedInputRows(long rows) {
        return new MergeOptions(tabletId, rows, rowIdConversion, batchRows, dropDeleted);
    }

    public MergeOptions withRowIdConversion(RowIdConversion conversion) {
        return new MergeOptions(tabletId, expectedInputRows, conversion, batchRows, dropDeleted);
    }

    public MergeOptions withBatchRows(int rows) {
        return new MergeOptions(tabletId, expectedInputRows, rowIdConversion, rows, dropDeleted);
    }

    public MergeOptions withDropDeleted(boolean drop) {
        return new MergeOptions(tabletId, expectedInputRows, rowIdConversion, batchRows, drop);
    }
}
