package io.compactor.storage.compaction;

import io.compactor.storage.merge.MergeStats;
import io.compactor.storage.merge.RowIdConversion;
import io.compactor.storage.rowset.PendingRowset;

/**
 * The written (not yet committed) output of a rowset compaction.
 *
 * @param rowset     the output files
 * @param stats      rows in, out and merged; peak memory; vertical or not
 * @param conversion input-to-output row-id map, or {@code null} if not requested
 */
public record CompactionOutput(PendingRowset rowset, MergeStats stats, RowIdConversion conversion) {
}
