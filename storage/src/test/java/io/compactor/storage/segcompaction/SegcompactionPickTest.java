package io.compactor.storage.segcompaction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.storage.segment.SegmentMeta;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SegcompactionPickTest {
    private static final SegcompactionSettings SETTINGS = SegcompactionSettings.defaults(true, 10)
            .withCandidateMaxRows(100);

    /** 'o' = a small segment (50 rows), 'O' = a big one (200 rows). */
    private static List<SegmentMeta> layout(String pattern) {
        List<SegmentMeta> out = new ArrayList<>();
        for (char c : pattern.toCharArray()) {
            out.add(new SegmentMeta(c == 'O' ? 200 : 50, 1000, null, null, 0));
        }
        return out;
    }

    @Test
    void smallHeadSegmentsUpToABigOneFormOneMerge() {
        assertEquals(new SegcompactionPick(0, 4), SegcompactionPick.of(layout("ooooOOoOoo"), 0, SETTINGS));
    }

    @Test
    void bigSegmentsAtTheHeadAreRenamedAndALoneCandidateToo() {
        // cp=4: O O renamed, o alone before the next O: renamed as well.
        assertEquals(new SegcompactionPick(3, 0), SegcompactionPick.of(layout("ooooOOoOoooooo"), 4, SETTINGS));
    }

    @Test
    void fewCandidatesAtTheEndWaitForMore() {
        assertEquals(SegcompactionPick.NOTHING, SegcompactionPick.of(layout("ooooo"), 0, SETTINGS));
        assertEquals(new SegcompactionPick(1, 0), SegcompactionPick.of(layout("Ooooo"), 0, SETTINGS));
        assertEquals(new SegcompactionPick(0, 6), SegcompactionPick.of(layout("oooooo"), 0, SETTINGS));
    }

    @Test
    void atMostBatchSizeCandidates() {
        assertEquals(new SegcompactionPick(0, 10), SegcompactionPick.of(layout("oooooooooooooo"), 0, SETTINGS));
    }

    @Test
    void stopsBeforeTheTaskWouldExceedItsRowLimit() {
        SegcompactionSettings s = new SegcompactionSettings(true, 10, 100, 1 << 20, 175, 1 << 30, 1000, true, 5,
                1 << 20);
        assertEquals(new SegcompactionPick(0, 3), SegcompactionPick.of(layout("oooooooooo"), 0, s));
    }
}
