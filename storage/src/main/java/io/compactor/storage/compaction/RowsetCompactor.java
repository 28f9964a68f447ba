package io.compactor.storage.compaction;

import io.compactor.storage.DataDir;
import io.compactor.storage.merge.ColumnGroups;
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
        return compact(dir, tabletId, schema, inputs, outputId, settings, CompactionProgress.untracked(tabletId, "merge"));
    }

    /**
     * As {@link #compact(DataDir, long, Schema, List, RowsetId, CompactionSettings)}, counting into
     * {@code progress} as it goes and stopping at its next checkpoint (every source batch, at most
     * 4,096 rows) once it is cancelled: the CANCELLED {@link io.compactor.storage.util.StatusException}
     * propagates after every output file is deleted.
     */
    public static CompactionOutput compact(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> inputs,
                                           RowsetId outputId, CompactionSettings settings,
                                           CompactionProgress progress) throws IOException {
        long inputRows = 0;
        long inputBytes = 0;
        for (RowsetMeta r : inputs) {
            inputRows += r.numRows();
            inputBytes += r.totalBytes();
        }
        boolean vertical = settings.vertical() && schema.columnCount() > schema.keyCount();
        int passes = vertical ? ColumnGroups.split(schema, settings.columnsPerGroup()).size() : 1;
        progress.mergeStarted(new CompactionProgress.Inputs(inputs.size(), versions(inputs), inputRows, inputBytes),
                passes);
        progress.checkpoint();
        if (settings.orderedData() && !settings.rowIdConversion()
                && OrderedDataCompaction.tidy(inputs, settings.orderedDataMinSegmentBytes())) {
            CompactionOutput linked = OrderedDataCompaction.link(dir, tabletId, inputs, outputId);
            progress.linked();
            progress.wrote(linked.rowset().numRows(), linked.rowset().totalBytes());
            return linked;
        }
        long maxSegmentRows = Math.max(1, OutputSegmentSizer.maxRowsPerSegment(settings.maxSegmentBytes(),
                inputBytes, inputRows));
        RowIdConversion conversion = settings.rowIdConversion() ? RowIdConversion.forRowsets(inputs) : null;
        MergeOptions options = MergeOptions.forTablet(tabletId).withExpectedInputRows(inputRows)
                .withRowIdConversion(conversion).withDropDeleted(settings.dropDeleted());
        List<SourceFactory> factories = ProgressSources.wrap(RowsetSources.factories(dir, tabletId, schema, inputs),
                progress);
        if (vertical) {
            // Column group by column group, into segments written the same way: only one group's
            // readers and page buffers are in memory (Doris's vertical compaction).
            VerticalRowsetWriter writer = new VerticalRowsetWriter(dir, tabletId, outputId, schema, maxSegmentRows);
            try {
                MergeStats stats = new VerticalMerger(schema, options, new VerticalMerger.Settings(
                        settings.columnsPerGroup(), settings.maxRowSourceMemoryBytes(), dir.tabletDir(tabletId)))
                        .merge(factories, ProgressSources.groupSink(writer, writer::bytesWritten, progress));
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
                    progress.wrote(writer.rowCount(), writer.bytesWritten());
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

    private static String versions(List<RowsetMeta> inputs) {
        return inputs.isEmpty() ? "" : "[" + inputs.get(0).version().start() + "-"
                + inputs.get(inputs.size() - 1).version().end() + "]";
    }

    private static CompactionOutput output(PendingRowset out, MergeStats stats, RowIdConversion conversion) {
        if (conversion != null) {
            long[] rowsPerSegment = out.segments().stream().mapToLong(s -> s.rows()).toArray();
            conversion.setOutputSegments(rowsPerSegment);
        }
        return new CompactionOutput(out, stats, conversion);
    }
}
