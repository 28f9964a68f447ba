package io.compactor.scheduler.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TableProperties;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Permits (compaction_permit_limiter_test.cpp), slots (compaction_task_test.cpp), threads, versions. */
class LimitsTest {

    @Test
    void permitsAreGrantedWhileTheyFit() {
        PermitLimiter p = new PermitLimiter(100);
        assertTrue(p.tryAcquire(60));
        assertTrue(p.tryAcquire(40));
        assertFalse(p.tryAcquire(1));
        assertEquals(100, p.used());
        p.release(40);
        assertEquals(60, p.used());
        assertTrue(p.tryAcquire(30));
        assertEquals(10, p.available());
    }

    @Test
    void oversizedRequestIsGrantedOnlyWhenNothingIsUsed() {
        PermitLimiter p = new PermitLimiter(100);
        assertTrue(p.tryAcquire(1));
        assertFalse(p.tryAcquire(500));
        p.release(1);
        assertTrue(p.tryAcquire(500));
        assertEquals(500, p.used());
        assertFalse(p.tryAcquire(1), "over-committed: nothing else until it is released");
        p.release(500);
        assertEquals(0, p.used());
    }

    @Test
    void permitTotalChangesAtRuntime() {
        PermitLimiter p = new PermitLimiter(100);
        assertTrue(p.tryAcquire(80));
        p.setTotal(50);
        assertFalse(p.tryAcquire(1));
        assertEquals(80, p.used());
        p.setTotal(200);
        assertTrue(p.tryAcquire(120));
        assertEquals("total_permits_for_compaction_score must be >= 0 (got -1)",
                assertThrows(IllegalArgumentException.class, () -> p.setTotal(-1)).getMessage());
    }

    @Test
    void releasingMoreThanUsedIsABug() {
        PermitLimiter p = new PermitLimiter(100);
        p.tryAcquire(5);
        assertThrows(IllegalStateException.class, () -> p.release(6));
        assertThrows(IllegalArgumentException.class, () -> p.tryAcquire(-1));
    }

    @Test
    void slotsStopAtTheLimit() {
        assertTrue(SlotPolicy.needGenerateCompactionTasks(2, 4, CompactionType.BASE, false));
        assertFalse(SlotPolicy.needGenerateCompactionTasks(4, 4, CompactionType.CUMULATIVE, true));
    }

    @Test
    void lastSlotIsReservedForCumulative() {
        assertFalse(SlotPolicy.needGenerateCompactionTasks(3, 4, CompactionType.BASE, false));
        assertFalse(SlotPolicy.needGenerateCompactionTasks(3, 4, CompactionType.FULL, false));
        assertTrue(SlotPolicy.needGenerateCompactionTasks(3, 4, CompactionType.BASE, true));
        assertTrue(SlotPolicy.needGenerateCompactionTasks(3, 4, CompactionType.CUMULATIVE, false));
    }

    @Test
    void dataDirSlotsCountExecutingTasks() {
        DataDirSlots slots = new DataDirSlots();
        slots.setSlots("/d1", 3);
        slots.started("/d1", CompactionType.BASE);
        slots.started("/d1", CompactionType.BASE);
        assertFalse(slots.canStart("/d1", CompactionType.BASE), "last slot reserved for cumulative");
        assertTrue(slots.canStart("/d1", CompactionType.CUMULATIVE));
        slots.started("/d1", CompactionType.CUMULATIVE);
        assertEquals(3, slots.executing("/d1"));
        assertFalse(slots.anyFree(CompactionType.CUMULATIVE));
        assertThrows(IllegalStateException.class, () -> slots.started("/d1", CompactionType.CUMULATIVE));
        slots.finished("/d1", CompactionType.BASE);
        assertTrue(slots.canStart("/d1", CompactionType.BASE), "a cumulative task is already there");
        assertThrows(IllegalArgumentException.class, () -> slots.canStart("/nope", CompactionType.BASE));
    }

    @Test
    void lowPrioritySlotsUnderPressure() {
        CompactionConfig c = CompactionConfig.defaults();
        assertEquals(4, SlotPolicy.slotsFor(false, c));
        assertEquals(8, SlotPolicy.slotsFor(true, c));
        assertEquals(2, SlotPolicy.effectiveSlots(4, 150, true, c));
        assertEquals(4, SlotPolicy.effectiveSlots(4, 250, true, c));
        assertEquals(4, SlotPolicy.effectiveSlots(4, 150, false, c));
    }

