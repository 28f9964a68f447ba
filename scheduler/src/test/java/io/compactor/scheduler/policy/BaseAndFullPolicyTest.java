package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.concat;
import static io.compactor.scheduler.Fixtures.loads;
import static io.compactor.scheduler.Fixtures.rowset;
import static io.compactor.scheduler.Fixtures.tablet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TabletMeta;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Base compaction triggers and refusals (Doris base_compaction_test.cpp), and full compaction refusals. */
class BaseAndFullPolicyTest extends PolicyTestBase {
    private static final BasePolicy BASE = BasePolicy.instance();
    private static final FullPolicy FULL = FullPolicy.instance();

    @Test
    void triggerOneManyRowsets() {
        CompactionPick p = expectPick(BASE, tablet(8, concat(loads(2, 6, "1KB:nonovl"), "0-1:900MB")), ctx());
        assertEquals(new Version(0, 7), p.outputVersion());
        assertTrue(p.reason().contains("base_compaction_min_rowset_num"), p.reason());
        assertEquals(CompactionType.BASE, p.type());
    }

    @Test
    void triggerTwoDataRatio() {
        CompactionPick p = expectPick(BASE, tablet(6, "0-1:100MB", "2-3:40MB", "4-5:1MB"), ctx());
        assertTrue(p.reason().contains("cumulative_base_ratio=0.41"), p.reason());
    }

    @Test
    void triggerThreeBaseAge() {
        CompactionPick p = expectPick(BASE, tablet(6, "0-1:900MB:age=2d", "2-3:1MB", "4-5:1MB"), ctx());
        assertTrue(p.reason().contains("interval_since_last_base_compaction=172800"), p.reason());
    }

    @Test
    void noTriggerIsRefusedWithDorisMessage() {
        Refusal r = expectRefusal(BASE, tablet(6, "0-1:512MB", "2-3:1MB", "4-5:1MB"), ctx(), "E-808");
        assertEquals("don't satisfy the base compaction policy. tablet=10001, num_cumulative_rowsets=2, "
                + "cumulative_base_ratio=0.00390625, interval_since_last_base_compaction=0", r.message());
        assertTrue(r.isNoSuitableVersion());
    }

    @Test
    void singleInputIsRefused() {
        Refusal r = expectRefusal(BASE, tablet(2, "0-1:1GB", "2-2:1MB"), ctx(), "E-808");
        assertEquals("_input_rowsets.size() is 1", r.message());
    }

    @Test
    void initialRowsetPlusOneIsRefused() {
        Refusal r = expectRefusal(BASE, tablet(10, "0-1:1KB", "2-9:1GB", "10-10:1MB"), ctx(), "E-808");
        assertTrue(r.message().startsWith("the tablet is with rowset: [0-1], [2-y]"), r.message());
    }

    @Test
    void versionHoleIsAnInternalError() {
        Refusal r = expectRefusal(BASE, tablet(10, "0-1:1GB", "2-3:1MB", "6-7:1MB"), ctx(), "INTERNAL_ERROR");
        assertEquals("versions are not continuity: prev=[2-3] cur=[6-7]", r.message());
        assertTrue(!r.isNoSuitableVersion());
    }

    @Test
    void duplicateKeysSkipLeadingBigRowsets() {
        TabletMeta t = tablet(8, "0-1:2GB", "2-3:1.5GB", "4-5:10MB", "6-7:10MB");
        CompactionPick p = expectPick(BASE, t, ctx());
        assertEquals(new Version(4, 7), p.outputVersion());
        assertTrue(p.reason().contains("skipped"), p.reason());
        CompactionPick unique = expectPick(BASE, t, ctxBuilder().keysType(KeysType.UNIQUE_KEYS).build());
        assertEquals(new Version(0, 7), unique.outputVersion());
    }

    @Test
    void duplicateKeyFilterLeavingOneRowsetIsRefused() {
        expectRefusal(BASE, tablet(6, "0-1:2GB", "2-3:1.5GB", "4-5:10MB"), ctx(), "E-808");
    }

