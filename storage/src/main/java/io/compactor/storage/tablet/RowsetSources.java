package io.compactor.storage.tablet;

import io.compactor.storage.DataDir;
import io.compactor.storage.merge.SortedRunSource;
import io.compactor.storage.merge.SourceFactory;
import io.compactor.storage.merge.SourceOrigin;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns rowsets into merge inputs. A rowset whose segments overlap (a multi-segment load) gives
 * one source per segment, later segments being newer; any other rowset gives one chained source.
 * Recency follows the rowset's end version, so for equal keys the newest load wins.
 */
public final class RowsetSources {
    /** Rows per batch read from a segment. */
    public static final int BATCH_ROWS = 4096;
    /**
     * Rows per batch of a source opened for some columns only (a vertical merge's group): smaller,
     * since a vertical merge exists to keep its buffers small, and its passes read few columns.
     */
    public static final int GROUP_BATCH_ROWS = 1024;

    private RowsetSources() {
    }

    /**
     * Factories (one per source) for {@code rowsets}; {@code rowsetIndex} of each origin is the
     * rowset's position in the list.
     */
    public static List<SourceFactory> factories(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets) {
        return factories(dir, tabletId, schema, rowsets, false);
    }

    /**
     * Sources over all columns for a scan in any order (nothing merged): like {@link #open}, but
     * their batches keep VARCHAR columns packed until the consumer needs them as arrays ({@link
     * io.compactor.storage.schema.RowBatch#packVarchar}), and no file is opened before it is read.
     */
    static List<SortedRunSource> scanSources(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets)
            throws IOException {
        List<SortedRunSource> out = new ArrayList<>();
        for (SourceFactory f : factories(dir, tabletId, schema, rowsets, true)) {
            out.add(f.open(null));
        }
        return out;
    }

    private static List<SourceFactory> factories(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets,
                                                 boolean pack) {
        List<SourceFactory> out = new ArrayList<>();
        for (int i = 0; i < rowsets.size(); i++) {
            RowsetMeta r = rowsets.get(i);
            if (r.numSegments() == 0) {
                continue;
            }
            if (r.isSegmentsOverlapping()) {
                for (int seg = 0; seg < r.numSegments(); seg++) {
                    if (r.segments().get(seg).rows() == 0) {
                        continue;
                    }
                    out.add(factory(new SourceOrigin(i, r.endVersion(), seg),
                            List.of(dir.segmentPath(tabletId, r.rowsetId(), seg)), new int[]{seg}, schema, pack));
                }
            } else {
                List<Path> files = new ArrayList<>();
                List<Integer> ids = new ArrayList<>();
                for (int seg = 0; seg < r.numSegments(); seg++) {
                    if (r.segments().get(seg).rows() > 0) {
                        files.add(dir.segmentPath(tabletId, r.rowsetId(), seg));
                        ids.add(seg);
                    }
                }
                if (!files.isEmpty()) {
                    out.add(factory(new SourceOrigin(i, r.endVersion(), 0), files,
                            ids.stream().mapToInt(Integer::intValue).toArray(), schema, pack));
                }
            }
        }
        return out;
    }

    /** Opens every source of {@code rowsets} over all columns; the caller closes them. */
    public static List<SortedRunSource> open(DataDir dir, long tabletId, Schema schema, List<RowsetMeta> rowsets)
            throws IOException {
        List<SortedRunSource> out = new ArrayList<>();
        for (SourceFactory f : factories(dir, tabletId, schema, rowsets)) {
            out.add(f.open(null));
        }
        return out;
    }

    /**
     * A factory over one segment file read as its own sorted run, e.g. one not-yet-committed
     * segment of a load that segment compaction merges; {@code origin} gives its recency.
     */
    public static SourceFactory segment(SourceOrigin origin, Path file, int segmentId, Schema schema) {
        return factory(origin, List.of(file), new int[]{segmentId}, schema, false);
    }

    private static SourceFactory factory(SourceOrigin origin, List<Path> files, int[] segmentIds, Schema schema,
                                         boolean pack) {
        return new SourceFactory() {
            @Override
            public SourceOrigin origin() {
                return origin;
            }

            @Override
            public SortedRunSource open(int[] columns) {
                return new SegmentRunSource(origin, files, segmentIds, schema,
                        columns == null ? BATCH_ROWS : GROUP_BATCH_ROWS, columns, pack);
            }
        };
    }
}
