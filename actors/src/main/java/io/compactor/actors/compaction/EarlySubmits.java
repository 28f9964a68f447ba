package io.compactor.actors.compaction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Requests for a tablet the supervisor has not heard from yet. A new tablet's actor reports to
 * the supervisor once it has started, a moment after its table's creation was answered, so a
 * trigger sent right after a CREATE would otherwise find no such tablet. Such a request waits for
 * the tablet's first report (then it is handled as if it had just arrived) for at most
 * {@link #WAIT_MS}; after that it is answered "Tablet not found". Owned by the supervisor actor.
 */
final class EarlySubmits {
    /** How long a request waits for its tablet's first report. */
    static final long WAIT_MS = 10_000;

    private record Held(long sinceMs, Runnable retry, Runnable notFound) {
    }

    private final Map<Long, List<Held>> held = new HashMap<>();

    /**
     * Holds the request when its tablet has not reported yet.
     *
     * @param known    whether the supervisor knows the tablet
     * @param retry    handles the request again once the tablet reported
     * @param notFound answers it when the tablet never reports
     * @return whether the request was held (the caller stops there)
     */
    boolean holdUnlessKnown(long tabletId, boolean known, long nowMs, Runnable retry, Runnable notFound) {
        if (known) {
            return false;
        }
        held.computeIfAbsent(tabletId, t -> new ArrayList<>()).add(new Held(nowMs, retry, notFound));
        return true;
    }

    /** The tablet reported: its held requests are handled now, in the order they came. */
    void reported(long tabletId) {
        List<Held> hs = held.remove(tabletId);
        if (hs != null) {
            hs.forEach(h -> h.retry().run());
        }
    }

    /** Answers "not found" to the requests that waited {@link #WAIT_MS} in vain. */
    void expire(long nowMs) {
        for (Iterator<List<Held>> it = held.values().iterator(); it.hasNext(); ) {
            List<Held> hs = it.next();
            hs.removeIf(h -> {
                boolean due = nowMs - h.sinceMs() >= WAIT_MS;
                if (due) {
                    h.notFound().run();
                }
                return due;
            });
            if (hs.isEmpty()) {
                it.remove();
            }
        }
    }
}
