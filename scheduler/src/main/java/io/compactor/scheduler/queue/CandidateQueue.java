package io.compactor.scheduler.queue;

import io.compactor.scheduler.CompactionType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
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
    /**
     * The same requests in lanes, each in queue order: manual and urgent ones by kind (they go first,
     * whatever their table's share), the other automatic ones by kind and table. A dispatch looks
     * only at the lanes whose kind can start at all, so a full thread pool does not make every
     * report walk the whole queue (100,000 tablets).
     */
    private final Map<CompactionType, TreeSet<Entry>> firstLanes = new EnumMap<>(CompactionType.class);
    private final Map<CompactionType, Map<Long, TreeSet<Entry>>> autoLanes = new EnumMap<>(CompactionType.class);
    /** Automatic requests in table lanes per table, over all kinds. */
    private final Map<Long, Integer> autoPerTable = new HashMap<>();
    private final Map<CompactionType, Integer> sizes = new EnumMap<>(CompactionType.class);
    private long nextSeq;

    /**
     * Which lanes a dispatch may grant from now: a kind with no free thread or slot is closed.
     * {@code first} is the lane of manual and urgent requests.
     */
    @FunctionalInterface
    public interface LaneGate {
        boolean open(CompactionType type, boolean first);

        /** Every lane open. */
        LaneGate ALL = (type, manual) -> true;
    }

    /** Queues a request; false (ALREADY_EXIST) if one for the same tablet and kind is waiting. */
    public boolean offer(Request request) {
        Key k = new Key(request.tabletId(), request.type());
        if (index.containsKey(k)) {
            return false;
        }
        add(k, new Entry(request, nextSeq++));
        return true;
    }

    private void add(Key k, Entry e) {
        Request r = e.request();
        index.put(k, e);
        ordered.add(e);
        sizes.merge(r.type(), 1, Integer::sum);
        if (first(r)) {
            firstLanes.computeIfAbsent(r.type(), t -> new TreeSet<>(ORDER)).add(e);
        } else {
            autoLanes.computeIfAbsent(r.type(), t -> new HashMap<>())
                    .computeIfAbsent(r.tableId(), t -> new TreeSet<>(ORDER)).add(e);
            autoPerTable.merge(r.tableId(), 1, Integer::sum);
        }
    }

    /** Manual and urgent (near the version limit) requests go first, whatever their table's share. */
    private static boolean first(Request r) {
        return r.manual() || r.urgent();
    }

    /** Removes the entry from the order and its lane (not from the index). */
    private void unlink(Entry e) {
        Request r = e.request();
        ordered.remove(e);
        sizes.merge(r.type(), -1, Integer::sum);
        if (first(r)) {
            firstLanes.get(r.type()).remove(e);
        } else {
            Map<Long, TreeSet<Entry>> byTable = autoLanes.get(r.type());
            TreeSet<Entry> lane = byTable.get(r.tableId());
            lane.remove(e);
            if (lane.isEmpty()) {
                byTable.remove(r.tableId());
            }
            if (autoPerTable.merge(r.tableId(), -1, Integer::sum) == 0) {
                autoPerTable.remove(r.tableId());
            }
        }
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
        Request r = old.request();
        if (r.score() == score && r.permits() == permits && r.urgent() == urgent) {
            return true; // same rank: nothing to move
        }
        unlink(old);
        add(k, new Entry(new Request(r.tabletId(), r.tableId(), r.type(), score, permits, r.manual(),
                r.requestedAtMs(), urgent), old.seq()));
        return true;
    }

    /** Removes and returns the first request (in order) that {@code eligible} accepts. */
    public Optional<Request> pollEligible(Predicate<Request> eligible) {
        for (Entry e : ordered) {
            if (eligible.test(e.request())) {
                return Optional.of(take(e));
            }
        }
        return Optional.empty();
    }

    /** {@link #pollEligible(Predicate, FairShare, LaneGate)} with every lane open. */
    public Optional<Request> pollEligible(Predicate<Request> eligible, FairShare shares) {
        return pollEligible(eligible, shares, LaneGate.ALL);
    }

    /**
     * Removes and returns the request to grant next under weighted fair shares between tables:
     * the first eligible manual or urgent (near the version limit) request in queue order; else,
     * table by table in {@link FairShare#order} (skipping tables at their cap), the table's first eligible request in
     * queue order. Lanes the gate closes are skipped; the gate must close a lane only when no request
     * of it is eligible, so the answer is the same as walking the whole queue. The caller records
     * the grant with {@link FairShare#started}.
     */
    public Optional<Request> pollEligible(Predicate<Request> eligible, FairShare shares, LaneGate gate) {
        Entry best = null;
        for (var lane : firstLanes.entrySet()) {
            if (gate.open(lane.getKey(), true)) {
                best = firstEligible(lane.getValue(), eligible, best);
            }
        }
        if (best != null) {
            return Optional.of(take(best));
        }
        List<CompactionType> open = new ArrayList<>(2);
        for (CompactionType t : autoLanes.keySet()) {
            if (gate.open(t, false)) {
                open.add(t);
            }
        }
        if (open.isEmpty()) {
            return Optional.empty();
        }
        for (long table : shares.order(autoPerTable.keySet())) {
            if (!shares.underCap(table)) {
                continue;
            }
            for (CompactionType t : open) {
                TreeSet<Entry> lane = autoLanes.get(t).get(table);
                if (lane != null) {
                    best = firstEligible(lane, eligible, best);
                }
            }
            if (best != null) {
                return Optional.of(take(best));
            }
        }
        return Optional.empty();
    }

    /** The first eligible entry of the lane if it comes before {@code best} in queue order, else {@code best}. */
    private static Entry firstEligible(TreeSet<Entry> lane, Predicate<Request> eligible, Entry best) {
        for (Entry e : lane) {
            if (best != null && ORDER.compare(e, best) > 0) {
                return best;
            }
            if (eligible.test(e.request())) {
                return e;
            }
        }
        return best;
    }

    private Request take(Entry e) {
        index.remove(new Key(e.request().tabletId(), e.request().type()));
        unlink(e);
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
        if (e == null) {
            return false;
        }
        unlink(e);
        return true;
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

    /** Requests of one kind waiting (manual and automatic). */
    public int size(CompactionType type) {
        return sizes.getOrDefault(type, 0);
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
