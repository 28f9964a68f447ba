package io.compactor.actors.tablet;

import static io.compactor.actors.tablet.TabletFixture.versions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.CompactionProfile;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.DataDir;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.util.StatusCode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A compaction run (pick, merge, commit, profile) over a real tablet's files, without actors. */
class CompactionRunTest {
    @TempDir
    Path dir;
    private TabletFixture tablet;

    @AfterEach
    void close() {
        tablet.close();
    }

    private void loads(int n) {
        for (int i = 0; i < n; i++) {
            tablet.load(i * 100L, i * 100L + 100);
        }
    }

    @Test
    void aGrantedPickIsMergedAndCommittedInPlaceOfItsInputs() {
        tablet = new TabletFixture(dir, Map.of());
        loads(5);
        var pick = tablet.pick(CompactionType.CUMULATIVE);
        assertEquals("[2-6]", pick.inputVersionRange());
        var merged = CompactionRun.merge(tablet.files(), pick, tablet.engine.nextRowsetId(),
                CompactionRun.settings(tablet.engine.config(), tablet.state.table, CompactionType.CUMULATIVE),
                tablet.engine.debugPoints());
        long start = tablet.clock.millis();
        var committed = CompactionRun.commit(tablet.state, pick, merged, null, tablet.policyContext());

        assertTrue(committed.status().ok(), committed.status()::toString);
        assertEquals(List.of("[0-1]", "[2-6]"), versions(tablet.state.meta));
        assertEquals(5, tablet.state.meta.staleRowsets().size(), "the inputs stay until their sweep time");
        assertEquals(500, tablet.state.meta.totalRows());
        assertEquals(2, tablet.state.meta.cumulativePoint(), "a small output stays above the point (promotion size)");

        CompactionProfile p = CompactionRun.profile(1, 1001, pick, "MANUAL", pick.permits(), merged,
                committed.output(), committed.status(), start, start, start + 5, 2,
                io.compactor.storage.compaction.CompactionProgress.untracked(pick.tabletId(), "cumulative"));
        assertTrue(p.success());
        assertEquals("SUCCESS", p.status());
        assertNull(p.statusMsg());
        assertEquals(5, p.inputRowsetsCount());
        assertEquals(500, p.inputRowNum());
        assertEquals("[2-6]", p.outputVersion());
        assertEquals(500, p.outputRows());
        assertEquals(5, p.permits());
        assertEquals(5, p.costTimeMs());
    }

    @Test
    void aCommitWhoseInputsAnotherCompactionReplacedIsRefusedAndLeavesNoFile() {
        tablet = new TabletFixture(dir, Map.of());
        loads(6);
        var first = tablet.pick(CompactionType.CUMULATIVE);
        var output = tablet.engine.nextRowsetId();
        var merged = CompactionRun.merge(tablet.files(), first, output,
                CompactionRun.settings(tablet.engine.config(), tablet.state.table, CompactionType.CUMULATIVE),
                tablet.engine.debugPoints());
        // Meanwhile a full compaction swaps every rowset, the first's inputs included.
        assertTrue(tablet.compact(CompactionType.FULL).status().ok());
        List<String> before = versions(tablet.state.meta);

        var committed = CompactionRun.commit(tablet.state, first, merged, null, tablet.policyContext());
        assertEquals(StatusCode.DELETE_VERSION_ERROR, committed.status().code());
        assertTrue(committed.status().msg().contains("are no longer current; output discarded"));
        assertEquals(before, versions(tablet.state.meta), "nothing changed");
        assertFalse(tablet.segmentFiles().contains(DataDir.segmentFileName(output, 0)), "the output's files are gone");
    }

    @Test
    void aPickThatNeedsMorePermitsThanGrantedIsGivenBack() {
        tablet = new TabletFixture(dir, Map.of());
        loads(5);
        var start = CompactionRun.start(tablet.state, CompactionType.CUMULATIVE, 2, Set.of(), false,
                tablet.policyContext());
        var giveBack = assertInstanceOf(CompactionRun.GiveBack.class, start);
        assertEquals(5, giveBack.pick().permits());
        assertInstanceOf(CompactionRun.Run.class, CompactionRun.start(tablet.state, CompactionType.CUMULATIVE, 5,
                Set.of(), false, tablet.policyContext()));
    }

    @Test
    void aTimeSeriesPickRunsOnOnePermit() {
        tablet = new TabletFixture(dir, Map.of("compaction_policy", "time_series",
                "time_series_compaction_file_count_threshold", "10"));
        loads(12);
        var start = CompactionRun.start(tablet.state, CompactionType.CUMULATIVE, 1, Set.of(), false,
                tablet.policyContext());
        var run = assertInstanceOf(CompactionRun.Run.class, start);
        assertEquals(1, run.pick().permits());
        assertEquals(12, run.pick().inputs().size());
    }

    @Test
    void aRunningFullCompactionExcludesACumulativeOneWithDorisTryLockAnswer() {
        tablet = new TabletFixture(dir, Map.of());
        loads(5);
        var start = CompactionRun.start(tablet.state, CompactionType.CUMULATIVE, 100, Set.of(CompactionType.FULL),
                false, tablet.policyContext());
        var refused = assertInstanceOf(CompactionRun.Refused.class, start);
        assertEquals("[E-216]The tablet is under cumulative compaction. tablet=" + TabletFixture.TABLET,
                refused.status().toString());
        assertFalse(refused.noSuitableVersion());
    }

    @Test
    void nothingToPickIsASoftRefusalThatStoresTheInitialCumulativePoint() {
        tablet = new TabletFixture(dir, Map.of());
        loads(1);
        var start = CompactionRun.start(tablet.state, CompactionType.CUMULATIVE, 100, Set.of(), false,
                tablet.policyContext());
        var refused = assertInstanceOf(CompactionRun.Refused.class, start);
        assertEquals(StatusCode.CUMULATIVE_NO_SUITABLE_VERSION, refused.status().code());
        assertTrue(refused.noSuitableVersion() && refused.decided());
        assertEquals(2, tablet.state.meta.cumulativePoint(), "the initial point is stored, durably");
    }

    @Test
    void aFailedMergeReportsItsStatusAndChangesNothing() {
        tablet = new TabletFixture(dir, Map.of());
        loads(5);
        var pick = tablet.pick(CompactionType.CUMULATIVE);
        List<RowsetMeta> before = tablet.state.meta.rowsets();
        var committed = CompactionRun.commit(tablet.state, pick, null,
                new IllegalStateException("CHECK_LINES_ERROR: 499 rows out of 500"), tablet.policyContext());
        assertEquals(StatusCode.CHECK_LINES_ERROR, committed.status().code());
        assertEquals(before, tablet.state.meta.rowsets());
    }
}
