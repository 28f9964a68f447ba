package io.compactor.actors.tablet;

import io.compactor.api.TabletStats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest {@link TabletStats} of every tablet on the node. Written by tablet actors (each its
 * own entry), read by metrics and the score endpoint without asking every actor.
 */
public final class TabletStatsRegistry implements io.compactor.api.TabletStatsView {
    private final ConcurrentHashMap<Long, TabletStats> stats = new ConcurrentHashMap<>();

    public void publish(TabletStats s) {
        stats.put(s.tabletId(), s);
    }

    public void remove(long tabletId) {
        stats.remove(tabletId);
    }

    public TabletStats get(long tabletId) {
        return stats.get(tabletId);
    }

    public Collection<TabletStats> all() {
        return stats.values();
    }

    /** The {@code n} tablets with the highest total score, highest first. */
    public List<TabletStats> topByScore(int n) {
        List<TabletStats> all = new ArrayList<>(stats.values());
        all.sort(Comparator.comparingLong(TabletStats::totalScore).reversed()
                .thenComparingLong(TabletStats::tabletId));
        return all.size() > n ? all.subList(0, n) : all;
    }

    public int maxVersionCount() {
        int m = 0;
        for (TabletStats s : stats.values()) {
            m = Math.max(m, s.versionCount());
        }
        return m;
    }

    public long maxCumulativeScore() {
        long m = 0;
        for (TabletStats s : stats.values()) {
            m = Math.max(m, s.cumulativeScore());
        }
        return m;
    }

    public long maxBaseScore() {
        long m = 0;
        for (TabletStats s : stats.values()) {
            m = Math.max(m, s.baseScore());
        }
        return m;
    }
}
