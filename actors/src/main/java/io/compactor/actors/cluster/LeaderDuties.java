package io.compactor.actors.cluster;

import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.actors.metalog.MetaState;
import io.compactor.actors.metalog.TxnPhase;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the node whose voter leads the meta log does each second (Doris's frontend daemons), from
 * its own applied copy of the log:
 * <ul>
 * <li>aborts loads still running past their deadline (their node went away before committing);</li>
 * <li>publishes committed loads that stay invisible for a few seconds (their node went away after
 *     the commit, or a replica missed the publish), so a committed load always becomes visible;</li>
 * <li>re-creates on other live nodes the replicas of a node that has not been a member for longer
 *     than {@code cluster_replace_after_seconds} ({@link MetaCommand.MoveReplica}: the new replica
 *     is bad until it cloned a good one), never moving files out from under a live node.</li>
 * </ul>
 */
final class LeaderDuties {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderDuties.class);
    /** A committed load invisible this long is published by the leader. */
    static final long REPUBLISH_AFTER_MS = 4000;

    private final ClusterServices services;
    private final TxnPublisher publisher;
    private final Supplier<Duration> replaceAfter;
    private final Set<Long> working = ConcurrentHashMap.newKeySet();
    /** Node -> when this leader first saw it gone (not a member). */
    private final Map<String, Long> goneSince = new HashMap<>();

    LeaderDuties(ClusterServices services, TxnPublisher publisher, Supplier<Duration> replaceAfter) {
        this.services = services;
        this.publisher = publisher;
        this.replaceAfter = replaceAfter;
    }

    void round() {
        MetaState state = services.log().local().orElse(null);
        if (state == null) {
            return;
        }
        long now = System.currentTimeMillis();
        Map<Long, TableMeta> tables = new HashMap<>();
        for (TableMeta t : state.tables()) {
            tables.put(t.tableId(), t);
        }
        for (MetaReply.TxnView x : state.unfinished()) {
            if (working.contains(x.txnId())) {
                continue;
            }
            if (x.phase() == TxnPhase.PREPARE && now > x.deadlineMs()) {
                working.add(x.txnId());
                LOG.info("txn {} (label {}) passed its deadline uncommitted: aborting it", x.txnId(), x.label());
                services.log().submit(new MetaCommand.AbortTxn(x.txnId(), "the load did not commit before its deadline"))
                        .whenComplete((r, e) -> working.remove(x.txnId()));
            } else if ((x.phase() == TxnPhase.COMMITTED || x.phase() == TxnPhase.PUBLISHED)
                    && now - x.commitMs() > REPUBLISH_AFTER_MS && tables.containsKey(x.tableId())) {
                working.add(x.txnId());
                publisher.publish(tables.get(x.tableId()), x, System.nanoTime() + Duration.ofSeconds(10).toNanos())
                        .whenComplete((v, e) -> working.remove(x.txnId()));
            }
        }
        replaceGoneNodes(state, now);
    }

    private void replaceGoneNodes(MetaState state, long now) {
        Set<String> members = services.nodes().members();
        Set<String> live = services.nodes().live();
        Map<String, Integer> load = new HashMap<>();
        for (TableMeta t : state.tables()) {
            for (List<String> r : t.replicas()) {
                r.forEach(n -> load.merge(n, 1, Integer::sum));
            }
        }
        goneSince.keySet().removeIf(members::contains);
        long limit = replaceAfter.get().toMillis();
        for (String node : load.keySet()) {
            if (members.contains(node)) {
                continue;
            }
            long since = goneSince.computeIfAbsent(node, n -> now);
            if (now - since < limit) {
                continue;
            }
            for (TableMeta t : state.tables()) {
                for (long tablet : t.tabletIds()) {
                    List<String> holders = t.replicaNodes(tablet);
                    if (!holders.contains(node) || working.contains(-tablet)) {
                        continue;
                    }
                    String to = live.stream().filter(n -> !holders.contains(n))
                            .min(java.util.Comparator.<String>comparingInt(n -> load.getOrDefault(n, 0))
                                    .thenComparing(n -> n)).orElse(null);
                    if (to == null) {
                        continue;
                    }
                    working.add(-tablet);
                    load.merge(to, 1, Integer::sum);
                    LOG.info("node {} gone for {} s: re-creating its replica of tablet {} on {}", node,
                            (now - since) / 1000, tablet, to);
                    services.log().submit(new MetaCommand.MoveReplica(tablet, node, to, "node " + node + " gone for "
                            + (now - since) / 1000 + " s")).whenComplete((r, e) -> working.remove(-tablet));
                }
            }
        }
    }
}
