package io.compactor.scheduler.limit;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;

/**
 * Per-data-dir compaction slots (Doris {@code need_generate_compaction_tasks}): a dir runs at most
 * {@code compaction_task_num_per_disk} (4; {@code compaction_task_num_per_fast_disk} 8 on SSD)
 * compactions at once, and its last free slot is kept for cumulative compaction unless a
 * cumulative task is already there: base compaction is slow, and cumulative compaction is what
 * keeps version counts down.
 */
public final class SlotPolicy {
    private SlotPolicy() {
    }

    /**
     * Whether a new task of {@code type} may start on a dir.
     *
     * @param executing         tasks executing on the dir (all kinds)
     * @param slots             the dir's slot count
     * @param type              the kind to start; base and full both respect the reserved slot
     * @param dirHasCumulative  whether the dir already has a cumulative task
     */
    public static boolean needGenerateCompactionTasks(int executing, int slots, CompactionType type,
                                                      boolean dirHasCumulative) {
        if (executing >= slots) {
            return false;
        }
        return !(executing >= slots - 1 && type != CompactionType.CUMULATIVE && !dirHasCumulative);
    }

    /** The configured slot count of a dir. */
    public static int slotsFor(boolean fastDisk, CompactionConfig config) {
        return fastDisk ? config.compactionTaskNumPerFastDisk() : config.compactionTaskNumPerDisk();
    }

    /**
     * Doris's priority scheduling: a dir whose best score is at most
     * {@code low_priority_compaction_score_threshold} (200) gets only
     * {@code low_priority_compaction_task_num_per_disk} (2) slots while the node is under load or
     * memory pressure.
     */
    public static int effectiveSlots(int slots, long dirMaxScore, boolean nodeUnderPressure, CompactionConfig config) {
        if (nodeUnderPressure && dirMaxScore <= config.lowPriorityCompactionScoreThreshold()) {
            return Math.min(slots, config.lowPriorityCompactionTaskNumPerDisk());
        }
        return slots;
    }
}
