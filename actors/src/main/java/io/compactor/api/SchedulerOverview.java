package io.compactor.api;

import io.compactor.scheduler.watchdog.StuckTabletWatchdog;
import java.util.List;

/**
 * The compaction scheduler of a node at one moment: queues and limits by kind, data dir slots,
 * permits, the tables' fair shares and the tablets the watchdog reports
 * ({@code GET /api/compaction/overview}, the dashboard).
 *
 * @param autoCompaction auto compaction on for the node
 * @param tablets        tablets that report to the scheduler
 */
public record SchedulerOverview(boolean autoCompaction, int tablets, List<Kind> kinds, long permitsUsed,
                                long permitsTotal, List<DataDir> dataDirs, List<TableShare> tables,
                                List<StuckTabletWatchdog.Stuck> stuck) {

    /** One kind: requests waiting (manual and eligible automatic), tasks running and the thread limit. */
    public record Kind(String type, int queued, int running, int limit) {
    }

    /** A data dir's compaction slots. */
    public record DataDir(String path, int executing, int slots) {
    }

    /** A table's fair share: its weight, cap (0 = none) and what of it runs and waits. */
    public record TableShare(long tableId, int weight, int cap, int running, int queued) {
    }
}
