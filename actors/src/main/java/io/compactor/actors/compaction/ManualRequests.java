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
    private final Map<TaskKey, List<ActorRef<Status>>> waiters = new HashMap<>();
    private final Map<TaskKey, String> triggers = new HashMap<>();
    private final Set<TaskKey> remote = new HashSet<>();

    /** Whether a manual request for the (tablet, kind) is open. */
    boolean has(TaskKey key) {
        return waiters.containsKey(key);
    }

    /** Opens (or joins) the request; {@code waiter} null when nobody waits for the outcome. */
    void add(TaskKey key, String trigger, ActorRef<Status> waiter) {
        List<ActorRef<Status>> ws = waiters.computeIfAbsent(key, k -> new ArrayList<>());
        if (waiter != null) {
            ws.add(waiter);
        }
        triggers.put(key, trigger);
    }

    void markRemote(TaskKey key) {
        remote.add(key);
    }

    boolean isRemote(TaskKey key) {
        return remote.contains(key);
    }

    String trigger(TaskKey key) {
        return triggers.getOrDefault(key, "MANUAL");
    }

    /** Closes the request: its waiters get {@code status}. */
    void end(TaskKey key, Status status) {
        triggers.remove(key);
        remote.remove(key);
        List<ActorRef<Status>> ws = waiters.remove(key);
        if (ws != null) {
            ws.forEach(w -> w.tell(status));
        }
    }
}
