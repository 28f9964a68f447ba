package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.concat;
import static io.compactor.scheduler.Fixtures.fresh;
import static io.compactor.scheduler.Fixtures.loads;
import static io.compactor.scheduler.Fixtures.rowset;
import static io.compactor.scheduler.Fixtures.tablet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.Fixtures;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Modelled on Doris's cumulative_compaction_time_series_policy_test.cpp. */
class TimeSeriesCumulativePolicyTest extends PolicyTestBase {
    private static final TimeSeriesCumulativePolicy P = TimeSeriesCumulativePolicy.instance();
    private static final TableProperties TS = timeSeries(Map.of());
    private static final TableProperties TS_FILES_10 = timeSeries(Map.of(TableProperties.FILE_COUNT, "10"));
    private static final TableProperties TS_LEVEL2 = timeSeries(Map.of(TableProperties.LEVEL_THRESHOLD, "2"));

    private PolicyContext ctx(TableProperties p) {
        return ctxBuilder().tableProperties(p).build();
    }

    // ---- cumulative point

    @Test
    void cumulativePointStopsAtOverlappingOrSingletonRowset() {
        assertEquals(4, P.initialCumulativePoint(fresh("0-1:1GB", "2-3:10MB", "4-4:1MB:2seg", "5-5:1MB"), ctx(TS)));
    }

    @Test
    void cumulativePointPassesBigCompactedRowsets() {
        assertEquals(11, P.initialCumulativePoint(fresh("0-1:1GB", "2-10:2GB", "11-11:1MB"), ctx(TS)));
    }

    @Test
    void cumulativePointStopsAtEmptyCompactedRowset() {
        assertEquals(2, P.initialCumulativePoint(fresh("0-1:1GB", "2-5:0B", "6-6:1MB"), ctx(TS)));
    }

    @Test
    void cumulativePointWaitsForYoungLevelOneRowsetsWithLevelTwo() {
        assertEquals(2, P.initialCumulativePoint(fresh("0-1:1GB", "2-5:100MB:lvl=1", "6-6:1MB"), ctx(TS_LEVEL2)));
        assertEquals(6, P.initialCumulativePoint(fresh("0-1:1GB", "2-5:100MB:lvl=1:age=25h", "6-6:1MB"),
                ctx(TS_LEVEL2)));
        assertEquals(6, P.initialCumulativePoint(fresh("0-1:1GB", "2-5:100MB:lvl=1", "6-6:1MB"), ctx(TS)));
    }

    // ---- score

    @Test
    void scoreByGoalSize() {
        assertEquals(3, P.cumulativeScore(tablet(2, concat(loads(2, 3, "400MB"), "0-1:1GB")), ctx(TS)));
        assertEquals(0, P.cumulativeScore(tablet(2, concat(loads(2, 2, "400MB"), "0-1:1GB")), ctx(TS)));
    }

    @Test
    void scoreByFileCount() {
        assertEquals(10, P.cumulativeScore(tablet(2, concat(loads(2, 10, "1KB"), "0-1:1GB")), ctx(TS_FILES_10)));
        assertEquals(0, P.cumulativeScore(tablet(2, concat(loads(2, 9, "1KB"), "0-1:1GB")), ctx(TS_FILES_10)));
    }

    @Test
    void scoreByAge() {
        assertEquals(2, P.cumulativeScore(tablet(2, "0-1:1GB", "2-2:1MB:age=2h", "3-3:1MB"), ctx(TS)));
        assertEquals(0, P.cumulativeScore(tablet(2, "0-1:1GB", "2-2:1MB:age=59m", "3-3:1MB"), ctx(TS)));
    }

    @Test
    void scoreByConsecutiveEmptyRowsets() {
        TabletMeta t = tablet(2, concat(concat(new String[] {"0-1:1GB", "2-2:1MB"}, loads(3, 5, "0B")), "8-8:1MB"));
        assertEquals(7, P.cumulativeScore(t, ctx(TS)));
        TabletMeta tail = tablet(2, concat(new String[] {"0-1:1GB", "2-2:1MB"}, loads(3, 5, "0B")));
        assertEquals(0, P.cumulativeScore(tail, ctx(TS)));
    }

