package io.compactor.storage.compaction;

import io.compactor.storage.DataDir;
import io.compactor.storage.merge.MergeOptions;
import io.compactor.storage.merge.MergeSink;
import io.compactor.storage.merge.MergeStats;
import io.compactor.storage.merge.OutputSegmentSizer;
import io.compactor.storage.merge.RowIdConversion;
import io.compactor.storage.merge.RowsetMerger;
import io.compactor.storage.merge.SourceFactory;
import io.compactor.storage.merge.VerticalMerger;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.SortedRowsetWriter;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.RowsetSources;
import java.io.IOException;
import java.util.List;

/**
 * Merges input rowsets of one tablet into the segment files of one new, non-overlapping rowset:
 * the data half of every compaction (cumulative, base, full). Merge-on-read: UNIQUE_KEYS keeps the
 * newest row of each key and counts the others as merged, whatever the delete bitmaps say, so a
 * full compaction repairs wrong bitmaps. The row counts are checked (input = output + merged,
 * consistency rule 6 of docs/DESIGN.md); a mismatch fails the compaction and deletes its output. Files only: the
 * caller commits the meta. Inputs already in key order are linked, not merged
 * ({@link OrderedDataCompaction}). Synchronous; run it on a compaction thread.
 */
public final class RowsetCompactor {
    private RowsetCompactor() {
    }

    public static CompactionOutput compact(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> inputs,
                                           RowsetId outputId, CompactionSettings settings) throws IOException {
        if (settings.orderedData() && !settings.rowIdConversion()
                && OrderedDataCompaction.tidy(inputs, settings.orderedDataMinSegmentBytes())) {
            return OrderedDataCompaction.link(dir, tabletId, inputs, outputId);
        }
        long inputRows = 0;
        long inputBytes = 0;
        for (RowsetMeta r : inputs) {
            inputRows += r.numRows();
            inputBytes += r.totalBytes();
        }
        long maxSegmentRows = Math.max(1, OutputSegmentSizer.maxRowsPerSegment(settings.maxSegmentBytes(),
                inputBytes, inputRows));
        RowIdConversion conversion = settings.rowIdConversion() ? RowIdConversion.forRowsets(inputs) : null;
        MergeOptions options = MergeOptions.forTablet(tabletId).withExpectedInputRows(inputRows)
                .withRowIdConversion(conversion).withDropDeleted(settings.dropDeleted());
        List<SourceFactory> factories = RowsetSources.factories(dir, tabletId, schema, inputs);
        if (settings.vertical() && schema.columnCount() > schema.keyCount()) {
            // Column group by column group, into segments written the same way: only one group's
            // readers and page buffers are in memory (Doris's vertical compaction).
            VerticalRowsetWriter writer = new VerticalRowsetWriter(dir, tabletId, outputId, schema, maxSegmentRows);
            try {
                MergeStats stats = new VerticalMerger(schema, options, new VerticalMerger.Settings(
                        settings.columnsPerGroup(), settings.maxRowSourceMemoryBytes(), dir.tabletDir(tabletId)))
                        .merge(factories, writer);
                return output(writer.build(), stats, conversion);
            } catch (IOException | RuntimeException e) {
                writer.abort();
                throw e;
            }
        }
        SortedRowsetWriter writer = new SortedRowsetWriter(dir, tabletId, outputId, schema, maxSegmentRows, null);
        try {
            MergeSink sink = new MergeSink() {
                @Override
                public void accept(RowBatch batch, int from, int to) throws IOException {
                    writer.appendRange(batch, from, to);
                }

                @Override
                public long rowsWritten() {
                    return writer.rowCount();
                }
            };
            MergeStats stats = new RowsetMerger(schema, options).mergeFactories(factories, sink);
            return output(writer.build(), stats, conversion);
        } catch (IOException | RuntimeException e) {
            writer.abort();
            throw e;
        }
    }

    private static CompactionOutput output(PendingRowset out, MergeStats stats, RowIdConversion conversion) {
        if (conversion != null) {
            long[] rowsPerSegment = out.segments().stream().mapToLong(s -> s.rows()).toArray();
            conversion.setOutputSegments(rowsPerSegment);
        }
        return new CompactionOutput(out, stats, conversion);
    }
}
