package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.concat;
import static io.compactor.scheduler.Fixtures.fresh;
import static io.compactor.scheduler.Fixtures.loads;
import static io.compactor.scheduler.Fixtures.tablet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.compactor.scheduler.CompactionType;
import io.compactor.storage.tablet.TabletMeta;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The candidate a tablet offers the scheduler: its score, its pick, and the permits the pick holds. */
class CompactionCandidateTest extends PolicyTestBase {

    @Test
    void aSizeBasedPickHoldsItsScoreInPermits() {
        TabletMeta t = fresh(concat(new String[]{"0-1:1MB"}, loads(2, 6, "1MB")));
        CompactionCandidate c = CompactionCandidate.of(CompactionType.CUMULATIVE, t, ctx());
        CompactionPick pick = assertInstanceOf(CompactionPick.class, c.decision());
        assertEquals(pick.score(), c.permits());
        assertEquals(6, c.permits());
        assertEquals(c.permits(), c.grantPermits());
    }

    @Test
    void aTimeSeriesPickHoldsOnePermitWhateverItsScore() {
        TabletMeta t = fresh(concat(new String[]{"0-1:1MB"}, loads(2, 12, "1MB")));
        PolicyContext ctx = ctxBuilder().tableProperties(timeSeries(Map.of(
                "time_series_compaction_file_count_threshold", "10"))).build();
        CompactionCandidate c = CompactionCandidate.of(CompactionType.CUMULATIVE, t, ctx);
        CompactionPick pick = assertInstanceOf(CompactionPick.class, c.decision());
        assertEquals(12, pick.score());
        assertEquals(1, c.permits());
        assertEquals(c.score(), CompactionScores.score(CompactionType.CUMULATIVE, t, ctx), "ranked by the kind's score");
    }

    @Test
    void aRefusalOffersItsScoreAndOnePermit() {
        TabletMeta t = tablet(2, "0-1:1MB", "2-2:1MB", "3-3:1MB");
        CompactionCandidate c = CompactionCandidate.of(CompactionType.CUMULATIVE, t, ctx());
        assertInstanceOf(Refusal.class, c.decision(), "fewer than cumulative_compaction_min_deltas");
        assertEquals(2, c.score());
        assertEquals(1, c.permits());
    }

    @Test
    void noScoreOffersNothing() {
        CompactionCandidate c = CompactionCandidate.of(CompactionType.CUMULATIVE, tablet(2, "0-1:1MB"), ctx());
        assertEquals(0, c.score());
        assertNull(c.decision());
        assertEquals(1, c.grantPermits(), "a manual request of a tablet without a score still runs");
    }

    @Test
    void aCandidatePicksFromTheInitialPointWithoutStoringIt() {
        TabletMeta t = fresh(concat(new String[]{"0-1:1MB"}, loads(2, 6, "1MB")));
        CompactionCandidate.of(CompactionType.CUMULATIVE, t, ctx());
        assertEquals(TabletMeta.INVALID_CUMULATIVE_POINT, t.cumulativePoint());
    }
}
