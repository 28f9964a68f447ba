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
 * Modelled on Doris's be/test/olap/cumulative_compaction_policy_test.cpp. Its fixtures are
 * rowsets of 41 bytes with 3 segments of unknown overlap (score 3 as singletons), and it sets
 * compaction_promotion_min_size_mbytes to 64; so do these tests unless they say otherwise.
 */
class SizeBasedCumulativePolicyTest extends PolicyTestBase {
    private static final SizeBasedCumulativePolicy P = SizeBasedCumulativePolicy.instance();

    // Doris fixtures
    static final String[] SMALL_BASE = {"0-0:41B:3seg:unk", "1-1:41B:3seg:unk", "2-2:41B:3seg:unk",
        "3-3:41B:3seg:unk", "4-4:41B:3seg:unk"};
    static final String[] BIG_BASE = {"0-1:1GB:3seg:nonovl", "2-3:65MB:3seg:nonovl", "4-5:41B:3seg:nonovl",
        "6-6:41B:3seg:ovl", "7-7:41B:3seg:unk"};
    private static final String[] CAL_POINT = {"0-1:41B:3seg:nonovl", "2-3:41B:3seg:nonovl", "4-4:41B:3seg:ovl",
        "5-5:41B:3seg:ovl"};
    private static final String[] PROMOTION = {"0-1:1GB:3seg:nonovl", "2-3:65MB:3seg:nonovl",
        "4-5:41B:3seg:nonovl", "6-6:65MB:3seg:ovl"};
    private static final String[] NOT_SAME_LEVEL = {"0-1:20GB:3seg:nonovl", "2-3:129MB:3seg:nonovl",
        "4-5:12MB:3seg:nonovl", "6-6:12MB:3seg:ovl", "7-7:41B:3seg:unk", "8-8:41B:3seg:unk"};
    private static final String[] PICK_EMPTY = {"0-1:20GB:3seg:nonovl", "2-3:257MB:3seg:nonovl",
        "4-5:129MB:3seg:nonovl", "6-6:41B:3seg:ovl"};
    static final String[] NOT_REACH_MIN = {"0-1:20GB:3seg:nonovl", "2-3:257MB:3seg:nonovl",
        "4-5:1MB:1seg:nonovl", "6-6:1MB:1seg:ovl", "7-7:1MB:1seg:ovl"};

    @BeforeEach
    void dorisTestConfig() {
        config = config.with("compaction_promotion_min_size_mbytes", 64);
    }

    private Selection select(TabletMeta t, long max, long min) {
        PolicyContext ctx = ctx();
        long cp = P.effectiveCumulativePoint(t, ctx);
        List<RowsetMeta> candidates = ConsecutiveVersions.longestRun(
                CumulativeCompactionPolicy.candidates(t, cp, ctx)).rowsets();
        Selection s = P.selectInputs(t, candidates, max, min, ctx);
        for (int i = 1; i < s.inputs().size(); i++) {
            assertEquals(s.inputs().get(i - 1).endVersion() + 1, s.inputs().get(i).startVersion());
        }
        return s;
    }

    private static List<String> versions(Selection s) {
        return s.inputs().stream().map(r -> r.version().toString()).toList();
    }

    // ---- scores

    @Test
    void tabletScoreWithSmallBase() {
        assertEquals(15, fresh(SMALL_BASE).compactionScore());
        assertEquals(15, P.cumulativeScore(fresh(SMALL_BASE), ctx()));
    }

    @Test
    void tabletScoreWithBigBase() {
        assertEquals(9, fresh(BIG_BASE).compactionScore());
        assertEquals(7, P.cumulativeScore(fresh(BIG_BASE), ctx()));
    }

    @Test
    void cumulativeScoreDropsLeadingRowsetsOfHigherLevel() {
        // [2-3] 129 MB is at level 128 MB, the rest (24 MB) at 16 MB: its score does not count
        assertEquals(10, P.cumulativeScore(fresh(NOT_SAME_LEVEL), ctx()));
    }

    @Test
    void cumulativeScoreIsFullWhenSizeReachesPromotion() {
        assertEquals(4, P.cumulativeScore(fresh(PROMOTION), ctx()));
    }

    @Test
    void cumulativeScoreIsZeroWithoutBaseRowset() {
        assertEquals(0, P.cumulativeScore(tablet(2, "2-2:1MB", "3-3:1MB"), ctx()));
        assertEquals(0, P.cumulativeScore(fresh(), ctx()));
    }

