package io.compactor.actors.compaction;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The (tablet, kind) pairs whose last pick found nothing ("no suitable version") or that an
 * operator cancelled: not offered again until the tablet reports another score, or until
 * {@code recheckMs} passed when only time can change the answer. Owned by the supervisor actor.
 */
final class ParkedRequests {
    /** One parked pair: the score it was parked at, when, and the status that parked it. */
    record Parked(long score, long parkedAtMs, String status) {
    }

    private final Map<TaskKey, Parked> parked = new HashMap<>();
    private final long recheckMs;

    ParkedRequests(long recheckMs) {
        this.recheckMs = recheckMs;
    }

    void park(TaskKey key, long score, long nowMs, String status) {
        parked.put(key, new Parked(score, nowMs, status));
    }

    void clear(TaskKey key) {
        parked.remove(key);
    }

    /** Whether the pair stays parked for an offer at {@code score}; forgets it when it does not. */
    boolean holds(TaskKey key, long score, long nowMs) {
        Parked p = parked.get(key);
        if (p != null && p.score() == score && nowMs - p.parkedAtMs() < recheckMs) {
            return true;
        }
        parked.remove(key);
        return false;
    }

    /** Removes and returns the pairs whose recheck time has come. */
    List<TaskKey> due(long nowMs) {
        List<TaskKey> due = parked.entrySet().stream()
                .filter(e -> nowMs - e.getValue().parkedAtMs() >= recheckMs).map(Map.Entry::getKey).toList();
        due.forEach(parked::remove);
        return due;
    }

    Parked get(TaskKey key) {
        return parked.get(key);
    }

    /** Time until the pair is offered again even if its score stays, or 0. */
    long leftMs(TaskKey key, long nowMs) {
        Parked p = parked.get(key);
        return p == null ? 0 : Math.max(0, recheckMs - (nowMs - p.parkedAtMs()));
    }

    void forgetTablet(long tabletId) {
        parked.keySet().removeIf(k -> k.tabletId() == tabletId);
    }
}
