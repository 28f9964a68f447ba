package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.DataDir;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segment.SegmentWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The segment files of one rowset being written: hands out writers for segment ids 0, 1, ...,
 * records each finished segment, tells the listener, and deletes everything on abort.
 */
final class SegmentSeries {
    private final DataDir dir;
    private final long tabletId;
    private final RowsetId rowsetId;
    private final Schema schema;
    private final SegmentFlushListener listener;
    private final List<SegmentMeta> metas = new ArrayList<>();
    private final List<Path> files = new ArrayList<>();
    private SegmentWriter open;

    SegmentSeries(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, SegmentFlushListener listener) {
        this.dir = dir;
        this.tabletId = tabletId;
        this.rowsetId = rowsetId;
        this.schema = schema;
        this.listener = listener;
    }

    /** A writer for the next segment id. */
    SegmentWriter openNext() throws IOException {
        if (open != null) {
            throw new IllegalStateException("tablet " + tabletId + " rowset " + rowsetId + ": segment "
                    + metas.size() + " is still open");
        }
        dir.tabletDir(tabletId);
        open = SegmentWriter.create(dir.segmentPath(tabletId, rowsetId, metas.size()), schema,
                dir.debugPoints(), tabletId);
        return open;
    }

    /** Finishes the open writer and records its segment. */
    SegmentMeta finishOpen() throws IOException {
        SegmentWriter w = open;
        SegmentMeta meta = w.finish();
        open = null;
        int segmentId = metas.size();
        metas.add(meta);
        files.add(w.path());
        if (listener != null) {
            listener.onSegmentFlushed(segmentId, meta, w.path());
        }
        return meta;
    }

    boolean hasOpen() {
        return open != null;
    }

    SegmentWriter open() {
        return open;
    }

    int finishedCount() {
        return metas.size();
    }

    /** Max key of the last finished segment, or null. */
    byte[] lastMaxKey() {
        return metas.isEmpty() ? null : metas.get(metas.size() - 1).maxKey();
    }

    long finishedRows() {
        long n = 0;
        for (SegmentMeta m : metas) {
            n += m.rows();
        }
        return n;
    }

    long finishedBytes() {
        long n = 0;
        for (SegmentMeta m : metas) {
            n += m.bytes();
        }
        return n;
    }

    PendingRowset build(SegmentsOverlap overlap) {
        if (open != null) {
            throw new IllegalStateException("tablet " + tabletId + " rowset " + rowsetId + ": segment still open");
        }
        return new PendingRowset(rowsetId, tabletId, metas, overlap, files);
    }

    /** Aborts the open writer and deletes every finished file. Never throws. */
    void abort() {
        if (open != null) {
            open.abort();
            open = null;
        }
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException | RuntimeException ignored) {
                // best effort: the orphan sweep removes what is left
            }
        }
    }

    String describe() {
        return "tablet " + tabletId + " rowset " + rowsetId;
    }
}
