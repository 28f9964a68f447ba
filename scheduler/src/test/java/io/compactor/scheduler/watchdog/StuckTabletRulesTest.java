package io.compactor.scheduler.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The watchdog's two rules on an injected clock: rising figures and overdue compactions. */
class StuckTabletRulesTest {
    private static final long MIN = 60_000;
    private final StuckTabletWatchdog dog = new StuckTabletWatchdog(
            new StuckTabletWatchdog.Settings(10 * MIN, 5 * MIN, 10_000));

    @Test
    void versionsThatKeepRisingWithNoCompactionFinishingAreReportedOnce() {
        long t = 1_000_000;
        dog.observe(7, 3, 3, t);
        for (int minute = 1; minute <= 9; minute++) {
            dog.observe(7, 3 + minute, 3 + minute, t + minute * MIN);
            assertTrue(dog.evaluate(t + minute * MIN, List.of()).isEmpty(), "minute " + minute);
        }
        dog.observe(7, 14, 14, t + 11 * MIN);
        List<StuckTabletWatchdog.Stuck> fresh = dog.evaluate(t + 11 * MIN, List.of());
        assertEquals(1, fresh.size());
        assertEquals(StuckTabletWatchdog.Reason.VERSIONS_RISING, fresh.get(0).reason());
        assertEquals(t + MIN, fresh.get(0).sinceMs());
        assertEquals("version count rose from 3 to 14 over 600.0 s with no compaction of it finishing",
                fresh.get(0).detail());
        dog.observe(7, 15, 15, t + 12 * MIN);
        assertTrue(dog.evaluate(t + 12 * MIN, List.of()).isEmpty(), "reported once, not on every evaluation");
        assertEquals(1, dog.stuck().size());

        dog.compactionFinished(7);
        dog.observe(7, 4, 4, t + 13 * MIN);
        dog.evaluate(t + 13 * MIN, List.of());
        assertTrue(dog.stuck().isEmpty(), "a finished compaction clears it");
    }

    @Test
    void aTabletThatStoppedGrowingIsIdleNotStuck() {
        long t = 0;
        dog.observe(8, 1, 1, t);
        dog.observe(8, 4, 4, t + MIN); // three loads, then nothing: below the policy's threshold
        dog.evaluate(t + 30 * MIN, List.of());
        assertTrue(dog.stuck().isEmpty());
    }

    @Test
    void regularCompactionsKeepATabletUnderLoadQuiet() {
        long t = 0;
        dog.observe(9, 1, 1, t);
        for (int s = 1; s < 3600; s++) { // a load every second, a compaction every 30 s, for an hour
            if (s % 30 == 0) {
                dog.compactionFinished(9);
            }
            dog.observe(9, 1 + s % 30, 1 + s % 30, t + s * 1000L);
            assertTrue(dog.evaluate(t + s * 1000L, List.of()).isEmpty(), "second " + s);
        }
    }

    @Test
    void aScoreRisingWhileVersionsStayFlatIsReported() {
        long t = 0;
        dog.observe(5, 10, 10, t);
        for (int m = 1; m <= 12; m++) {
            dog.observe(5, 10, 10 + 5L * m, t + m * MIN); // overlapping segments pile up in the same rowsets
        }
        var fresh = dog.evaluate(t + 12 * MIN, List.of());
        assertEquals(StuckTabletWatchdog.Reason.SCORE_RISING, fresh.get(0).reason());
    }

    @Test
    void aCompactionRunningLongerThanItsSizeAllowsIsOverdue() {
        var small = new StuckTabletWatchdog.Running(1, 11, "cumulative", 1000, 100_000); // 10 s at 10k rows/s
        var big = new StuckTabletWatchdog.Running(2, 12, "base", 1000, 60_000_000); // 6,000 s at 10k rows/s
        assertTrue(dog.evaluate(1000 + 5 * MIN, List.of(small, big)).isEmpty(), "the floor: 5 minutes");
        var fresh = dog.evaluate(1000 + 5 * MIN + 1, List.of(small, big));
        assertEquals(1, fresh.size());
        assertEquals(11, fresh.get(0).tabletId());
        assertEquals(StuckTabletWatchdog.Reason.COMPACTION_OVERDUE, fresh.get(0).reason());
        assertEquals("cumulative compaction (task 1) of 100000 input rows has run 300.0 s, over the 300.0 s its size"
                + " allows", fresh.get(0).detail());
        assertTrue(dog.evaluate(1000 + 6000_000L, List.of(big)).isEmpty(), "the big one is within its size");
        assertEquals(12, dog.evaluate(1000 + 6000_001L, List.of(big)).get(0).tabletId());
        assertTrue(dog.evaluate(1000 + 6000_002L, List.of()).isEmpty());
        assertTrue(dog.stuck().isEmpty(), "a compaction that ended is no longer reported");
    }
}
