package io.compactor.storage.segcompaction;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.merge.MergeOptions;
import io.compactor.storage.merge.MergeSink;
import io.compactor.storage.merge.MergeStats;
import io.compactor.storage.merge.RowsetMerger;
import io.compactor.storage.merge.SourceFactory;
import io.compactor.storage.merge.SourceOrigin;
import io.compactor.storage.merge.VerticalMerger;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentReader;
import io.compactor.storage.segment.SegmentWriter;
import io.compactor.storage.tablet.RowsetSources;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges consecutive raw segments of one load into one segment file, as Doris's
 * {@code SegcompactionWorker::_do_compact_segments}: open the inputs ("init reader"), open the
 * output ("init writer"), merge (by column groups when vertical compaction is on, else whole rows),
 * then check the row counts ({@code _check_correctness}). Failures to open inputs or output are
 * {@link Retryable}; anything else is fatal for the load.
 *
 * <p>Recency: the segments of one load all have the same version, and a later flush has a higher
 * segment id, so each input's origin carries its raw segment id; for UNIQUE_KEYS the newest row of
 * a key survives and the others count as merged.
 */
final class SegmentBatchMerger {
    /** Debug point that fails a segment compaction fatally in its correctness check. */
    static final String FAIL_POINT = "segcompaction.fail";
    /** Debug point that fails opening a segment compaction's output (retried at the next trigger). */
    static final String INIT_WRITER_FAIL_POINT = "segcompaction.init_writer.fail";

    /** A failure that leaves the inputs untouched: logged, and the batch is retried at the next trigger. */
    static final class Retryable extends StatusException {
        Retryable(StatusCode code, String msg, Throwable cause) {
            super(new Status(code, msg), cause);
        }
    }

    /** The merged segment (under its temporary name) and what the merge did. */
    record Output(SegmentMeta meta, MergeStats stats) {
    }

    private final long tabletId;
    private final Schema schema;
    private final SegcompactionSettings settings;
    private final DebugPoints debugPoints;
    private final Path spillDir;

    SegmentBatchMerger(long tabletId, Schema schema, SegcompactionSettings settings, DebugPoints debugPoints,
                       Path spillDir) {
        this.tabletId = tabletId;
        this.schema = schema;
        this.settings = settings;
        this.debugPoints = debugPoints;
        this.spillDir = spillDir;
    }

    /**
     * @param inputs       the raw segment files, oldest first
     * @param metas        their metas
     * @param firstSegment raw segment id of {@code inputs.get(0)}
     * @param output       where to write the merged segment; deleted again on failure
     */
    Output merge(List<Path> inputs, List<SegmentMeta> metas, int firstSegment, Path output) throws IOException {
        long inputRows = 0;
        for (SegmentMeta m : metas) {
            inputRows += m.rows();
        }
        checkInputs(inputs);
        SegmentWriter writer = openWriter(output);
        try {
            List<SourceFactory> factories = new ArrayList<>(inputs.size());
            for (int i = 0; i < inputs.size(); i++) {
                factories.add(RowsetSources.segment(new SourceOrigin(0, 0, firstSegment + i), inputs.get(i),
                        firstSegment + i, schema));
            }
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
            MergeOptions options = MergeOptions.forTablet(tabletId).withExpectedInputRows(inputRows);
            MergeStats stats;
            if (settings.vertical() && schema.columnCount() > schema.keyCount()) {
                stats = new VerticalMerger(schema, options, new VerticalMerger.Settings(settings.columnsPerGroup(),
                        settings.maxRowSourceMemoryBytes(), spillDir)).merge(factories, sink);
            } else {
                stats = new RowsetMerger(schema, options).mergeFactories(factories, sink);
            }
            checkCorrectness(metas, stats, writer.rowCount(), firstSegment);
            SegmentMeta meta = writer.finish();
            if (meta.rows() != stats.outputRows()) {
                throw new StatusException(StatusCode.CHECK_LINES_ERROR, "segcompaction of tablet " + tabletId
                        + ": output segment " + output.getFileName() + " holds " + meta.rows()
                        + " rows, the merge wrote " + stats.outputRows());
            }
            return new Output(meta, stats);
        } catch (IOException | RuntimeException e) {
            writer.abort();
            throw e;
        }
    }

    /** "Init reader": every input opens and its footer verifies before anything is written. */
    private void checkInputs(List<Path> inputs) {
        for (Path p : inputs) {
            try (SegmentReader r = SegmentReader.open(p, schema)) {
                r.rowCount();
            } catch (IOException | RuntimeException e) {
                throw new Retryable(StatusCode.SEGCOMPACTION_INIT_READER, "segcompaction of tablet " + tabletId
                        + " cannot open segment " + p.getFileName() + ": " + e.getMessage(), e);
            }
        }
    }

    private SegmentWriter openWriter(Path output) {
        try {
            if (debugPoints != null && debugPoints.hit(INIT_WRITER_FAIL_POINT)) {
                throw new IOException("debug point " + INIT_WRITER_FAIL_POINT);
            }
            return SegmentWriter.create(output, schema);
        } catch (IOException | RuntimeException e) {
            throw new Retryable(StatusCode.SEGCOMPACTION_INIT_WRITER, "segcompaction of tablet " + tabletId
                    + " cannot create " + output.getFileName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Doris's {@code _check_correctness}: the inputs' rows are all read, and output plus merged
     * rows equal them (the merger checked the same; this is the segment-compaction wording).
     */
    private void checkCorrectness(List<SegmentMeta> metas, MergeStats stats, long written, int firstSegment) {
        long sumSource = 0;
        for (SegmentMeta m : metas) {
            sumSource += m.rows();
        }
        String what = "segcompaction of tablet " + tabletId + " segments " + firstSegment + "-"
                + (firstSegment + metas.size() - 1);
        if (debugPoints != null) {
            debugPoints.failIfHit(FAIL_POINT, what);
        }
        if (sumSource != stats.inputRows() || written + stats.mergedRows() != stats.inputRows()) {
            throw new StatusException(StatusCode.CHECK_LINES_ERROR, what + ": row count mismatch: sum_src_row="
                    + sumSource + ", raw_rows_read=" + stats.inputRows() + ", output_rows=" + written
                    + ", merged_rows=" + stats.mergedRows());
        }
    }
}
