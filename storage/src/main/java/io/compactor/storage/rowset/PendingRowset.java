package io.compactor.storage.rowset;

import io.compactor.storage.RowsetId;
import io.compactor.storage.segment.SegmentMeta;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A rowset whose segment files are written and fsynced but whose meta is not committed yet.
 * The caller commits {@link #toMeta} to the meta store, or deletes {@link #files()} on failure.
 *
 * @param rowsetId the new rowset's id
 * @param tabletId its tablet
 * @param segments per-segment meta, index = segment id
 * @param overlap  OVERLAPPING for a load with more than one segment, else NONOVERLAPPING
 * @param files    the segment files, index = segment id
 */
public record PendingRowset(RowsetId rowsetId, long tabletId, List<SegmentMeta> segments, SegmentsOverlap overlap,
                            List<Path> files) {
    public PendingRowset {
        Objects.requireNonNull(rowsetId, "rowsetId");
        Objects.requireNonNull(overlap, "overlap");
        segments = List.copyOf(segments);
        files = List.copyOf(files);
        if (segments.size() != files.size()) {
            throw new IllegalArgumentException("rowset " + rowsetId + " has " + segments.size() + " segments but "
                    + files.size() + " files");
        }
    }

    /** The rowset meta to commit: a load's ({@code txnId > 0}) or compaction output ({@code 0}), level 0. */
    public RowsetMeta toMeta(Version v, long creationTimeMs, long txnId) {
        return new RowsetMeta(rowsetId, tabletId, v, segments, overlap, creationTimeMs, 0, txnId);
    }

    public long numRows() {
        return SegmentMeta.totalRows(segments);
    }

    public long totalBytes() {
        return SegmentMeta.totalBytes(segments);
    }
}
