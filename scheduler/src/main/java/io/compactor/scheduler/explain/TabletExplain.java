package io.compactor.scheduler.explain;

import io.compactor.scheduler.watchdog.StuckTabletWatchdog;
import java.util.List;

/**
 * The answer to "why is this tablet (not) compacting now?" ({@code GET /api/compaction/explain}).
 *
 * @param nodeAutoCompaction  auto compaction on for the node
 * @param tableAutoCompaction auto compaction on for the tablet's table
 * @param tableWeight         its table's fair-share weight ({@code compaction_priority})
 * @param tableCap            its table's cap on running compactions, 0 = none
 * @param tableRunning        compactions of its table running now
 * @param kinds               cumulative, base, full
 * @param stuck               the watchdog's report of it, or null
 * @param summary             the answer in one sentence
 */
public record TabletExplain(long tabletId, long tableId, boolean nodeAutoCompaction, boolean tableAutoCompaction,
                           int tableWeight, int tableCap, int tableRunning, List<KindExplain> kinds,
                           StuckTabletWatchdog.Stuck stuck, String summary) {
}