    @Test
    void rowsetScoreCountsSegmentsOnlyWhenOverlapping() {
        assertEquals(3, rowset("5-5:1MB:3seg:ovl").compactionScore());
        assertEquals(3, rowset("5-5:1MB:3seg:unk").compactionScore());
        assertEquals(1, rowset("5-5:1MB:3seg:nonovl").compactionScore());
        assertEquals(1, rowset("5-9:1MB:3seg:ovl").compactionScore());
        assertEquals(1, rowset("5-5:0B").compactionScore());
    }

    // ---- cumulative point

    @Test
    void cumulativePointWithBigBaseStopsAtFirstRowsetBelowPromotion() {
        assertEquals(4, P.initialCumulativePoint(fresh(BIG_BASE), ctx()));
    }

    @Test
    void cumulativePointStopsAtSmallNonOverlappingRowset() {
        assertEquals(2, P.initialCumulativePoint(fresh(CAL_POINT), ctx()));
    }

    @Test
    void cumulativePointStopsAtOverlappingBase() {
        assertEquals(0, P.initialCumulativePoint(fresh(SMALL_BASE), ctx()));
    }

    @Test
    void cumulativePointStopsAtVersionHole() {
        assertEquals(4, P.initialCumulativePoint(fresh("0-1:1GB", "2-3:65MB", "5-6:65MB"), ctx()));
    }

    @Test
    void cumulativePointPassesEveryPromotedRowset() {
        assertEquals(6, P.initialCumulativePoint(fresh("0-1:1GB", "2-3:65MB", "4-5:100MB"), ctx()));
    }

    @Test
    void cumulativePointIsInvalidWithoutRowsetsOrBase() {
        assertEquals(-1, P.initialCumulativePoint(fresh(), ctx()));
        assertEquals(-1, P.initialCumulativePoint(fresh("2-3:1MB"), ctx()));
    }

    @Test
    void existingCumulativePointIsKept() {
        assertEquals(3, P.effectiveCumulativePoint(tablet(3, SMALL_BASE), ctx()));
    }

    // ---- candidates

    @Test
    void candidatesStartAtCumulativePoint() {
        TabletMeta t = fresh(CAL_POINT);
        assertEquals(3, CumulativeCompactionPolicy.candidates(t, P.effectiveCumulativePoint(t, ctx()), ctx()).size());
        TabletMeta big = fresh(BIG_BASE);
        assertEquals(3, CumulativeCompactionPolicy.candidates(big, P.effectiveCumulativePoint(big, ctx()), ctx()).size());
    }

    @Test
    void candidatesSkipInvisibleVersionsWithinKeepLimit() {
        TabletMeta t = tablet(2, concat(loads(2, 8, "1MB"), "0-1:1GB"));
        PolicyContext ctx = ctxBuilder().visibleVersion(5).build();
        assertEquals(4, CumulativeCompactionPolicy.candidates(t, 2, ctx).size());
        PolicyContext defaultKeep = ctx.toBuilder().build();
        config = config.with("compaction_keep_invisible_version_max_count", 2);
        PolicyContext far = ctxBuilder().visibleVersion(5).build();
        // versions 8 and 9 are more than 2 beyond the visible version 5: compactable again
        assertEquals(6, CumulativeCompactionPolicy.candidates(t, 2, far).size());
        assertEquals(4, CumulativeCompactionPolicy.candidates(t, 2, defaultKeep).size());
    }

    // ---- pick_input_rowsets, Doris scenarios (max 10, min 5)

    @Test
    void pickNormalTrimsFromBackToMaxScore() {
        Selection s = select(fresh(SMALL_BASE), 10, 5);
        assertEquals(3, s.inputs().size());
        assertEquals(9, s.score());
        assertNull(s.metDeleteVersion());
    }

    @Test
    void pickWithBigBase() {
        Selection s = select(fresh(BIG_BASE), 10, 5);
        assertEquals(List.of("[4-5]", "[6-6]", "[7-7]"), versions(s));
        assertEquals(7, s.score());
    }

    @Test
    void pickPromotionTakesEverythingWhenSizeReachesPromotion() {
        Selection s = select(fresh(PROMOTION), 10, 5);
        assertEquals(2, s.inputs().size());
        assertEquals(4, s.score());
        assertTrue(s.reason().contains("promotion"), s.reason());
    }

