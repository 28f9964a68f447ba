package io.compactor.storage.meta;

/**
 * The persisted identity of a tablet, stored apart from its rowsets so that a load (which adds a
 * rowset key) and a compaction (which swaps rowset keys and may move the cumulative point) never
 * overwrite each other's changes.
 */
public record TabletHeader(long tabletId, long tableId, int bucket, String dataDir, long cumulativePoint) {
}
