package io.compactor.api;

import java.util.Map;

/** What {@code check_tablet_segment_lost} found: the damaged tablets (id to the first problem) among {@code checked}. */
public record SegmentLossReport(int checked, Map<Long, String> badTablets) {
    public SegmentLossReport {
        badTablets = Map.copyOf(badTablets);
    }
}