    @Test
    void pickNotSameLevelDropsBigLeadingRowset() {
        Selection s = select(fresh(NOT_SAME_LEVEL), 10, 5);
        assertEquals(List.of("[4-5]", "[6-6]", "[7-7]", "[8-8]"), versions(s));
        assertEquals(10, s.score());
    }

    @Test
    void pickEmptyWhenOnlyASmallOverlappingRowsetRemains() {
        Selection s = select(fresh(PICK_EMPTY), 10, 5);
        assertTrue(s.inputs().isEmpty());
        assertEquals(0, s.score());
    }

    @Test
    void pickNothingBelowMinSizeAndMinScore() {
        Selection s = select(fresh(NOT_REACH_MIN), 10, 5);
        assertTrue(s.inputs().isEmpty());
        assertTrue(s.reason().contains("min score 5"), s.reason());
    }

    @Test
    void pickStopsBeforeDeleteVersion() {
        TabletMeta t = fresh("0-1:41B:3seg:nonovl", "2-3:41B:3seg:nonovl", "4-4:41B:3seg:ovl", "5-5:41B:3seg:unk",
                "6-6:41B:3seg:ovl");
        PolicyContext ctx = ctxBuilder().deletePredicate(r -> r.startVersion() == 5).build();
        long cp = P.effectiveCumulativePoint(t, ctx);
        Selection s = P.selectInputs(t, CumulativeCompactionPolicy.candidates(t, cp, ctx), 10, 5, ctx);
        assertEquals(List.of("[2-3]", "[4-4]"), versions(s));
        assertEquals(4, s.score());
        assertEquals(new Version(5, 5), s.metDeleteVersion());
    }

