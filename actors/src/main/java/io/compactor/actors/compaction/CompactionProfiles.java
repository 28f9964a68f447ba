package io.compactor.actors.compaction;

import io.compactor.api.CompactionProfile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The most recent finished compaction tasks of the node, newest first, bounded so it never grows
 * without limit. Written by tablet actors, read by {@code /api/compaction/profile}. Thread-safe.
 */
public final class CompactionProfiles {
    /** Records kept; older ones are dropped. */
    public static final int CAPACITY = 10_000;

    private final ArrayDeque<CompactionProfile> records = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong();

    public long nextId() {
        return ids.incrementAndGet();
    }

    public synchronized void add(CompactionProfile p) {
        records.addFirst(p);
        while (records.size() > CAPACITY) {
            records.removeLast();
        }
    }

    /** Up to {@code topN} records (all if {@code topN <= 0}) matching the filter, newest first. */
    public synchronized List<CompactionProfile> find(Predicate<CompactionProfile> filter, int topN) {
        List<CompactionProfile> out = new ArrayList<>();
        Iterator<CompactionProfile> it = records.iterator();
        while (it.hasNext() && (topN <= 0 || out.size() < topN)) {
            CompactionProfile p = it.next();
            if (filter.test(p)) {
                out.add(p);
            }
        }
        return out;
    }
}