    @Test
    void scoreIsZeroWithoutBase() {
        assertEquals(0, P.cumulativeScore(tablet(2, concat(loads(2, 3, "400MB"))), ctx(TS)));
    }

    @Test
    void scoreCountsOldLevelOneRowsetsWithLevelTwo() {
        // a time threshold of 30 h keeps condition 3 (age) quiet: only condition 4 (10 x goal size) holds
        TableProperties p = timeSeries(Map.of(TableProperties.LEVEL_THRESHOLD, "2",
                TableProperties.TIME_THRESHOLD, "108000"));
        TabletMeta t = tablet(2, "0-1:1GB", "2-5:6GB:lvl=1:age=25h", "6-9:6GB:lvl=1:age=25h", "10-10:1MB");
        assertEquals(2, P.cumulativeScore(t, ctx(p)));
        TabletMeta small = tablet(2, "0-1:1GB", "2-5:1GB:lvl=1:age=25h", "6-9:1GB:lvl=1:age=25h", "10-10:1MB");
        assertEquals(0, P.cumulativeScore(small, ctx(p)));
        // with the default threshold the old rowsets trigger condition 3 first: the full score
        assertEquals(3, P.cumulativeScore(t, ctx(TS_LEVEL2)));
    }

    // ---- picks

    @Test
    void pickByGoalSize() {
        CompactionPick p = expectPick(P, tablet(2, concat(loads(2, 4, "400MB"), "0-1:1GB")), ctx(TS));
        assertEquals(List.of("[2-2]", "[3-3]", "[4-4]"), versions(p));
        assertEquals(1, p.permits());
        assertTrue(p.reason().contains("goal size"), p.reason());
    }

    @Test
    void pickSkipsALoneBigNonOverlappingRowset() {
        CompactionPick p = expectPick(P, tablet(2, "0-1:1GB", "2-2:2GB", "3-3:600MB", "4-4:600MB"), ctx(TS));
        assertEquals(List.of("[3-3]", "[4-4]"), versions(p));
    }

    @Test
    void pickByFileCount() {
        CompactionPick p = expectPick(P, tablet(2, concat(loads(2, 12, "1KB"), "0-1:1GB")), ctx(TS_FILES_10));
        assertEquals(12, p.inputs().size());
        assertTrue(p.reason().contains("file_count"), p.reason());
    }

    @Test
    void pickStopsAtMaxRowsetCount() {
        config = config.with("compaction_max_rowset_count", 5);
        CompactionPick p = expectPick(P, tablet(2, concat(loads(2, 8, "1KB"), "0-1:1GB")), ctx(TS));
        assertEquals(new Version(2, 6), p.outputVersion());
    }

    @Test
    void pickByTimeInterval() {
        CompactionPick p = expectPick(P, tablet(2, "0-1:1GB", "2-2:1MB:age=2h", "3-3:1MB"), ctx(TS));
        assertEquals(new Version(2, 3), p.outputVersion());
        assertTrue(p.reason().contains("time_threshold"), p.reason());
    }

    @Test
    void pickSkipsLeadingCompactedRowsets() {
        CompactionPick p = expectPick(P, tablet(2, "0-1:1GB", "2-5:100MB", "6-6:1MB:age=2h", "7-7:1MB"), ctx(TS));
        assertEquals(new Version(6, 7), p.outputVersion());
    }

    @Test
    void pickMergesConsecutiveEmptyRowsets() {
        TabletMeta t = tablet(2, concat(concat(new String[] {"0-1:1GB", "2-2:1MB"}, loads(3, 6, "0B")), "9-9:1MB"));
        CompactionPick p = expectPick(P, t, ctx(TS));
        assertEquals(new Version(3, 8), p.outputVersion());
        assertTrue(p.emptyRowsetMerge());
    }

    @Test
    void emptyRunBelowThresholdIsLeftAlone() {
        TabletMeta t = tablet(2, concat(concat(new String[] {"0-1:1GB", "2-2:1MB"}, loads(3, 4, "0B")), "7-7:1MB"));
        Refusal r = expectRefusal(P, t, ctx(TS), "E-2000");
        assertTrue(r.initializeSuccessTimes());
    }

