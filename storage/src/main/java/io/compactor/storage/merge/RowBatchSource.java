package io.compactor.storage.merge;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A {@link SortedRunSource} over rows already in memory: one or more sorted segments, chained,
 * served in chunks of at most {@code chunkRows}. Used by tests, benchmarks and small merges.
 *
 * <p>A chunk that is a whole segment with every column is the segment's own batch; any other
 * chunk is copied into one batch that the source refills on every {@link #next()}, as a file
 * reader would. A source opened for a column subset copies only those columns.
 */
public final class RowBatchSource implements SortedRunSource {
    private final SourceOrigin origin;
    private final int firstSegmentId;
    private final int chunkRows;
    private final List<RowBatch> segments;
    private final int[] columns;
    private final RowBatch chunk;
    private int segmentIndex;
    private int row;
    private int currentSegment = -1;
    private long currentFirstRow;

    private RowBatchSource(SourceOrigin origin, int firstSegmentId, int chunkRows, List<RowBatch> segments,
                           int[] columns) {
        this.origin = Objects.requireNonNull(origin, "origin");
        if (chunkRows < 1) {
            throw new IllegalArgumentException("chunkRows must be >= 1, got " + chunkRows);
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("a source needs at least one segment");
        }
        if (firstSegmentId < 0) {
            throw new IllegalArgumentException("firstSegmentId must be >= 0, got " + firstSegmentId);
        }
        Schema schema = segments.get(0).schema();
        for (RowBatch s : segments) {
            if (!s.schema().equals(schema)) {
                throw new IllegalArgumentException("segments of one source must share a schema: " + s.schema()
                        + " vs " + schema);
            }
        }
        this.firstSegmentId = firstSegmentId;
        this.chunkRows = chunkRows;
        this.segments = List.copyOf(segments);
        this.columns = columns;
        this.chunk = columns == null ? new RowBatch(schema, Math.min(chunkRows, 4096))
                : RowBatch.projection(schema, Math.min(chunkRows, 4096), columns);
    }

    /** The segments {@code 0..n-1} of a NONOVERLAPPING rowset, chained as one source. */
    public static RowBatchSource of(SourceOrigin origin, int chunkRows, RowBatch... segments) {
        return new RowBatchSource(origin, 0, chunkRows, Arrays.asList(segments), null);
    }

    /** One segment with an explicit segment id, e.g. one of an OVERLAPPING rowset's segments. */
    public static RowBatchSource segment(SourceOrigin origin, int segmentId, int chunkRows, RowBatch rows) {
        return new RowBatchSource(origin, segmentId, chunkRows, List.of(rows), null);
    }

    /**
     * A factory for sources over chained segments numbered from {@code firstSegmentId}; each
     * source it opens fills only the requested columns.
     */
    public static SourceFactory factory(SourceOrigin origin, int firstSegmentId, int chunkRows, List<RowBatch> segments) {
        List<RowBatch> copy = List.copyOf(segments);
        return new SourceFactory() {
            @Override
            public SourceOrigin origin() {
                return origin;
            }

            @Override
            public SortedRunSource open(int[] columns) {
                return new RowBatchSource(origin, firstSegmentId, chunkRows, copy, columns.clone());
            }
        };
    }

    @Override
    public SourceOrigin origin() {
        return origin;
    }

    @Override
    public RowBatch next() {
        while (segmentIndex < segments.size()) {
            RowBatch seg = segments.get(segmentIndex);
            if (row < seg.size()) {
                int to = (int) Math.min(seg.size(), (long) row + chunkRows);
                RowBatch out;
                if (columns == null && row == 0 && to == seg.size()) {
                    out = seg;
                } else {
                    chunk.clear();
                    if (columns == null) {
                        chunk.appendRange(seg, row, to);
                    } else {
                        ColumnCopier.append(seg, row, to, chunk, columns);
                    }
                    out = chunk;
                }
                currentSegment = firstSegmentId + segmentIndex;
                currentFirstRow = row;
                row = to;
                return out;
            }
            segmentIndex++;
            row = 0;
        }
        return null;
    }

    @Override
    public int segmentId() {
        return currentSegment;
    }

    @Override
    public long firstRowId() {
        return currentFirstRow;
    }
}
