package io.compactor.storage.merge;

import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.Closeables;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Horizontal k-way merge of sorted sources into one key-ordered output, as Doris's
 * {@code vmerge_rowsets}: every column of every row flows through one merge.
 *
 * <ul>
 *   <li>DUPLICATE_KEYS: every row is kept; equal keys come out oldest source first.</li>
 *   <li>UNIQUE_KEYS: equal keys collapse to the newest row (merge-on-read; delete bitmaps are not
 *       consulted, as in Doris since PR 16799); the older duplicates count as merged rows.</li>
 * </ul>
 * Recency is {@link SourceOrigin#compareRecency}, then position inside a source.
 *
 * <p>Afterwards the row counts are checked (consistency rule 6 of docs/DESIGN.md): input rows must equal rows the
 * sink wrote plus merged rows, and the rows read must equal the expected input when the options
 * give one; otherwise {@link MergeCorruptionException} with Doris's CHECK_LINES_ERROR wording.
 *
 * <p>The caller owns the sources and closes them. A merger is stateless and may be reused.
 */
public final class RowsetMerger {
    private final Schema schema;
    private final MergeOptions options;

    public RowsetMerger(Schema schema, MergeOptions options) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Merges {@code sources} into {@code sink}, recording row ids if the options ask for it. */
    public MergeStats merge(List<? extends SortedRunSource> sources, MergeSink sink) throws IOException {
        KWayMerge merge = KWayMerge.create(schema, options.tabletId(), sources, ColumnCopier.allColumns(schema), sink,
                options.rowIdConversion(), null, options.dropDeleted());
        MergeStats raw = merge.run();
        return checkRowCounts(options, raw, sink.rowsWritten(), raw.peakMemoryBytes(), false, false);
    }

    /**
     * Consistency rule 6 (docs/DESIGN.md): the expected (or read) input equals written output plus merged rows.
     * Returns the final stats with the sink's count as output.
     */
    static MergeStats checkRowCounts(MergeOptions options, MergeStats raw, long written, long peakMemory,
                                     boolean vertical, boolean spilled) {
        long input = options.expectedInputRows() >= 0 ? options.expectedInputRows() : raw.inputRows();
        if (input != written + raw.mergedRows() + raw.filteredRows() || raw.inputRows() != input
                || raw.outputRows() != written) {
            throw MergeCorruptionException.rowCountMismatch(options.tabletId(), input, raw.mergedRows(), written,
                    "rows_read=" + raw.inputRows() + ", rows_passed_to_sink=" + raw.outputRows()
                            + ", filtered_rows=" + raw.filteredRows() + (vertical ? ", vertical" : ""));
        }
        return new MergeStats(input, written, raw.mergedRows(), raw.perSourceRows(), peakMemory, vertical, spilled,
                raw.filteredRows());
    }

    /**
     * Opens a full-column source from each factory, merges them horizontally into {@code sink},
     * and closes them (a close failure after the read loses nothing, so it is ignored).
     */
    public MergeStats mergeFactories(List<SourceFactory> factories, MergeSink sink) throws IOException {
        List<SortedRunSource> sources = new java.util.ArrayList<>(factories.size());
        try {
            for (SourceFactory f : factories) {
                sources.add(f.open(null));
            }
            return merge(sources, sink);
        } finally {
            Closeables.closeQuietly(sources);
        }
    }
}
