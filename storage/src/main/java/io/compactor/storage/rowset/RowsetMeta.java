package io.compactor.storage.rowset;

import io.compactor.storage.DataDir;
import io.compactor.storage.RowsetId;
import io.compactor.storage.segment.SegmentMeta;
import java.util.List;
import java.util.Objects;

/**
 * Immutable description of a committed rowset: what one load or one compaction produced.
 *
 * @param rowsetId        node-unique id; segment files are {@code {rowsetId}_{segmentId}.dat}
 * @param tabletId        the tablet it belongs to
 * @param version         version range
 * @param segments        per-segment rows, sizes and key bounds; index = segment id
 * @param overlap         whether segments overlap (loads: OVERLAPPING, compaction output: NONOVERLAPPING)
 * @param creationTimeMs  wall-clock creation time (from the injected clock)
 * @param compactionLevel time_series compaction level (0 for loads)
 * @param txnId           the load transaction that wrote it, or 0 for compaction output
 * @param contentId       cluster mode: the content identity of the versions it holds (the XOR of each
 *                        version's identity as the meta log recorded it: a load's txn id mixed with its
 *                        rows' checksum), the same on every replica holding those versions; 0 when
 *                        unknown (single node, the empty versions [0-1])
 */
public record RowsetMeta(RowsetId rowsetId, long tabletId, Version version, List<SegmentMeta> segments,
                         SegmentsOverlap overlap, long creationTimeMs, int compactionLevel, long txnId,
                         long contentId) {

    /** A rowset without a content identity. */
    public RowsetMeta(RowsetId rowsetId, long tabletId, Version version, List<SegmentMeta> segments,
                      SegmentsOverlap overlap, long creationTimeMs, int compactionLevel, long txnId) {
        this(rowsetId, tabletId, version, segments, overlap, creationTimeMs, compactionLevel, txnId, 0);
    }

    public RowsetMeta {
        Objects.requireNonNull(rowsetId, "rowsetId");
        Objects.requireNonNull(version, "version");
        segments = List.copyOf(segments);
        Objects.requireNonNull(overlap, "overlap");
    }

    public int numSegments() {
        return segments.size();
    }

    public long numRows() {
        return SegmentMeta.totalRows(segments);
    }

    /** Total size of the rowset's files on disk. */
    public long totalBytes() {
        return SegmentMeta.totalBytes(segments);
    }

    public boolean isEmpty() {
        return numRows() == 0;
    }

    public long startVersion() {
        return version.start();
    }

    public long endVersion() {
        return version.end();
    }

    /**
     * Doris's rule: segments overlap when there is more than one, the rowset is a singleton
     * delta, and the flag is not NONOVERLAPPING.
     */
    public boolean isSegmentsOverlapping() {
        return numSegments() > 1 && version.isSingleton() && overlap != SegmentsOverlap.NONOVERLAPPING;
    }

    /** Compaction score of the rowset: its segment count if overlapping, else 1. */
    public int compactionScore() {
        return isSegmentsOverlapping() ? numSegments() : 1;
    }

    public RowsetMeta withVersion(Version v) {
        return new RowsetMeta(rowsetId, tabletId, v, segments, overlap, creationTimeMs, compactionLevel, txnId,
                contentId);
    }

    public RowsetMeta withContentId(long id) {
        return new RowsetMeta(rowsetId, tabletId, version, segments, overlap, creationTimeMs, compactionLevel, txnId, id);
    }

    /** The identity of a rowset holding all versions of {@code rowsets} (XOR of theirs). */
    public static long combinedContentId(List<RowsetMeta> rowsets) {
        long x = 0;
        for (RowsetMeta r : rowsets) {
            x ^= r.contentId();
        }
        return x;
    }

    public RowsetMeta withCompactionLevel(int level) {
        return new RowsetMeta(rowsetId, tabletId, version, segments, overlap, creationTimeMs, level, txnId,
                contentId);
    }

    @Override
    public String toString() {
        return version + " " + numSegments() + " " + rowsetId + " rows=" + numRows();
    }

    /** File names of the segments of these rowsets ({@link DataDir#segmentFileName}), for the orphan sweep. */
    public static java.util.Set<String> segmentFileNames(Iterable<RowsetMeta> rowsets) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (RowsetMeta rs : rowsets) {
            for (int s = 0; s < rs.numSegments(); s++) {
                names.add(DataDir.segmentFileName(rs.rowsetId(), s));
            }
        }
        return names;
    }
}
