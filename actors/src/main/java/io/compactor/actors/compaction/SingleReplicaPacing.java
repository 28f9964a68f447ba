package io.compactor.actors.compaction;

import io.compactor.scheduler.replica.ReplicaVersions;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * When each single-replica follower may fetch next (Doris's back-offs, plus our announcements).
 * A failed fetch waits {@link #FAILURE_BACKOFF}, a CANCELLED one (no matching versions)
 * {@link #CANCEL_SKIP}. A follower in step with the designated replica looks again after
 * {@link #EARLY_WAIT} at the latest, as Doris does; but the designated replica announces each
 * compaction and the follower then fetches within {@link #FETCH_INTERVAL} of its last fetch, so
 * its versions do not climb by ten seconds of loads. Plain state, owned by the supervisor actor;
 * times are the supervisor's clock in ms.
 */
final class SingleReplicaPacing {
    static final Duration FAILURE_BACKOFF = Duration.ofSeconds(5);
    static final Duration CANCEL_SKIP = Duration.ofSeconds(10);
    static final Duration EARLY_WAIT = Duration.ofSeconds(10);
    /** Ours: the shortest time between two fetches of one follower after an announcement. */
    static final Duration FETCH_INTERVAL = Duration.ofSeconds(2);

    /** Followers waiting out a back-off or a skip: until when. */
    private final Map<Long, Long> notBefore = new HashMap<>();
    /** Followers told of a designated replica's compaction since their current or last fetch began. */
    private final Set<Long> news = new HashSet<>();
    /** When each follower's last fetch ended. */
    private final Map<Long, Long> lastDone = new HashMap<>();
    /** Followers whose wait is a failure back-off (a peer's compaction does not cut it short). */
    private final Set<Long> backingOff = new HashSet<>();

    /** Whether the follower's automatic fetch may start at {@code nowMs}. */
    boolean mayStart(long tabletId, long nowMs) {
        return notBefore.getOrDefault(tabletId, 0L) <= nowMs;
    }

    /** The designated replica committed a compaction: fetch soon, at most once per interval. */
    void peerCompacted(long tabletId) {
        news.add(tabletId);
        if (!backingOff.contains(tabletId)) {
            // Later outputs of the designated replica cover earlier ones: waiting a little fetches one rowset, not many.
            long at = lastDone.getOrDefault(tabletId, 0L) + FETCH_INTERVAL.toMillis();
            notBefore.merge(tabletId, at, Math::min);
        }
    }

    void started(long tabletId) {
        news.remove(tabletId);
    }

    /** A fetch ended with {@code status}: when may the next one start. */
    void finished(long tabletId, Status status, long nowMs) {
        backingOff.remove(tabletId);
        lastDone.put(tabletId, nowMs);
        // News that came while this fetch ran (a newer output of the designated replica) makes the
        // next fetch due after the interval; without news the follower waits for some.
        long quiet = nowMs + (news.contains(tabletId) ? FETCH_INTERVAL : EARLY_WAIT).toMillis();
        if (status.ok()) {
            notBefore.put(tabletId, quiet);
        } else if (status.is(StatusCode.CANCELLED) && status.msg().equals(ReplicaVersions.NOTHING_NEWER)) {
            // Only early (the designated replica has not compacted past us yet): wait for news.
            notBefore.put(tabletId, quiet);
        } else if (status.is(StatusCode.CANCELLED)) {
            notBefore.put(tabletId, nowMs + CANCEL_SKIP.toMillis());
        } else {
            backingOff.add(tabletId);
            notBefore.put(tabletId, nowMs + FAILURE_BACKOFF.toMillis());
        }
    }

    void forget(long tabletId) {
        notBefore.remove(tabletId);
        news.remove(tabletId);
        lastDone.remove(tabletId);
        backingOff.remove(tabletId);
    }
}
