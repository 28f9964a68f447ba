package io.compactor.actors.compaction;

import io.compactor.storage.util.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The operators' requests the supervisor holds, per (tablet, kind): who waits for the outcome, how
 * each was triggered (MANUAL, MANUAL_TABLE, LOAD_VERSION_LIMIT ...) and which asked for a
 * single-replica fetch ({@code remote=true}). A request lives from its submit until its task ends,
 * is cancelled or its tablet stops. Owned by the supervisor actor.
 */
final class ManualRequests {
    private final Map<CompactionSupervisor.Key, List<ActorRef<Status>>> waiters = new HashMap<>();
    private final Map<CompactionSupervisor.Key, String> triggers = new HashMap<>();
    private final Set<CompactionSupervisor.Key> remote = new HashSet<>();

    /** Whether a manual request for the (tablet, kind) is open. */
    boolean has(CompactionSupervisor.Key key) {
        return waiters.containsKey(key);
    }

    /** Opens (or joins) the request; {@code waiter} null when nobody waits for the outcome. */
    void add(CompactionSupervisor.Key key, String trigger, ActorRef<Status> waiter) {
        List<ActorRef<Status>> ws = waiters.computeIfAbsent(key, k -> new ArrayList<>());
        if (waiter != null) {
            ws.add(waiter);
        }
        triggers.put(key, trigger);
    }

    void markRemote(CompactionSupervisor.Key key) {
        remote.add(key);
    }

    boolean isRemote(CompactionSupervisor.Key key) {
        return remote.contains(key);
    }

    String trigger(CompactionSupervisor.Key key) {
        return triggers.getOrDefault(key, "MANUAL");
    }

    /** Closes the request: its waiters get {@code status}. */
    void end(CompactionSupervisor.Key key, Status status) {
        triggers.remove(key);
        remote.remove(key);
        List<ActorRef<Status>> ws = waiters.remove(key);
        if (ws != null) {
            ws.forEach(w -> w.tell(status));
        }
    }
}
