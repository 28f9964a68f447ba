package io.compactor.storage.merge;

/**
 * How many rows a compaction puts in one output segment, by Doris's rule for vertical
 * compaction: {@code min(max_segment_size / avg_row_bytes, input_rows + 1)} with
 * {@code avg_row_bytes = input_bytes / (input_rows + 1)}.
 */
public final class OutputSegmentSizer {
    /** Doris's {@code vertical_compaction_max_segment_size}: 1 GiB. */
    public static final long DEFAULT_MAX_SEGMENT_BYTES = 1L << 30;

    private OutputSegmentSizer() {
    }

    /**
     * @param maxSegmentBytes the target segment size (1 GiB, or 2 x goal size for time_series)
     * @param inputBytes      total data size of the input rowsets
     * @param inputRows       total rows of the input rowsets
     * @return rows per output segment, at least 1
     */
    public static long maxRowsPerSegment(long maxSegmentBytes, long inputBytes, long inputRows) {
        if (maxSegmentBytes <= 0) {
            throw new IllegalArgumentException("max segment size must be > 0 bytes, got " + maxSegmentBytes);
        }
        if (inputBytes < 0 || inputRows < 0) {
            throw new IllegalArgumentException("input size must be >= 0, got " + inputBytes + " bytes and "
                    + inputRows + " rows");
        }
        long avgRowBytes = inputBytes / (inputRows + 1);
        long cap = inputRows + 1;
        if (avgRowBytes == 0) {
            return cap;
        }
        return Math.max(1, Math.min(maxSegmentBytes / avgRowBytes, cap));
    }

    /** {@link #maxRowsPerSegment(long, long, long)} with the default 1 GiB segment size. */
    public static long maxRowsPerSegment(long inputBytes, long inputRows) {
        return maxRowsPerSegment(DEFAULT_MAX_SEGMENT_BYTES, inputBytes, inputRows);
    }
}
