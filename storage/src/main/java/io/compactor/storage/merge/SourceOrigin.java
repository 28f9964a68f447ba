package io.compactor.storage.merge;

/**
 * Where a {@link SortedRunSource} reads from and how recent its rows are.
 *
 * <p>Recency decides which row survives when a UNIQUE_KEYS merge meets equal keys, and which
 * comes first when a DUPLICATE_KEYS merge does: a source is newer than another when its
 * {@code version} is greater, or, for equal versions (several overlapping segments of one load
 * rowset), when its {@code segmentOrder} is greater, since later memtable flushes get higher
 * segment ids. Within one source, a later row is newer than an earlier one.
 *
 * @param rowsetIndex  position of the input rowset in the compaction's input list; the row-id
 *                     conversion is keyed by it
 * @param version      the rowset's end version
 * @param segmentOrder for one segment of an OVERLAPPING rowset, its segment id; 0 for a
 *                     NONOVERLAPPING rowset read as one chained source
 */
public record SourceOrigin(int rowsetIndex, long version, int segmentOrder) {

    public SourceOrigin {
        if (rowsetIndex < 0) {
            throw new IllegalArgumentException("rowsetIndex must be >= 0, got " + rowsetIndex);
        }
        if (segmentOrder < 0) {
            throw new IllegalArgumentException("segmentOrder must be >= 0, got " + segmentOrder);
        }
    }

    /** Negative if this source is older than {@code other}, positive if newer, 0 if as recent. */
    public int compareRecency(SourceOrigin other) {
        int c = Long.compare(version, other.version);
        return c != 0 ? c : Integer.compare(segmentOrder, other.segmentOrder);
    }
}