    @Test
    void fullSharesTheBasePool() {
        ConcurrencyLimits l = new ConcurrencyLimits(2, 3);
        l.started(CompactionType.BASE);
        l.started(CompactionType.FULL);
        assertFalse(l.canStart(CompactionType.BASE));
        assertFalse(l.canStart(CompactionType.FULL));
        assertTrue(l.canStart(CompactionType.CUMULATIVE));
        assertThrows(IllegalStateException.class, () -> l.started(CompactionType.BASE));
    }

    @Test
    void loweringALimitLetsRunningTasksFinish() {
        ConcurrencyLimits l = new ConcurrencyLimits(4, 3);
        for (int i = 0; i < 3; i++) {
            l.started(CompactionType.CUMULATIVE);
        }
        l.setMaxCumuThreads(1);
        assertEquals(3, l.running(CompactionType.CUMULATIVE));
        assertFalse(l.canStart(CompactionType.CUMULATIVE));
        l.finished(CompactionType.CUMULATIVE);
        l.finished(CompactionType.CUMULATIVE);
        assertFalse(l.canStart(CompactionType.CUMULATIVE), "still at the new limit");
        l.finished(CompactionType.CUMULATIVE);
        assertTrue(l.canStart(CompactionType.CUMULATIVE));
        assertEquals(3, l.highWaterMark(CompactionType.CUMULATIVE));
        assertEquals(0, l.highWaterMark(CompactionType.BASE));
        assertThrows(IllegalStateException.class, () -> l.finished(CompactionType.CUMULATIVE));
        assertEquals("max_base_compaction_threads must be >= 1 (got 0)",
                assertThrows(IllegalArgumentException.class, () -> l.setMaxBaseThreads(0)).getMessage());
    }

    @Test
    void threadDefaultsResolveLikeDoris() {
        assertEquals(3, ConcurrencyLimits.resolveBaseThreads(-1, 3));
        assertEquals(1, ConcurrencyLimits.resolveBaseThreads(0, 3));
        assertEquals(4, ConcurrencyLimits.resolveCumuThreads(-1, 2, 24));
        assertEquals(2, ConcurrencyLimits.resolveCumuThreads(-1, 2, 2));
        ConcurrencyLimits l = ConcurrencyLimits.fromConfig(CompactionConfig.defaults(), 1, 2);
        assertEquals(4, l.limit(CompactionType.BASE));
        assertEquals(10, l.limit(CompactionType.CUMULATIVE));
    }

    @Test
    void versionLimits() {
        CompactionConfig c = CompactionConfig.defaults();
        TableProperties ts = TableProperties.parse(Map.of("compaction_policy", "time_series"), false);
        assertEquals(2000, VersionLimits.limitFor(TableProperties.DEFAULTS, c));
        assertEquals(20000, VersionLimits.limitFor(ts, c));
        assertEquals(30000, VersionLimits.limitFor(ts, c.with("max_tablet_version_num", 30000)));
        assertFalse(VersionLimits.shouldForceCumulative(1900, 2000));
        assertTrue(VersionLimits.shouldForceCumulative(1901, 2000));
        assertFalse(VersionLimits.exceeds(2000, 2000));
        assertTrue(VersionLimits.exceeds(2001, 2000));
        assertTrue(VersionLimits.checkLoad(7, 2000, TableProperties.DEFAULTS, c).isEmpty());
        var refused = VersionLimits.checkLoad(7, 2001, TableProperties.DEFAULTS, c).orElseThrow();
        assertEquals(io.compactor.storage.util.StatusCode.TOO_MANY_VERSION, refused.code());
        assertEquals("[E-235]failed to init rowset builder. version count: 2001, exceed limit: 2000, tablet: 7. Please "
                + "reduce the frequency of loading data or adjust the max_tablet_version_num or "
                + "time_series_max_tablet_version_num in be.conf to a larger value.", refused.toString());
        assertTrue(VersionLimits.checkLoad(7, 2001, ts, c).isEmpty(), "time_series tables allow 20000");
    }
}
