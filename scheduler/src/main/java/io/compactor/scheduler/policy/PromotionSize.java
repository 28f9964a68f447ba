package io.compactor.scheduler.policy;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.storage.rowset.RowsetMeta;
import java.util.List;

/**
 * The size_based policy's size arithmetic: the promotion size (a cumulative output at least this
 * big is promoted to the base part) and the power-of-two "level" of a size.
 */
public final class PromotionSize {
    private PromotionSize() {
    }

    /**
     * clamp(base.totalBytes x compaction_promotion_ratio, compaction_promotion_min_size_mbytes,
     * compaction_promotion_size_mbytes), where the base is the first rowset by version (1 GiB,
     * 128 MiB and 0.05 by default).
     */
    public static long of(RowsetMeta firstRowset, CompactionConfig config) {
        long p = (long) (firstRowset.totalBytes() * config.compactionPromotionRatio());
        if (p >= config.compactionPromotionSizeBytes()) {
            return config.compactionPromotionSizeBytes();
        }
        if (p <= config.compactionPromotionMinSizeBytes()) {
            return config.compactionPromotionMinSizeBytes();
        }
        return p;
    }

    /** Promotion size of a tablet's visible rowsets (sorted); the minimum when there are none. */
    public static long of(List<RowsetMeta> sortedRowsets, CompactionConfig config) {
        return sortedRowsets.isEmpty() ? config.compactionPromotionMinSizeBytes() : of(sortedRowsets.get(0), config);
    }

    /**
     * 0 below 1 KiB; else the largest power of two not above {@code size}, capped at the largest
     * power of two not above {@code promotionSize / 2}.
     */
    public static long level(long size, long promotionSize) {
        if (size < 1024) {
            return 0;
        }
        long maxLevel = Long.highestOneBit(Math.max(1, promotionSize / 2));
        if (size >= maxLevel) {
            return maxLevel;
        }
        return Long.highestOneBit(size);
    }
}
