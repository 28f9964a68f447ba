package io.compactor.storage.tablet;

import io.compactor.storage.rowset.RowsetMeta;

/** A rowset replaced by compaction, kept for readers until {@code staleAtMs + sweep time}. */
public record StaleRowset(RowsetMeta rowset, long staleAtMs) {
}
