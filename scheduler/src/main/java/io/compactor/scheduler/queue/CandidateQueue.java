package io.compactor.scheduler.queue;

import io.compactor.scheduler.CompactionType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Waiting compaction requests, one per (tablet, kind), in the order they should be granted:
 * manual requests first, then urgent ones (the tablet is past the soft version threshold of
 * graded back-pressure, so its loads are being delayed), then higher score, then the oldest
 * request (then arrival order). A
 * second request for a queued (tablet, kind) is refused, which is Doris's ALREADY_EXIST
 * ("compaction task has already been submitted"); that dedupe also bounds the queue to three
 * entries per tablet. Pure data structure, not thread safe: the supervisor actor owns it.
 */
public final class CandidateQueue {

    /**
     * One waiting request.
     *
     * @param score         the kind's score when requested (higher first)
     * @param permits       the permits its grant holds: those of the tablet's pick
     * @param manual        an operator's request (before any automatic one)
     * @param requestedAtMs when it was requested, epoch ms (older first)
     * @param urgent        the tablet is near its version limit (after manual, before any score)
     */
    public record Request(long tabletId, long tableId, CompactionType type, long score, long permits,
                          boolean manual, long requestedAtMs, boolean urgent) {
        public Request {
            Objects.requireNonNull(type, "type");
        }

        /** A request of a tablet whose table does not matter (table 0), not urgent. */
        public Request(long tabletId, CompactionType type, long score, long permits, boolean manual,
                       long requestedAtMs) {
            this(tabletId, 0, type, score, permits, manual, requestedAtMs, false);
        }

        /** A request of a tablet whose table does not matter (table 0). */
        public Request(long tabletId, CompactionType type, long score, long permits, boolean manual,
                       long requestedAtMs, boolean urgent) {
            this(tabletId, 0, type, score, permits, manual, requestedAtMs, urgent);
        }

        /** A request that is not urgent. */
        public Request(long tabletId, long tableId, CompactionType type, long score, long permits,
                       boolean manual, long requestedAtMs) {
            this(tabletId, tableId, type, score, permits, manual, requestedAtMs, false);
        }
    }

    private record Key(long tabletId, CompactionType type) {
    }

    private record Entry(Request request, long seq) {
    }

    private static final Comparator<Entry> ORDER = Comparator
            .comparing((Entry e) -> !e.request().manual())
            .thenComparing((Entry e) -> !e.request().urgent())
            .thenComparing(Comparator.comparingLong((Entry e) -> e.request().score()).reversed())
            .thenComparingLong(e -> e.request().requestedAtMs())
            .thenComparingLong(Entry::seq);

    private final TreeSet<Entry> ordered = new TreeSet<>(ORDER);
    private final Map<Key, Entry> index = new HashMap<>();
    private long nextSeq;

    /** Queues a request; false (ALREADY_EXIST) if one for the same tablet and kind is waiting. */
    public boolean offer(Request request) {
        Key k = new Key(request.tabletId(), request.type());
        if (index.containsKey(k)) {
            return false;
        }
        Entry e = new Entry(request, nextSeq++);
        index.put(k, e);
        ordered.add(e);
        return true;
    }

    /** Re-ranks a waiting request after its tablet's candidate changed; false if it is not queued. */
    public boolean update(long tabletId, CompactionType type, long score, long permits) {
        Entry old = index.get(new Key(tabletId, type));
        return old != null && update(tabletId, type, score, permits, old.request().urgent());
    }

    /** {@link #update(long, CompactionType, long, long)} that also sets whether the request is urgent. */
    public boolean update(long tabletId, CompactionType type, long score, long permits, boolean urgent) {
        Key k = new Key(tabletId, type);
        Entry old = index.get(k);
        if (old == null) {
            return false;
        }
        ordered.remove(old);
        Request r = old.request();
        Entry e = new Entry(new Request(r.tabletId(), r.tableId(), r.type(), score, permits, r.manual(),
                r.requestedAtMs(), urgent), old.seq());
        index.put(k, e);
        ordered.add(e);
        return true;
    }

    /** Removes and returns the first request (in order) that {@code eligible} accepts. */
    public Optional<Request> pollEligible(Predicate<Request> eligible) {
        Iterator<Entry> it = ordered.iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (eligible.test(e.request())) {
                it.remove();
                index.remove(new Key(e.request().tabletId(), e.request().type()));
                return Optional.of(e.request());
            }
        }
        return Optional.empty();
    }

    /**
     * Removes and returns the request to grant next under weighted fair shares between tables:
     * the first eligible manual or urgent (near the version limit) request in queue order; else, table by table in
     * {@link FairShare#order} (skipping tables at their cap), the table's first eligible request in
     * queue order. The caller records the grant with {@link FairShare#started}.
     */
    public Optional<Request> pollEligible(Predicate<Request> eligible, FairShare shares) {
        Map<Long, List<Entry>> byTable = new java.util.LinkedHashMap<>();
        for (Entry e : ordered) {
            Request r = e.request();
            if (r.manual() || r.urgent()) { // a tablet near its version limit goes first, whatever its share
                if (eligible.test(r)) {
                    return Optional.of(take(e));
                }
            } else {
                byTable.computeIfAbsent(r.tableId(), t -> new ArrayList<>()).add(e);
            }
        }
        for (long table : shares.order(byTable.keySet())) {
            if (!shares.underCap(table)) {
                continue;
            }
            for (Entry e : byTable.get(table)) {
                if (eligible.test(e.request())) {
                    return Optional.of(take(e));
                }
            }
        }
        return Optional.empty();
    }

    private Request take(Entry e) {
        ordered.remove(e);
        index.remove(new Key(e.request().tabletId(), e.request().type()));
        return e.request();
    }

    /** The waiting request of (tablet, kind), if any. */
    public Optional<Request> get(long tabletId, CompactionType type) {
        Entry e = index.get(new Key(tabletId, type));
        return e == null ? Optional.empty() : Optional.of(e.request());
    }

    /** The first request without removing it. */
    public Optional<Request> peek() {
        return ordered.isEmpty() ? Optional.empty() : Optional.of(ordered.first().request());
    }

    public boolean contains(long tabletId, CompactionType type) {
        return index.containsKey(new Key(tabletId, type));
    }

    public boolean remove(long tabletId, CompactionType type) {
        Entry e = index.remove(new Key(tabletId, type));
        return e != null && ordered.remove(e);
    }

    /** Removes every request of a tablet (dropped or migrated); returns how many. */
    public int removeTablet(long tabletId) {
        int n = 0;
        for (CompactionType t : CompactionType.values()) {
            if (remove(tabletId, t)) {
                n++;
            }
        }
        return n;
    }

    public int size() {
        return index.size();
    }

    public boolean isEmpty() {
        return index.isEmpty();
    }

    /** The waiting requests in grant order, for run_status and metrics. */
    public List<Request> snapshot() {
        List<Request> out = new ArrayList<>(ordered.size());
        for (Entry e : ordered) {
            out.add(e.request());
        }
        return out;
    }
}
