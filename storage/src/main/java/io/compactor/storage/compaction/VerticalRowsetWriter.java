package io.compactor.storage.compaction;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.merge.ColumnGroupSink;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.schema.KeyCodec;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.segment.VerticalSegmentWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a vertical compaction's output, column group by column group, into the segments of one
 * new NONOVERLAPPING rowset (Doris's {@code VerticalBetaRowsetWriter}). The key group decides the
 * segments: a new one every {@code maxSegmentRows} rows, key ranges following each other. Each
 * value group then fills the same segments with the same row counts, in order. Every segment
 * file stays open (as a temp file) until {@link #build()} writes the footers; only the open
 * group's page buffers are in memory.
 *
 * <p>Files first, meta second, as {@link io.compactor.storage.rowset.SortedRowsetWriter}. Not thread-safe.
 */
public final class VerticalRowsetWriter implements ColumnGroupSink, AutoCloseable {
    private final DataDir dir;
    private final long tabletId;
    private final RowsetId rowsetId;
    private final Schema schema;
    private final long maxSegmentRows;
    private final List<VerticalSegmentWriter> segments = new ArrayList<>();
    private final List<Path> finishedFiles = new ArrayList<>();
    private int[] groupColumns;
    private int groups;
    private int current;
    private long groupRowsInCurrent;
    private long keyRows;
    private byte[] previousMaxKey;
    private boolean built;
    private boolean aborted;
    private boolean failed;

    public VerticalRowsetWriter(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, long maxSegmentRows) {
        if (maxSegmentRows <= 0) {
            throw new IllegalArgumentException("max segment rows must be positive, got " + maxSegmentRows);
        }
        this.dir = dir;
        this.tabletId = tabletId;
        this.rowsetId = rowsetId;
        this.schema = schema;
        this.maxSegmentRows = maxSegmentRows;
    }

    private String describe() {
        return "tablet " + tabletId + " rowset " + rowsetId;
    }

    @Override
    public void startGroup(int[] columns) throws IOException {
        checkWritable();
        if (groupColumns != null) {
            throw new IllegalStateException(describe() + ": a column group is still open");
        }
        groupColumns = columns.clone();
        current = 0;
        groupRowsInCurrent = 0;
        if (groups > 0 && !segments.isEmpty()) {
            guard(() -> segments.get(0).startGroup(groupColumns));
        }
    }

    @Override
    public void accept(RowBatch batch, int from, int to) throws IOException {
        checkWritable();
        if (groupColumns == null) {
            throw new IllegalStateException(describe() + ": no column group is open");
        }
        guard(() -> {
            if (groups == 0) {
                acceptKeys(batch, from, to);
            } else {
                acceptValues(batch, from, to);
            }
        });
    }

    private void acceptKeys(RowBatch batch, int from, int to) throws IOException {
        int r = from;
        while (r < to) {
            if (segments.isEmpty() || segments.get(segments.size() - 1).rowCount() >= maxSegmentRows) {
                openSegment(batch, r);
            }
            VerticalSegmentWriter w = segments.get(segments.size() - 1);
            int n = (int) Math.min(to - r, maxSegmentRows - w.rowCount());
            w.appendRange(batch, r, r + n);
            r += n;
            keyRows += n;
            if (w.rowCount() >= maxSegmentRows) {
                previousMaxKey = KeyCodec.encodeKey(batch, r - 1);
                w.finishGroup();
            }
        }
    }

    private void openSegment(RowBatch batch, int firstRow) throws IOException {
        if (previousMaxKey != null && Arrays.compareUnsigned(previousMaxKey, KeyCodec.encodeKey(batch, firstRow)) > 0) {
            throw new IllegalArgumentException(describe() + ": segment " + segments.size()
                    + " would start with a key smaller than the end of the previous segment; rows must arrive in key order");
        }
        dir.tabletDir(tabletId);
        VerticalSegmentWriter w = VerticalSegmentWriter.create(dir.segmentPath(tabletId, rowsetId, segments.size()),
                schema, dir.debugPoints(), tabletId);
        segments.add(w);
        w.startGroup(groupColumns);
    }

    private void acceptValues(RowBatch batch, int from, int to) throws IOException {
        int r = from;
        while (r < to) {
            if (current >= segments.size()) {
                throw new IllegalArgumentException(describe() + ": column group " + Arrays.toString(groupColumns)
                        + " gets more than the " + keyRows + " rows of the key group");
            }
            VerticalSegmentWriter w = segments.get(current);
            int n = (int) Math.min(to - r, w.rowCount() - groupRowsInCurrent);
            w.appendRange(batch, r, r + n);
            r += n;
            groupRowsInCurrent += n;
            if (groupRowsInCurrent == w.rowCount()) {
                w.finishGroup();
                current++;
                groupRowsInCurrent = 0;
                if (current < segments.size()) {
                    segments.get(current).startGroup(groupColumns);
                }
            }
        }
    }

    @Override
    public void finishGroup() throws IOException {
        checkWritable();
        if (groupColumns == null) {
            throw new IllegalStateException(describe() + ": no column group is open");
        }
        guard(() -> {
            if (groups == 0) {
                if (!segments.isEmpty()) {
                    VerticalSegmentWriter last = segments.get(segments.size() - 1);
                    if (last.rowCount() < maxSegmentRows) {
                        last.finishGroup();
                    }
                }
            } else if (current != segments.size()) {
                throw new IllegalStateException(describe() + ": column group " + Arrays.toString(groupColumns)
                        + " ended before filling segment " + current + " of " + segments.size());
            }
        });
        groups++;
        groupColumns = null;
    }

    @Override
    public long rowsWritten() {
        return keyRows;
    }

    /** Bytes written to the output files so far (pages of the open group not yet flushed excluded). */
    public long bytesWritten() {
        long n = 0;
        for (VerticalSegmentWriter w : segments) {
            n += w.bytesWritten();
        }
        return n;
    }

    /** Segments so far (the key group decides them). */
    public int segmentCount() {
        return segments.size();
    }

    /** Writes every segment's footer, fsyncs and renames them; returns the NONOVERLAPPING rowset. */
    public PendingRowset build() throws IOException {
        checkWritable();
        if (groupColumns != null) {
            throw new IllegalStateException(describe() + ": a column group is still open");
        }
        List<SegmentMeta> metas = new ArrayList<>(segments.size());
        guard(() -> {
            for (VerticalSegmentWriter w : segments) {
                metas.add(w.finish());
                finishedFiles.add(w.path());
            }
        });
        built = true;
        return new PendingRowset(rowsetId, tabletId, metas, SegmentsOverlap.NONOVERLAPPING, finishedFiles);
    }

    /** Deletes every file written (also after {@link #build()}). Never throws. */
    public void abort() {
        aborted = true;
        for (VerticalSegmentWriter w : segments) {
            w.abort();
        }
        for (Path f : finishedFiles) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException ignored) {
                // best effort: the orphan sweep removes what is left
            }
        }
    }

    /** Aborts unless {@link #build()} succeeded. */
    @Override
    public void close() {
        if (!built && !aborted) {
            abort();
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    private void guard(Step step) throws IOException {
        try {
            step.run();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    private void checkWritable() {
        if (built || aborted || failed) {
            throw new IllegalStateException(describe() + " writer is "
                    + (failed ? "failed" : built ? "already built" : "aborted"));
        }
    }
}
