package io.compactor.actors.cluster;

import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.StatusCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which replicas of a table lag behind and which in-sync peer each copies from. Plain; the
 * table's {@link TableTxn} owns it, shares its {@code versions} and {@code inSync} maps with it and
 * sends the catch-up requests it orders.
 */
final class TableCatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(TableCatchUp.class);

    /** Copy {@code tabletId}'s rowsets to {@code node} from {@code peer} (at {@code peerIndex} of its placement). */
    record Order(long tabletId, String node, String peer, int peerIndex, String peerHttp) {
    }

    private final long tableId;
    private final Map<Long, Long> versions;
    private final Map<Long, Set<String>> inSync;
    /** {@code tablet@node} of the catch-ups under way. */
    private final Set<String> catchingUp = new HashSet<>();

    TableCatchUp(long tableId, Map<Long, Long> versions, Map<Long, Set<String>> inSync) {
        this.tableId = tableId;
        this.versions = versions;
        this.inSync = inSync;
    }

    /**
     * Takes the replicas' states in: each tablet's version is the highest a replica holds, and the
     * replicas at it are in sync. Returns the states that hold a prepared load (in doubt).
     */
    List<ReplicaEntity.State> absorb(List<ReplicaEntity.State> states) {
        Map<Long, List<ReplicaEntity.State>> byTablet = new HashMap<>();
        for (ReplicaEntity.State s : states) {
            if (s.present()) {
                byTablet.computeIfAbsent(s.tabletId(), k -> new ArrayList<>()).add(s);
            }
        }
        List<ReplicaEntity.State> prepared = new ArrayList<>();
        for (var e : byTablet.entrySet()) {
            long tablet = e.getKey();
            long max = versions.getOrDefault(tablet, -1L);
            for (ReplicaEntity.State s : e.getValue()) {
                max = Math.max(max, s.version());
            }
            versions.put(tablet, max);
            Set<String> sync = inSync.computeIfAbsent(tablet, k -> new TreeSet<>());
            for (ReplicaEntity.State s : e.getValue()) {
                if (s.version() == max) {
                    sync.add(s.node());
                } else {
                    sync.remove(s.node());
                }
                if (s.preparedTxn() != 0) {
                    prepared.add(s);
                }
            }
        }
        return prepared;
    }

    /** Whether a live replica of the table is not known to be in sync. */
    boolean anyLagging(TableMeta table, Set<String> live) {
        for (long t : table.tabletIds()) {
            for (String node : table.replicaNodes(t)) {
                if (live.contains(node) && !inSync.getOrDefault(t, Set.of()).contains(node)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The catch-ups to start now: every live lagging replica not catching up yet, from a live in-sync peer. */
    List<Order> start(TableMeta table, Set<String> live, Function<String, String> http) {
        List<Order> orders = new ArrayList<>();
        for (long t : table.tabletIds()) {
            Set<String> sync = inSync.getOrDefault(t, Set.of());
            String peer = sync.stream().filter(live::contains).findFirst().orElse(null);
            if (peer == null || http.apply(peer) == null) {
                continue;
            }
            int peerIndex = table.replicaNodes(t).indexOf(peer);
            for (String node : table.replicaNodes(t)) {
                String key = t + "@" + node;
                if (live.contains(node) && !sync.contains(node) && catchingUp.add(key)) {
                    LOG.info("table {}: replica {} lags behind version {}; catching up from {}", tableId, key,
                            versions.get(t), peer);
                    orders.add(new Order(t, node, peer, peerIndex, http.apply(peer)));
                }
            }
        }
        return orders;
    }

    /**
     * A catch-up ended: the replica is in sync if it reached the tablet's version and no load is
     * being committed on the tablet ({@code tabletBusy}); otherwise the next tick looks again.
     */
    void caughtUp(ReplicaEntity.CaughtUp r, boolean tabletBusy) {
        catchingUp.remove(r.tabletId() + "@" + r.node());
        if (r.code() == StatusCode.OK && versions.containsKey(r.tabletId())
                && r.version() == versions.get(r.tabletId()) && !tabletBusy) {
            inSync.computeIfAbsent(r.tabletId(), k -> new TreeSet<>()).add(r.node());
            LOG.info("table {}: replica {}@{} caught up to version {}", tableId, r.tabletId(), r.node(), r.version());
        } else if (r.code() != StatusCode.OK) {
            LOG.warn("table {}: catch-up of {}@{} failed: {} {}", tableId, r.tabletId(), r.node(), r.code(), r.msg());
        }
    }

    /** A node (re)joined: its earlier catch-ups are void. */
    void forgetNode(String node) {
        catchingUp.removeIf(k -> k.endsWith("@" + node));
    }
}
