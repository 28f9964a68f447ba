package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeakConcurrencyTest {
    private static ProfileTracker.Interval c(long start, long end) {
        return new ProfileTracker.Interval("cumulative", start, end);
    }

    @Test
    void peakCountsOverlapsInsideTheWindowOnlyAndByKind() {
        List<ProfileTracker.Interval> intervals = List.of(c(100, 200), c(150, 250), c(180, 190), c(300, 400),
                new ProfileTracker.Interval("base", 150, 160));
        assertEquals(3, ProfileTracker.peakConcurrency(intervals, "cumulative", 0, 1000));
        assertEquals(1, ProfileTracker.peakConcurrency(intervals, "cumulative", 260, 1000), "only [300,400]");
        assertEquals(2, ProfileTracker.peakConcurrency(intervals, "cumulative", 195, 260), "[100,200] and [150,250]");
        assertEquals(1, ProfileTracker.peakConcurrency(intervals, "base", 0, 1000));
        assertEquals(0, ProfileTracker.peakConcurrency(intervals, "full", 0, 1000));
    }

    @Test
    void backToBackTasksDoNotCountAsConcurrent() {
        assertEquals(1, ProfileTracker.peakConcurrency(List.of(c(100, 200), c(200, 300)), "cumulative", 0, 1000));
    }
}