    @Test
    void youngSmallRowsetsAreNotPicked() {
        Refusal r = expectRefusal(P, tablet(2, "0-1:1GB", "2-2:1MB", "3-3:1MB"), ctx(TS), "E-2000");
        assertEquals("_input_rowsets is empty", r.message());
        assertTrue(r.detail().contains("goal"), r.detail());
    }

    @Test
    void levelTwoMergesOldLevelOneRowsetsBySize() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-5:6GB:lvl=1:age=25h", "6-9:6GB:lvl=1:age=25h", "10-10:1MB");
        CompactionPick p = expectPick(P, t, ctx(TS_LEVEL2));
        assertEquals(new Version(2, 9), p.outputVersion());
        assertEquals(2, p.outputLevel());
    }

    @Test
    void levelTwoMergesOldLevelOneRowsetsByAge() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-5:100MB:lvl=1:age=25h", "6-9:100MB:lvl=1:age=25h", "10-10:1MB");
        assertEquals(new Version(2, 9), expectPick(P, t, ctx(TS_LEVEL2)).outputVersion());
    }

    @Test
    void levelTwoWaitsForYoungLevelOneRowsets() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-5:6GB:lvl=1", "6-9:6GB:lvl=1", "10-10:1MB");
        expectRefusal(P, t, ctx(TS_LEVEL2), "E-2000");
    }

    @Test
    void levelTwoCapsGoalSize() {
        TableProperties p = timeSeries(Map.of(TableProperties.LEVEL_THRESHOLD, "2", TableProperties.GOAL_SIZE, "5000"));
        assertEquals(2048L * Fixtures.MB, TimeSeriesCumulativePolicy.goalBytes(p));
        assertEquals(5000L * Fixtures.MB, TimeSeriesCumulativePolicy.goalBytes(timeSeries(
                Map.of(TableProperties.GOAL_SIZE, "5000"))));
    }

    @Test
    void levelZeroInputsProduceLevelOneWithLevelTwo() {
        CompactionPick p = expectPick(P, tablet(2, concat(loads(2, 4, "400MB"), "0-1:1GB")), ctx(TS_LEVEL2));
        assertEquals(1, p.outputLevel());
        assertEquals(0, expectPick(P, tablet(2, concat(loads(2, 4, "400MB"), "0-1:1GB")), ctx(TS)).outputLevel());
    }

    // ---- cumulative point after success

    @Test
    void everyNonEmptyOutputIsPromoted() {
        TabletMeta t = tablet(2, concat(loads(2, 4, "400MB"), "0-1:1GB"));
        CompactionPick p = expectPick(P, t, ctx(TS));
        assertEquals(5, P.updatedCumulativePoint(t, p, rowset("2-4:1MB"), ctx(TS)));
    }

    @Test
    void emptyOutputKeepsCumulativePoint() {
        TabletMeta t = tablet(2, concat(concat(new String[] {"0-1:1GB", "2-2:1MB"}, loads(3, 6, "0B")), "9-9:1MB"));
        CompactionPick p = expectPick(P, t, ctx(TS));
        assertEquals(2, P.updatedCumulativePoint(t, p, rowset("3-8:0B"), ctx(TS)));
    }

    @Test
    void levelOneOutputKeepsCumulativePointWithLevelTwo() {
        TabletMeta t = tablet(2, concat(loads(2, 4, "400MB"), "0-1:1GB"));
        CompactionPick p = expectPick(P, t, ctx(TS_LEVEL2));
        assertEquals(2, P.updatedCumulativePoint(t, p, rowset("2-4:1GB:lvl=1"), ctx(TS_LEVEL2)));
        assertEquals(5, P.updatedCumulativePoint(t, p, rowset("2-4:1GB:lvl=2"), ctx(TS_LEVEL2)));
    }

    @Test
    void policyFollowsTableProperty() {
        assertEquals("time_series", CompactionPolicy.of(io.compactor.scheduler.CompactionType.CUMULATIVE,
                ctx(TS)).name());
        assertEquals("size_based", CompactionPolicy.of(io.compactor.scheduler.CompactionType.CUMULATIVE,
                ctx()).name());
        assertEquals(0, CompactionScores.score(io.compactor.scheduler.CompactionType.BASE,
                tablet(4, "0-1:1GB", "2-3:1GB", "4-4:1MB"), ctx(TS)), "time_series base needs deletes");
    }
}
