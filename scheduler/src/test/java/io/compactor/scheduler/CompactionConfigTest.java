package io.compactor.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactionConfigTest {

    @Test
    void defaultsAreDorisDefaults() {
        Map<String, Object> m = CompactionConfig.defaults().asMap();
        assertEquals(5L, m.get("cumulative_compaction_min_deltas"));
        assertEquals(1000L, m.get("cumulative_compaction_max_deltas"));
        assertEquals(0.05, m.get("compaction_promotion_ratio"));
        assertEquals(128L, m.get("compaction_promotion_min_size_mbytes"));
        assertEquals(20L, m.get("base_compaction_max_compaction_score"));
        assertEquals(200L, m.get("mow_base_compaction_max_compaction_score"));
        assertEquals(1_000_000L, m.get("total_permits_for_compaction_score"));
        assertEquals(10L, m.get("max_cumu_compaction_threads"));
        assertEquals(20000L, m.get("time_series_max_tablet_version_num"));
        assertEquals(10L, m.get("compaction_quarantine_failures"));
        assertEquals(SchedulerKnob.values().length, m.size());
        CompactionConfig c = CompactionConfig.defaults();
        assertEquals(1024L * 1024 * 1024, c.compactionPromotionSizeBytes());
        assertEquals(5000, c.tabletSchedDelayTimeMs());
    }

    @Test
    void invalidValuesNameKeyAndValue() {
        CompactionConfig c = CompactionConfig.defaults();
        assertEquals("cumulative_compaction_min_deltas must be >= 1 (got 0)",
                assertThrows(IllegalArgumentException.class, () -> c.with("cumulative_compaction_min_deltas", 0))
                        .getMessage());
        assertEquals("compaction_task_num_per_disk must be >= 2 (got 1)",
                assertThrows(IllegalArgumentException.class, () -> c.with("compaction_task_num_per_disk", "1"))
                        .getMessage());
        assertEquals("compaction_promotion_ratio must be <= 1 (got 1.5)",
                assertThrows(IllegalArgumentException.class, () -> c.with("compaction_promotion_ratio", 1.5))
                        .getMessage());
        assertEquals("cumulative_compaction_max_deltas must be a whole number (got 'lots')",
                assertThrows(IllegalArgumentException.class, () -> c.with("cumulative_compaction_max_deltas", "lots"))
                        .getMessage());
        assertEquals("unknown compaction config key: no_such_key",
                assertThrows(IllegalArgumentException.class, () -> c.with("no_such_key", 1)).getMessage());
    }

    @Test
    void valuesAreParsedAndCopiesAreIndependent() {
        CompactionConfig c = CompactionConfig.builder()
                .setAll(Map.of("cumulative_compaction_min_deltas", "7", "base_compaction_min_data_ratio", "0.5"))
                .build();
        assertEquals(7, c.cumulativeCompactionMinDeltas());
        assertEquals(0.5, c.baseCompactionMinDataRatio());
        assertEquals(5, CompactionConfig.defaults().cumulativeCompactionMinDeltas());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void compactionTypesUseDorisNames() {
        assertEquals(CompactionType.CUMULATIVE, CompactionType.fromDorisName("cumulative"));
        assertEquals("full", CompactionType.FULL.dorisName());
        assertEquals("The compaction type 'mini' is not supported",
                assertThrows(IllegalArgumentException.class, () -> CompactionType.fromDorisName("mini")).getMessage());
    }
}