    @Test
    void leadingDeleteVersionMovesCumulativePointWithE2010() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-2:1KB:unk", "3-3:1MB:nonovl");
        PolicyContext ctx = ctxBuilder().deletePredicate(r -> r.startVersion() == 2).build();
        Refusal r = expectRefusal(P, t, ctx, "E-2010");
        assertEquals("cumulative compaction meet delete version", r.message());
        assertEquals(3, r.cumulativePoint());
    }

    // ---- promotion size and level

    @Test
    void promotionSizeIsClampedToMaximum() {
        assertEquals(GB, PromotionSize.of(fresh(NOT_SAME_LEVEL).rowsets(), config));
    }

    @Test
    void promotionSizeIsClampedToMinimum() {
        assertEquals(64 * MB, PromotionSize.of(fresh(SMALL_BASE).rowsets(), config));
        assertEquals(128 * MB, PromotionSize.of(fresh(SMALL_BASE).rowsets(), config.with(
                "compaction_promotion_min_size_mbytes", 128)));
    }

    @Test
    void promotionSizeIsRatioOfBaseInBetween() {
        assertEquals((long) (10 * GB * 0.05), PromotionSize.of(rowset("0-1:10GB"), config));
    }

    @Test
    void levelSize() {
        assertEquals(1L << 29, PromotionSize.level(1L << 30, GB));
        assertEquals(0, PromotionSize.level(1000, GB));
        assertEquals(1L << 20, PromotionSize.level((1L << 20) + 100, GB));
        assertEquals(1L << 19, PromotionSize.level((1L << 20) - 100, GB));
        assertEquals(32 * MB, PromotionSize.level(GB, 64 * MB));
        assertEquals(1024, PromotionSize.level(1024, GB));
    }

    // ---- trimming from the back

    @Test
    void scoreExactlyMaxIsNotTrimmed() {
        Selection s = select(tablet(2, concat(loads(2, 10, "41B"), "0-1:1GB")), 10, 5);
        assertEquals(10, s.inputs().size());
        assertEquals(10, s.score());
    }

    @Test
    void scoreOneAboveMaxDropsTheNewestRowset() {
        Selection s = select(tablet(2, concat(loads(2, 11, "41B"), "0-1:1GB")), 10, 5);
        assertEquals(10, s.inputs().size());
        assertEquals("[11-11]", s.inputs().get(9).version().toString());
        assertTrue(s.reason().contains("trimmed"), s.reason());
    }

    @Test
    void trimmingNeverLeavesALoneNonOverlappingRowset() {
        // promotion path: [2-3] (score 1) + [4-4] (score 20) reach 128 MB; max 10 would leave [2-3]
        // alone, which cannot be compacted by itself, so [4-4] comes back
        Selection s = select(tablet(2, "0-1:1GB", "2-3:100MB:nonovl", "4-4:50MB:20seg"), 10, 5);
        assertEquals(List.of("[2-3]", "[4-4]"), versions(s));
        assertEquals(21, s.score());
    }

    @Test
    void trimmingMayLeaveALoneOverlappingRowset() {
        Selection s = select(tablet(2, "0-1:1GB", "2-2:100MB:20seg", "3-3:50MB:20seg"), 10, 5);
        assertEquals(List.of("[2-2]"), versions(s));
    }

    // ---- fallback when level trimming drops everything

    private static final String[] DESCENDING = {"0-1:1GB", "2-2:40MB:30seg", "3-3:10MB", "4-4:3MB", "5-5:600KB"};

    @Test
    void singleHighScoreRowsetIsPickedWhenNoLevelFitsAndScoreReachesMax() {
        Selection s = select(tablet(2, DESCENDING), 30, 5);
        assertEquals(List.of("[2-2]"), versions(s));
        assertEquals(30, s.score());
        assertTrue(s.reason().contains("highest score"), s.reason());
    }

    @Test
    void nothingIsPickedWhenNoLevelFitsAndScoreIsBelowMax() {
        assertTrue(select(tablet(2, DESCENDING), 40, 5).inputs().isEmpty());
    }

    @Test
    void fallbackWithoutOverlappingRowsetTakesAllTrimmedToMax() {
        Selection s = select(tablet(2, "0-1:1GB", "2-2:40MB:1seg", "3-3:10MB", "4-4:3MB", "5-5:600KB"), 3, 5);
        assertEquals(List.of("[2-2]", "[3-3]", "[4-4]"), versions(s));
        assertEquals(3, s.score());
    }

    // ---- empty rowsets

    @Test
    void onlyEmptyRowsetsAreCompactedOnceScoreReachesMin() {
        Selection s = select(tablet(2, concat(loads(2, 5, "0B"), "0-1:1GB")), 1000, 5);
        assertEquals(5, s.inputs().size());
    }

    @Test
    void fewEmptyRowsetsAreLeftAlone() {
        assertTrue(select(tablet(2, concat(loads(2, 3, "0B"), "0-1:1GB")), 1000, 5).inputs().isEmpty());
    }

    @Test
    void manyEmptyRowsetsAreTrimmedToMaxScore() {
        Selection s = select(tablet(2, concat(loads(2, 1500, "0B"), "0-1:1GB")), 1000, 5);
        assertEquals(1000, s.inputs().size());
        assertEquals(1000, s.score());
    }

    // ---- min and max

    @Test
    void minAboveMax() {
        Selection s = select(fresh(SMALL_BASE), 5, 10);
        // score 15 passes min 10, then trimming to max 5 leaves one overlapping rowset
        assertEquals(List.of("[0-0]"), versions(s));
    }

    @Test
    void minEqualsMax() {
        Selection s = select(tablet(2, concat(loads(2, 5, "41B"), "0-1:1GB")), 5, 5);
        assertEquals(5, s.inputs().size());
        assertTrue(select(tablet(2, concat(loads(2, 4, "41B"), "0-1:1GB")), 5, 5).inputs().isEmpty());
    }

    @Test
    void totalSizeExactlyMinSizeIsEnough() {
        Selection s = select(tablet(2, "0-1:1GB", "2-2:32MB", "3-3:32MB"), 1000, 5);
        assertEquals(2, s.inputs().size());
        assertTrue(select(tablet(2, "0-1:1GB", "2-2:32MB", "3-3:33554431B"), 1000, 5).inputs().isEmpty());
    }

    @Test
    void maxScoreShrinksUnderMemoryPressure() {
        assertEquals(1000, CumulativeCompactionPolicy.maxScore(ctx()));
        assertEquals(100, CumulativeCompactionPolicy.maxScore(ctxBuilder().memoryPressure(true).build()));
        config = config.with("cumulative_compaction_min_deltas", 200);
        assertEquals(201, CumulativeCompactionPolicy.maxScore(ctxBuilder().memoryPressure(true).build()));
    }
}
