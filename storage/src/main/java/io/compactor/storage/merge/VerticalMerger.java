package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.Closeables;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Vertical merge by column groups, after Doris's vertical compaction (reference §5).
 *
 * <ol>
 *   <li><b>Key pass.</b> The key group (group 0) of every source is merged exactly as
 *       {@link RowsetMerger} would merge whole rows; for each input row in merge order a row
 *       source (source index, merged-away flag) goes to a {@link RowSourceBuffer}, which spills
 *       to a temp file beyond its memory limit. Row-id conversion is recorded here.</li>
 *   <li><b>Group passes.</b> Every value group re-reads only its columns from every source and
 *       replays the row sources.</li>
 * </ol>
 * Two ways to run the group passes:
 * <ul>
 *   <li>{@link #merge(List, ColumnGroupSink)}, the compaction path: one group after the other,
 *       each over all rows, its readers closed before the next group's open; the key pass writes
 *       the key group directly. At any moment only one group's readers and batches (narrow
 *       {@link RowBatch#projection}s) and the row sources are in memory, which is where the memory
 *       saving over a horizontal merge of a wide table comes from.</li>
 *   <li>{@link #merge(List, MergeSink)}, for a sink that needs whole rows: the groups advance
 *       together, a chunk of row sources at a time, each step filling one output batch.</li>
 * </ul>
 * The output is row for row what {@link RowsetMerger} produces for the same input. The row
 * counts are checked as there (consistency rule 6 of docs/DESIGN.md).
 *
 * <p>The merger opens the sources from the factories and closes them.
 */
public final class VerticalMerger {

    /**
     * Vertical-merge settings.
     *
     * @param numColumnsPerGroup      value columns per group ({@code vertical_compaction_num_columns_per_group}, 5)
     * @param maxRowSourceMemoryBytes row sources kept in memory before spilling
     *                                ({@code vertical_compaction_max_row_source_memory_mb}, 1024 MB)
     * @param spillDir                directory for the row-source temp file (the tablet's directory)
     */
    public record Settings(int numColumnsPerGroup, long maxRowSourceMemoryBytes, Path spillDir) {
        public Settings {
            if (numColumnsPerGroup < 1) {
                throw new IllegalArgumentException("vertical_compaction_num_columns_per_group must be >= 1, got "
                        + numColumnsPerGroup);
            }
            if (maxRowSourceMemoryBytes < 1) {
                throw new IllegalArgumentException("vertical_compaction_max_row_source_memory must be >= 1 byte, got "
                        + maxRowSourceMemoryBytes);
            }
            Objects.requireNonNull(spillDir, "spillDir");
        }

        /** Doris's defaults, spilling under {@code spillDir}. */
        public static Settings defaults(Path spillDir) {
            return new Settings(ColumnGroups.DEFAULT_COLUMNS_PER_GROUP, RowSourceBuffer.DEFAULT_MAX_MEMORY_BYTES,
                    spillDir);
        }
    }

    private final Schema schema;
    private final MergeOptions options;
    private final Settings settings;

    public VerticalMerger(Schema schema, MergeOptions options, Settings settings) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.options = Objects.requireNonNull(options, "options");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Merges the sources the factories open into {@code sink} one column group at a time (the
     * compaction path): the key pass writes the key group, then each value group is replayed over
     * all rows and written before the next one is read. Only one group's readers and buffers (plus
     * the row sources) are in memory at any moment.
     */
    public MergeStats merge(List<SourceFactory> inputs, ColumnGroupSink sink) throws IOException {
        List<int[]> groups = ColumnGroups.split(schema, settings.numColumnsPerGroup());
        String spillPrefix = "compaction_row_source_" + options.tabletId() + "_";
        try (RowSourceBuffer rowSources = new RowSourceBuffer(settings.maxRowSourceMemoryBytes(), settings.spillDir(),
                spillPrefix, Math.max(1, inputs.size()))) {
            sink.startGroup(groups.get(0));
            MergeStats keyPass = mergeKeys(inputs, groups.get(0), rowSources, new MergeSink() {
                @Override
                public void accept(RowBatch batch, int from, int to) throws IOException {
                    sink.accept(batch, from, to);
                }

                @Override
                public long rowsWritten() {
                    return sink.rowsWritten();
                }
            });
            sink.finishGroup();
            long peak = keyPass.peakMemoryBytes();
            for (int g = 1; g < groups.size(); g++) {
                sink.startGroup(groups.get(g));
                peak = Math.max(peak, replayGroup(inputs, g, groups.get(g), rowSources, keyPass.outputRows(), sink));
                sink.finishGroup();
            }
            peak += rowSources.peakMemoryBytes();
            return RowsetMerger.checkRowCounts(options, keyPass, sink.rowsWritten(), peak, true, rowSources.spilled());
        }
    }

    /** Replays the row sources over one value group into the sink; returns the peak memory of the pass. */
    private long replayGroup(List<SourceFactory> inputs, int group, int[] columns, RowSourceBuffer rowSources,
                             long keyPassRows, ColumnGroupSink sink) throws IOException {
        try (GroupReplayer replayer = new GroupReplayer(options.tabletId(), group, columns, inputs)) {
            int chunk = options.batchRows();
            short[] entries = new short[chunk];
            RowBatch out = RowBatch.projection(schema, chunk, columns);
            RowSourceBuffer.Reader reader = rowSources.reader();
            long delivered = 0;
            long peak = 0;
            int n;
            while ((n = reader.read(entries, chunk)) > 0) {
                out.clear();
                int live = 0;
                for (int i = 0; i < n; i++) {
                    if (!RowSourceBuffer.isSkipped(entries[i])) {
                        live++;
                    }
                }
                int first = out.reserveRows(live);
                int written = replayer.replay(entries, n, out, first);
                if (written != live) {
                    throw new MergeCorruptionException("tablet " + options.tabletId() + ": column group " + group
                            + " produced " + written + " rows for a chunk of " + live + " rows");
                }
                out.recomputeVarBytes();
                peak = Math.max(peak, replayer.heldBytes() + out.estimatedBytes());
                if (live > 0) {
                    sink.accept(out, 0, live);
                }
                delivered += live;
            }
            replayer.verifyDrained();
            if (delivered != keyPassRows) {
                throw new MergeCorruptionException("tablet " + options.tabletId() + ": vertical merge delivered "
                        + delivered + " rows of column group " + group + " but its key pass produced " + keyPassRows);
            }
            return peak;
        }
    }

    /**
     * Merges the sources the factories open into {@code sink}, assembling whole rows: all groups
     * advance together, a chunk of row sources at a time, each step filling one output batch. For
     * a sink that needs whole rows (one segment written row-wise); it holds every group's readers.
     */
    public MergeStats merge(List<SourceFactory> inputs, MergeSink sink) throws IOException {
        List<int[]> groups = ColumnGroups.split(schema, settings.numColumnsPerGroup());
        String spillPrefix = "compaction_row_source_" + options.tabletId() + "_";
        try (RowSourceBuffer rowSources = new RowSourceBuffer(settings.maxRowSourceMemoryBytes(), settings.spillDir(),
                spillPrefix, Math.max(1, inputs.size()))) {
            MergeStats keyPass = mergeKeys(inputs, groups.get(0), rowSources, new CountingSink());
            long groupPeak = replayGroups(inputs, groups, rowSources, keyPass.outputRows(), sink);
            long peak = Math.max(keyPass.peakMemoryBytes(), groupPeak) + rowSources.peakMemoryBytes();
            return RowsetMerger.checkRowCounts(options, keyPass, sink.rowsWritten(), peak, true, rowSources.spilled());
        }
    }

    private MergeStats mergeKeys(List<SourceFactory> inputs, int[] keyColumns, RowSourceBuffer rowSources,
                                 MergeSink keys) throws IOException {
        List<SortedRunSource> sources = new ArrayList<>(inputs.size());
        // The sequence and the delete sign decide which row of a key survives: the key pass reads them too.
        int[] read = KWayMerge.withMergeColumns(schema, keyColumns, options.dropDeleted());
        try {
            for (SourceFactory f : inputs) {
                sources.add(f.open(read));
            }
            return KWayMerge.create(schema, options.tabletId(), sources, read, keys, options.rowIdConversion(),
                    rowSources, options.dropDeleted()).run();
        } finally {
            Closeables.closeAll(sources);
        }
    }

    /** Replays the row sources over every group; returns the peak memory of this phase. */
    private long replayGroups(List<SourceFactory> inputs, List<int[]> groups, RowSourceBuffer rowSources,
                              long keyPassRows, MergeSink sink) throws IOException {
        List<GroupReplayer> replayers = new ArrayList<>(groups.size());
        try {
            for (int g = 0; g < groups.size(); g++) {
                replayers.add(new GroupReplayer(options.tabletId(), g, groups.get(g), inputs));
            }
            int chunk = options.batchRows();
            short[] entries = new short[chunk];
            RowBatch out = new RowBatch(schema, chunk);
            RowSourceBuffer.Reader reader = rowSources.reader();
            long delivered = 0;
            long peak = 0;
            int n;
            while ((n = reader.read(entries, chunk)) > 0) {
                int live = 0;
                for (int i = 0; i < n; i++) {
                    if (!RowSourceBuffer.isSkipped(entries[i])) {
                        live++;
                    }
                }
                out.clear();
                int first = out.reserveRows(live);
                long held = 0;
                for (int g = 0; g < replayers.size(); g++) {
                    GroupReplayer replayer = replayers.get(g);
                    int written = replayer.replay(entries, n, out, first);
                    if (written != live) {
                        throw new MergeCorruptionException("tablet " + options.tabletId() + ": column group " + g
                                + " produced " + written + " rows for a chunk of " + live + " rows");
                    }
                    held += replayer.heldBytes();
                }
                out.recomputeVarBytes();
                peak = Math.max(peak, held + out.estimatedBytes());
                if (live > 0) {
                    sink.accept(out, 0, live);
                }
                delivered += live;
            }
            for (GroupReplayer replayer : replayers) {
                replayer.verifyDrained();
            }
            if (delivered != keyPassRows) {
                throw new MergeCorruptionException("tablet " + options.tabletId() + ": vertical merge delivered "
                        + delivered + " rows but its key pass produced " + keyPassRows);
            }
            return peak;
        } finally {
            Closeables.closeAll(replayers);
        }
    }

    /** The key pass's sink when whole rows are assembled later: its rows only need counting. */
    private static final class CountingSink implements MergeSink {
        private long rows;

        @Override
        public void accept(RowBatch batch, int from, int to) {
            rows += to - from;
        }

        @Override
        public long rowsWritten() {
            return rows;
        }
    }
}
