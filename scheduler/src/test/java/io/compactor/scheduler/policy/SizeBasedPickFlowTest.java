package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.GB;
import static io.compactor.scheduler.Fixtures.MB;
import static io.compactor.scheduler.Fixtures.concat;
import static io.compactor.scheduler.Fixtures.fresh;
import static io.compactor.scheduler.Fixtures.loads;
import static io.compactor.scheduler.Fixtures.rowset;
import static io.compactor.scheduler.Fixtures.tablet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TabletMeta;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole size_based cumulative pick (Doris CumulativeCompaction::pick_rowsets_to_compact, §2.8)
 * and the cumulative point after success, on the fixtures of {@link SizeBasedCumulativePolicyTest}.
 */
class SizeBasedPickFlowTest extends PolicyTestBase {
    private static final SizeBasedCumulativePolicy P = SizeBasedCumulativePolicy.instance();
    private static final String[] SMALL_BASE = SizeBasedCumulativePolicyTest.SMALL_BASE;
    private static final String[] BIG_BASE = SizeBasedCumulativePolicyTest.BIG_BASE;
    private static final String[] NOT_REACH_MIN = SizeBasedCumulativePolicyTest.NOT_REACH_MIN;

    @BeforeEach
    void dorisTestConfig() {
        config = config.with("compaction_promotion_min_size_mbytes", 64);
    }

    private Selection select(TabletMeta t, long max, long min) {
        PolicyContext ctx = ctx();
        long cp = P.effectiveCumulativePoint(t, ctx);
        return P.selectInputs(t, ConsecutiveVersions.longestRun(CumulativeCompactionPolicy.candidates(t, cp, ctx))
                .rowsets(), max, min, ctx);
    }

    // ---- the whole pick (§2.8)

    @Test
    void pickComputesCumulativePointAndCompactsEverythingAfterIt() {
        CompactionPick p = expectPick(P, fresh(SMALL_BASE), ctx());
        assertEquals(0, p.cumulativePoint());
        assertEquals(new Version(0, 4), p.outputVersion());
        assertEquals(15, p.score());
        assertEquals(15, p.permits());
        assertEquals("size_based", p.policy());
    }

    @Test
    void pickKeepsLongestConsecutiveRun() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-2:1MB", "3-3:1MB", "5-5:1MB", "6-6:1MB", "7-7:1MB", "8-8:1MB",
                "9-9:1MB");
        CompactionPick p = expectPick(P, t, ctx());
        assertEquals(new Version(5, 9), p.outputVersion());
        assertTrue(p.reason().contains("missing"), p.reason());
    }

    @Test
    void emptyCandidatesAreRefusedWithE2000() {
        Refusal r = expectRefusal(P, tablet(6, "0-1:1GB", "2-5:100MB"), ctx(), "E-2000");
        assertEquals("candidate_rowsets is empty", r.message());
    }

    @Test
    void nothingPickedFirstTimeInitialisesSuccessTimes() {
        Refusal r = expectRefusal(P, fresh(NOT_REACH_MIN), ctx(), "E-2000");
        assertEquals("_input_rowsets is empty", r.message());
        assertEquals("[E-2000]_input_rowsets is empty", r.statusString());
        assertTrue(r.initializeSuccessTimes());
        assertTrue(r.isNoSuitableVersion());
        assertEquals(2, r.cumulativePoint());
    }

    @Test
    void nothingPickedForADayCompactsAllCandidatesIfOneOverlaps() {
        PolicyContext ctx = ctxBuilder().lastCumulativeSuccessMs(clock.millis() - 86_401_000L)
                .lastBaseSuccessMs(clock.millis() - 86_401_000L).build();
        TabletMeta t = tablet(2, "0-1:1GB", "2-2:1KB:2seg", "3-3:1KB");
        assertFalse(select(t, 1000, 5).inputs().size() > 0, "below min size and min score");
        CompactionPick p = expectPick(P, t, ctx);
        assertEquals(List.of("[2-2]", "[3-3]"), versions(p));
    }

    @Test
    void nothingPickedForADayWithoutOverlapAdvancesCumulativePoint() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-3:10MB:nonovl", "4-5:10MB:nonovl");
        PolicyContext ctx = ctxBuilder().lastBaseSuccessMs(clock.millis() - 86_401_000L).build();
        Refusal r = expectRefusal(P, t, ctx, "E-2000");
        assertEquals(5, r.cumulativePoint());
        assertFalse(r.initializeSuccessTimes());
    }

    @Test
    void nothingPickedRecentlyKeepsCumulativePoint() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-3:10MB:nonovl", "4-5:10MB:nonovl");
        PolicyContext ctx = ctxBuilder().lastCumulativeSuccessMs(clock.millis() - 1000)
                .lastBaseSuccessMs(clock.millis() - 86_401_000L).build();
        Refusal r = expectRefusal(P, t, ctx, "E-2000");
        assertEquals(2, r.cumulativePoint());
    }

    // ---- cumulative point after success

    private CompactionPick pickOf(TabletMeta t) {
        return expectPick(P, t, ctx());
    }

    @Test
    void promotedOutputMovesCumulativePointPastIt() {
        TabletMeta t = tablet(2, concat(loads(2, 5, "30MB"), "0-1:1GB"));
        CompactionPick p = pickOf(t);
        RowsetMeta out = rowset("2-6:150MB:nonovl");
        assertEquals(7, P.updatedCumulativePoint(t, p, out, ctx()));
    }

    @Test
    void smallOutputKeepsCumulativePoint() {
        TabletMeta t = tablet(2, concat(loads(2, 5, "1MB"), "0-1:1GB"));
        assertEquals(2, P.updatedCumulativePoint(t, pickOf(t), rowset("2-6:5MB:nonovl"), ctx()));
    }

    @Test
    void mergeOnWriteOutputWithManyVersionsIsPromoted() {
        config = config.with("cumulative_compaction_max_deltas", 2000);
        TabletMeta t = tablet(2, concat(loads(2, 1002, "1KB"), "0-1:1GB"));
        PolicyContext mow = ctxBuilder().keysType(io.compactor.storage.schema.KeysType.UNIQUE_KEYS).build();
        CompactionPick p = expectPick(P, t, mow);
        assertEquals(new Version(2, 1003), p.outputVersion());
        RowsetMeta out = rowset("2-1003:1MB:nonovl");
        assertEquals(1004, P.updatedCumulativePoint(t, p, out, mow));
        assertEquals(2, P.updatedCumulativePoint(t, p, out, ctx()));
    }

    @Test
    void outputAfterDeleteVersionMovesCumulativePoint() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-2:1KB:3seg", "3-3:1KB:3seg", "4-4:1KB");
        PolicyContext ctx = ctxBuilder().deletePredicate(r -> r.startVersion() == 4).build();
        CompactionPick p = expectPick(P, t, ctx);
        assertEquals(new Version(4, 4), p.metDeleteVersion());
        assertEquals(4, P.updatedCumulativePoint(t, p, rowset("2-3:2KB:nonovl"), ctx));
    }

    @Test
    void cumulativePointNeverMovesBackwards() {
        TabletMeta t = fresh(BIG_BASE);
        CompactionPick p = pickOf(t);
        assertEquals(4, p.cumulativePoint());
        assertEquals(4, P.updatedCumulativePoint(t, p, rowset("4-7:1KB:nonovl"), ctx()));
    }
}
