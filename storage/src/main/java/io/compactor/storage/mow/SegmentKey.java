package io.compactor.storage.mow;

import io.compactor.storage.RowsetId;

/** One segment of one rowset: what a delete-bitmap entry marks rows of. */
public record SegmentKey(RowsetId rowsetId, int segmentId) {
}
