package io.compactor.scheduler.policy;

import static io.compactor.scheduler.Fixtures.tablet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.storage.tablet.TabletMeta;
import org.junit.jupiter.api.Test;

/** The cumulative point after installing peer rowsets: never back, never inside a rowset. */
class CumulativePointsTest {

    @Test
    void thePeersPointIsAdoptedWhenAheadAndOnABoundary() {
        TabletMeta before = tablet(2, "0-1:1MB", "2-2:1MB", "3-3:1MB", "4-4:1MB");
        TabletMeta after = tablet(2, "0-1:1MB", "2-4:3MB");
        assertEquals(5, CumulativePoints.afterInstall(before, after, 5));
    }

    @Test
    void aPointInsideARowsetMovesPastIt() {
        TabletMeta before = tablet(2, "0-1:1MB", "2-2:1MB", "3-3:1MB", "4-4:1MB");
        TabletMeta after = tablet(2, "0-1:1MB", "2-4:3MB");
        assertEquals(5, CumulativePoints.afterInstall(before, after, 3));
    }

    @Test
    void thePointNeverMovesBackNorBeyondTheChain() {
        TabletMeta before = tablet(4, "0-1:1MB", "2-3:1MB", "4-4:1MB");
        TabletMeta after = tablet(4, "0-1:1MB", "2-3:1MB", "4-4:1MB", "5-5:1MB");
        assertEquals(4, CumulativePoints.afterInstall(before, after, 2));
        assertEquals(6, CumulativePoints.afterInstall(before, after, 99));
        assertEquals(4, CumulativePoints.afterInstall(before, after, -1));
    }
}
