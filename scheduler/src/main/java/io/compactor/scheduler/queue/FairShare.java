package io.compactor.scheduler.queue;

import io.compactor.storage.tablet.CompactionPriority;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Weighted fair shares of compaction grants between tables, so that one busy or unimportant table
 * can not starve the others (StarRocks 62202: a system table took all compaction while a business
 * table passed 1,000 versions). Start-time fair queuing over grants: every table has a finish tag;
 * a grant to table {@code t} starts at {@code max(V, finish[t])} and moves {@code finish[t]} on by
 * {@code 1 / weight(t)}; {@code V}, the virtual time, is the start of the last grant. Among the
 * tables with waiting requests the one whose next grant would start first goes next (ties: the
 * lower table id), and within a table the queue's own order holds (score, then age). A table that
 * was idle comes back at {@code V}: it is served at once but banks no credit for its idle time.
 * Weights come from the table property {@code compaction_priority} ({@link #weightOf}).
 *
 * <p>Each table may also have a cap on its compactions running at once on this node
 * ({@code compaction_concurrency_limit}, 0 = none). Manual requests are not subject to shares or
 * caps (they go first, as before). Not thread safe: the supervisor actor owns it.
 */
public final class FairShare {
    /** Weights of the named priorities; a number 1..100 is taken as the weight itself. */
    public static final int LOW = CompactionPriority.LOW;
    public static final int NORMAL = CompactionPriority.NORMAL;
    public static final int HIGH = CompactionPriority.HIGH;
    public static final int MAX_WEIGHT = CompactionPriority.MAX_WEIGHT;

    private static final class Share {
        int weight = NORMAL;
        int cap;
        int running;
        double finish;
    }

    private final Map<Long, Share> tables = new HashMap<>();
    private double virtualTime;

    /** The weight of a {@code compaction_priority} value (see {@link CompactionPriority#weightOf}). */
    public static int weightOf(String priority) {
        return CompactionPriority.weightOf(priority);
    }

    /** The table's weight and cap (0 = no cap) as its tablets last reported them. */
    public void configure(long tableId, int weight, int cap) {
        if (weight < 1 || weight > MAX_WEIGHT || cap < 0) {
            throw new IllegalArgumentException("table " + tableId + ": weight must be 1.." + MAX_WEIGHT
                    + " and cap >= 0 (got " + weight + ", " + cap + ")");
        }
        Share s = share(tableId);
        s.weight = weight;
        s.cap = cap;
    }

    private Share share(long tableId) {
        return tables.computeIfAbsent(tableId, t -> new Share());
    }

    /** Whether the table may start one more automatic compaction under its cap. */
    public boolean underCap(long tableId) {
        Share s = tables.get(tableId);
        return s == null || s.cap == 0 || s.running < s.cap;
    }

    /** A compaction of the table was granted. */
    public void started(long tableId) {
        Share s = share(tableId);
        double start = Math.max(virtualTime, s.finish);
        s.finish = start + 1.0 / s.weight;
        virtualTime = start;
        s.running++;
    }

    /** A compaction of the table ended (or was given back or cancelled). */
    public void finished(long tableId) {
        Share s = tables.get(tableId);
        if (s != null && s.running > 0) {
            s.running--;
        }
    }

    /** When the table's next grant would start in virtual time: lower goes first. */
    public double nextStart(long tableId) {
        Share s = tables.get(tableId);
        return Math.max(virtualTime, s == null ? 0 : s.finish);
    }

    /** The tables in the order their waiting requests are served. */
    public List<Long> order(Collection<Long> tableIds) {
        return tableIds.stream().sorted(Comparator.comparingDouble(this::nextStart).thenComparingLong(t -> t)).toList();
    }

    public int weight(long tableId) {
        Share s = tables.get(tableId);
        return s == null ? NORMAL : s.weight;
    }

    public int cap(long tableId) {
        Share s = tables.get(tableId);
        return s == null ? 0 : s.cap;
    }

    public int running(long tableId) {
        Share s = tables.get(tableId);
        return s == null ? 0 : s.running;
    }

    /** Forgets a table whose tablets are all gone (its running count must be 0). */
    public void forget(long tableId) {
        Share s = tables.get(tableId);
        if (s != null && s.running == 0) {
            tables.remove(tableId);
        }
    }
}
