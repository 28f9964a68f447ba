package io.compactor.api;

import java.util.Collection;
import java.util.List;

/** Read access to every local tablet's last published {@link TabletStats}. Thread-safe. */
public interface TabletStatsView {
    /** The tablet's figures, or null for a tablet this node does not hold. */
    TabletStats get(long tabletId);

    Collection<TabletStats> all();

    /** The {@code n} tablets with the highest compaction score, highest first. */
    List<TabletStats> topByScore(int n);

    int maxVersionCount();

    long maxCumulativeScore();

    long maxBaseScore();
}
