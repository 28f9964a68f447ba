package io.compactor.actors.cluster;

import io.compactor.actors.load.PlacedLoadWriter;
import io.compactor.actors.metalog.MetaCommand;
import io.compactor.actors.metalog.MetaReply;
import io.compactor.actors.metalog.MetaState;
import io.compactor.actors.metalog.TxnPhase;
import io.compactor.api.LoadResult;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.zip.CRC32C;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster load, driven by the node that took the HTTP request, with every decision in the meta
 * log (Doris's frontend transaction manager):
 * <ol>
 * <li>{@link MetaCommand.BeginTxn} takes the label cluster-wide (refused when a running or finished
 *     load holds it: each label is applied at most once);</li>
 * <li>each tablet's rows go to every reachable replica ({@link ReplicaEntity.Stage}, in chunks
 *     with a checksum); nothing is visible;</li>
 * <li>once a majority of each tablet's replicas staged them, {@link MetaCommand.CommitTxn} decides
 *     the load: each tablet gets its next version and the rows' content identity is recorded;</li>
 * <li>{@link TxnPublisher} publishes it on the replicas and records in the log that a majority of
 *     each tablet did; the log makes it visible once the loads committed before it are.</li>
 * </ol>
 * The answer is {@code Success} only once the log shows the load visible, {@code Fail} only once
 * the log aborted it (this node aborts it in the log when staging fails or the commit can not be
 * made), {@code Publish Timeout} (Doris's meaning: committed, it will become visible) when it is
 * committed but not visible at the deadline, and {@code Unknown} only when the log could not be
 * reached at all for the load timeout and a minute more (re-send the label to learn the outcome).
 */
public final class ClusterLoadWriter implements PlacedLoadWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLoadWriter.class);
    /** Rows per Stage message are cut so that one message stays well below Artery's frame size. */
    static final int CHUNK_BYTES = 512 * 1024;
    /** Doris's status for a committed load not visible yet (never "Fail": it will become visible). */
    public static final String PUBLISH_TIMEOUT = "Publish Timeout";
    /** The outcome could not be learned from the meta log (it was unreachable): neither Success nor Fail. */
    public static final String UNKNOWN = "Unknown";
    /** Debug point: the coordinator stops right after the commit (no publish, no answer). */
    public static final String VANISH_AFTER_COMMIT = "load.vanish_after_commit";

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ClusterSharding sharding;
    private final TxnPublisher publisher;

    public ClusterLoadWriter(ActorSystem<?> system, ClusterServices services, TxnPublisher publisher) {
        this.system = system;
        this.services = services;
        this.sharding = ClusterSharding.get(system);
        this.publisher = publisher;
    }

    private EntityRef<ReplicaEntity.Command> replica(long tabletId, String node) {
        return ReplicaEntity.ref(sharding, tabletId, node);
    }

    private static CompletableFuture<Outcome> done(long txnId, String status, String msg) {
        return CompletableFuture.completedFuture(new Outcome(txnId, status, msg));
    }

    @Override
    public CompletionStage<Outcome> writeAndCommit(TableMeta table, String label, RowBatch[] perBucket,
                                                   long loadedRows, long filteredRows, Duration timeout) {
        // Unique in the cluster without asking anyone: 62 random bits.
        long txnId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32, Long.MAX_VALUE >>> 1);
        long deadline = System.nanoTime() + timeout.toNanos();
        long now = System.currentTimeMillis();
        return services.log().submit(new MetaCommand.BeginTxn(txnId, table.db(), label, table.tableId(),
                        services.self(), now, timeout.plusSeconds(30).toMillis()))
                .handle((r, err) -> r != null ? r : MetaReply.error("SERVICE_UNAVAILABLE", rootMessage(err)))
                .thenCompose(begun -> {
                    if (begun.code().equals(StatusCode.LABEL_ALREADY_EXISTS.name())) {
                        return done(txnId, LoadResult.LABEL_ALREADY_EXISTS, begun.msg());
                    }
                    if (!begun.isOk()) {
                        // Not begun (or its reply lost: then the leader aborts it at its deadline, as
                        // nothing will ever commit it).
                        return done(txnId, LoadResult.FAIL, "the load could not begin: " + begun.msg());
                    }
                    return stageAndCommit(table, label, perBucket, loadedRows, filteredRows, txnId, deadline);
                });
    }

    private CompletableFuture<Outcome> stageAndCommit(TableMeta table, String label, RowBatch[] perBucket,
                                                      long loadedRows, long filteredRows, long txnId, long deadline) {
        Set<String> live = services.nodes().live();
        List<CompletableFuture<ReplicaEntity.Staged>> staged = new ArrayList<>();
        Map<Long, List<String>> targets = new HashMap<>();
        Map<Long, Long> contentIds = new TreeMap<>();
        Duration stageTimeout = Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
        for (int b = 0; b < table.buckets(); b++) {
            long tabletId = table.tabletIds().get(b);
            List<String> nodes = table.replicas().get(b).stream().filter(live::contains).toList();
            targets.put(tabletId, nodes);
            List<byte[]> chunks = chunks(perBucket[b]);
            CRC32C crc = new CRC32C();
            chunks.forEach(crc::update);
            long checksum = crc.getValue();
            contentIds.put(tabletId, MetaState.identityOf(txnId, checksum, perBucket[b].size()));
            for (String node : nodes) {
                EntityRef<ReplicaEntity.Command> ref = replica(tabletId, node);
                for (int c = 0; c < chunks.size() - 1; c++) {
                    ref.tell(new ReplicaEntity.Stage(txnId, table.tableId(), table.db(), label, c, false,
                            chunks.get(c), 0, system.ignoreRef()));
                }
                int last = chunks.size() - 1;
                staged.add(ref.<ReplicaEntity.Staged>ask(r -> new ReplicaEntity.Stage(txnId, table.tableId(),
                        table.db(), label, last, true, chunks.get(last), checksum, r), stageTimeout)
                        .toCompletableFuture());
            }
        }
        return Gather.all(staged).thenCompose(answers -> {
            Map<Long, Integer> ok = new HashMap<>();
            String firstError = null;
            for (ReplicaEntity.Staged s : answers) {
                if (s.code() == StatusCode.OK) {
                    ok.merge(s.tabletId(), 1, Integer::sum);
                } else if (firstError == null) {
                    firstError = s.node() + ": " + new Status(s.code(), s.msg());
                }
            }
            int need = Placement.majority(table.replicationNum());
            for (long t : targets.keySet()) {
                int got = ok.getOrDefault(t, 0);
                if (got < need) {
                    String why = "tablet " + t + ": " + got + " of " + table.replicationNum()
                            + " replicas wrote the rows (reachable: " + targets.get(t) + "), a load needs " + need
                            + (firstError == null ? "" : "; " + firstError);
                    return abort(table, txnId, targets, why, deadline);
                }
            }
            return services.log().submit(new MetaCommand.CommitTxn(txnId, contentIds, loadedRows, filteredRows,
                            System.currentTimeMillis()))
                    .handle((r, err) -> r)
                    .thenCompose(r -> r != null && r.txn() != null ? decided(table, r.txn(), targets, deadline)
                            : abort(table, txnId, targets, "the commit did not reach the meta log", deadline));
        });
    }

    /**
     * Aborts the load in the log (it may have been committed meanwhile: then it is published after
     * all); asks again until the log answers or the deadline plus a minute passes.
     */
    private CompletableFuture<Outcome> abort(TableMeta table, long txnId, Map<Long, List<String>> targets, String why,
                                             long deadline) {
        return services.log().submit(new MetaCommand.AbortTxn(txnId, why)).handle((r, err) -> r)
                .thenCompose(r -> {
                    if (r != null && r.txn() != null) {
                        return decided(table, r.txn(), targets, deadline);
                    }
                    if (System.nanoTime() > deadline + Duration.ofSeconds(60).toNanos()) {
                        return done(txnId, UNKNOWN, "the meta log could not be reached to decide txn " + txnId
                                + " (" + why + "); re-send the label to learn whether it was applied");
                    }
                    CompletableFuture<Outcome> later = new CompletableFuture<>();
                    system.scheduler().scheduleOnce(Duration.ofMillis(500), () -> abort(table, txnId, targets, why,
                                    deadline).whenComplete((o, e) -> later.complete(o != null ? o
                                    : new Outcome(txnId, UNKNOWN, String.valueOf(e)))),
                            system.executionContext());
                    return later;
                });
    }

    /** Acts on the log's decision: drop the rows (aborted) or publish them (committed). */
    private CompletableFuture<Outcome> decided(TableMeta table, MetaReply.TxnView txn, Map<Long, List<String>> targets,
                                               long deadline) {
        if (txn.phase() == TxnPhase.ABORTED) {
            for (var e : targets.entrySet()) {
                for (String node : e.getValue()) {
                    replica(e.getKey(), node).tell(new ReplicaEntity.Abort(txn.txnId()));
                }
            }
            return done(txn.txnId(), LoadResult.FAIL, txn.reason());
        }
        if (txn.phase() == TxnPhase.PREPARE) {
            return abort(table, txn.txnId(), targets, "still running at the commit", deadline);
        }
        if (services.engine().debugPoints().hit(VANISH_AFTER_COMMIT)) {
            // Fault injection: this coordinator stops here, as if its node died right after the
            // commit (tests then stop the node); the load must still become visible.
            LOG.warn("debug point {}: txn {} is left unpublished and unanswered", VANISH_AFTER_COMMIT, txn.txnId());
            return new CompletableFuture<>();
        }
        return publisher.publish(table, txn, deadline).thenCompose(v -> awaitVisible(v, deadline));
    }

    private CompletableFuture<Outcome> awaitVisible(MetaReply.TxnView txn, long deadline) {
        if (txn.phase() == TxnPhase.VISIBLE) {
            TableMeta table = services.view().get().tablesById().get(txn.tableId());
            for (var e : txn.versions().entrySet()) {
                for (String node : table == null ? List.<String>of() : table.replicaNodes(e.getKey())) {
                    replica(e.getKey(), node).tell(new ReplicaEntity.Visible(e.getValue()));
                }
            }
            return done(txn.txnId(), LoadResult.SUCCESS, "OK");
        }
        if (System.nanoTime() > deadline) {
            LOG.info("txn {} (label {}) is {} at its deadline: Publish Timeout", txn.txnId(), txn.label(), txn.phase());
            return done(txn.txnId(), PUBLISH_TIMEOUT, "txn " + txn.txnId() + " is committed but not visible yet"
                    + " (" + txn.phase() + "); it becomes visible once its replicas publish it");
        }
        CompletableFuture<Outcome> later = new CompletableFuture<>();
        system.scheduler().scheduleOnce(Duration.ofMillis(100), () -> services.log()
                .read(new MetaCommand.GetTxn(txn.txnId())).handle((r, e) -> r != null && r.txn() != null ? r.txn() : txn)
                .thenCompose(v -> awaitVisible(v, deadline))
                .whenComplete((o, e) -> later.complete(o != null ? o : new Outcome(txn.txnId(), PUBLISH_TIMEOUT,
                        String.valueOf(e)))), system.executionContext());
        return later;
    }

    static String rootMessage(Throwable e) {
        while (e != null && e.getCause() != null && e instanceof java.util.concurrent.CompletionException) {
            e = e.getCause();
        }
        return e == null ? "" : e.getMessage();
    }

    /** The rows in encoded chunks of about {@link #CHUNK_BYTES}; at least one (maybe empty). */
    static List<byte[]> chunks(RowBatch rows) {
        List<byte[]> out = new ArrayList<>();
        int n = rows.size();
        if (n == 0) {
            out.add(RowBatchCodec.encode(rows, 0, 0));
            return out;
        }
        long perRow = Math.max(1, rows.estimatedBytes() / n);
        int step = (int) Math.max(1, Math.min(n, CHUNK_BYTES / perRow));
        for (int from = 0; from < n; from += step) {
            out.add(RowBatchCodec.encode(rows, from, Math.min(n, from + step)));
        }
        return out;
    }
}