    @Test
    void scoreCapIncludesTheCrossingRowset() {
        TabletMeta t = tablet(32, concat(loads(2, 30, "1MB:nonovl"), "0-1:1GB"));
        CompactionPick p = expectPick(BASE, t, ctx());
        assertEquals(21, p.inputs().size());
        assertEquals(21, p.score());
        CompactionPick mow = expectPick(BASE, t, ctxBuilder().keysType(KeysType.UNIQUE_KEYS).build());
        assertEquals(31, mow.inputs().size());
    }

    @Test
    void deletePredicateThatCannotReachOlderDataIsRefused() {
        TabletMeta t = tablet(8, "2-3:1MB", "4-5:1MB", "6-7:1MB");
        Refusal r = expectRefusal(BASE, t, ctxBuilder().deletePredicate(rs -> rs.startVersion() == 4).build(),
                "E-808");
        assertEquals("Some rowsets cannot apply delete predicates in base compaction. tablet_id=10001", r.message());
    }

    @Test
    void baseScore() {
        TabletMeta t = tablet(6, "0-1:1GB", "2-3:1MB", "4-4:1MB:3seg", "6-6:1MB:4seg");
        assertEquals(5, BasePolicy.baseScore(t, ctx()));
        assertEquals(0, BasePolicy.baseScore(tablet(6, "2-3:1MB", "4-5:1MB"), ctx()));
        PolicyContext ts = ctxBuilder().tableProperties(timeSeries(Map.of())).build();
        assertEquals(0, BasePolicy.baseScore(t, ts));
        assertEquals(5, BasePolicy.baseScore(t, ts.toBuilder().deletePredicate(r -> r.startVersion() == 2).build()));
    }

    // ---- full

    @Test
    void fullTakesEveryRowset() {
        TabletMeta t = tablet(2, "0-1:1GB", "2-5:10MB", "6-6:1MB:3seg");
        CompactionPick p = expectPick(FULL, t, ctx());
        assertEquals(new Version(0, 6), p.outputVersion());
        assertEquals(5, p.permits());
        RowsetMeta out = rowset("0-6:1GB");
        assertEquals(7, SizeBasedCumulativePolicy.instance().updatedCumulativePoint(t, p, out, ctx()));
    }

    @Test
    void fullRefusesSingleRowsetWithE2008() {
        Refusal r = expectRefusal(FULL, tablet(11, "0-10:1GB"), ctx(), "E-2008");
        assertEquals("There is no suitable version", r.message());
    }

    @Test
    void fullRefusesInitialRowsetPlusOneWithE2008() {
        expectRefusal(FULL, tablet(2, "0-1:1KB", "2-9:1GB"), ctx(), "E-2008");
    }

    @Test
    void fullRefusesInvisibleTailWithE2009() {
        TabletMeta t = tablet(2, concat(loads(2, 6, "1MB"), "0-1:1GB"));
        Refusal r = expectRefusal(FULL, t, ctxBuilder().visibleVersion(5).build(), "E-2009");
        assertEquals("Full compaction rowsets' versions not equal to all exist rowsets' versions. full compaction "
                + "rowsets max version=5-5, current rowsets max version=7-7, full compaction rowsets min "
                + "version=0-1, current rowsets min version=0-1", r.message());
        assertTrue(!r.isNoSuitableVersion());
    }

    @Test
    void fullRefusesMissingBaseOrHoleWithE2009() {
        expectRefusal(FULL, tablet(2, "2-3:1MB", "4-5:1MB"), ctx(), "E-2009");
        Refusal hole = expectRefusal(FULL, tablet(2, "0-1:1MB", "2-3:1MB", "5-5:1MB"), ctx(), "E-2009");
        assertTrue(hole.message().contains("prev=[2-3] cur=[5-5]"), hole.message());
    }
}
