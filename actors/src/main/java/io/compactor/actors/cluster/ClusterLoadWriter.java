package io.compactor.actors.cluster;

import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.api.LoadResult;
import io.compactor.actors.load.PlacedLoadWriter;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinating side of a cluster load, on the node that took the HTTP request: ships each
 * tablet's rows to every reachable replica ({@link ReplicaEntity.Stage}, in chunks), then asks the
 * table's {@link TableTxn} to commit. The answer is Success only once the load is committed (a
 * majority of every tablet's replicas hold it at the same version), Fail only once it is aborted
 * everywhere; while the outcome is unknown (the coordinator moved) it asks again.
 */
public final class ClusterLoadWriter implements PlacedLoadWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLoadWriter.class);
    /** Rows per Stage message are cut so that one message stays well below Artery's frame size. */
    static final int CHUNK_BYTES = 512 * 1024;
    private static final Duration RESOLVE_EVERY = Duration.ofSeconds(10);
    /** Doris's status for a load whose outcome is not final yet (never "Fail": it may still commit). */
    public static final String PUBLISH_TIMEOUT = "Publish Timeout";

    private final ActorSystem<?> system;
    private final ClusterServices services;
    private final ClusterSharding sharding;

    public ClusterLoadWriter(ActorSystem<?> system, ClusterServices services) {
        this.system = system;
        this.services = services;
        this.sharding = ClusterSharding.get(system);
    }

    private EntityRef<ReplicaEntity.Command> replica(long tabletId, String node) {
        return ReplicaEntity.ref(sharding, tabletId, node);
    }

    @Override
    public CompletionStage<Outcome> writeAndCommit(TableMeta table, String label, RowBatch[] perBucket,
                                                   long loadedRows, long filteredRows, Duration timeout) {
        // Unique in the cluster without asking anyone: 62 random bits (txn ids of node-local
        // sequences would collide between coordinators).
        long txnId = java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 32, Long.MAX_VALUE >>> 1);
        Set<String> live = services.nodes().live();
        List<CompletableFuture<ReplicaEntity.Staged>> staged = new ArrayList<>();
        Map<Long, List<String>> targets = new HashMap<>();
        for (int b = 0; b < table.buckets(); b++) {
            long tabletId = table.tabletIds().get(b);
            List<String> nodes = table.replicas().get(b).stream().filter(live::contains).toList();
            int need = Placement.majority(table.replicationNum());
            if (nodes.size() < need) {
                return CompletableFuture.completedFuture(new Outcome(txnId, LoadResult.FAIL, "tablet " + tabletId + ": only "
                        + nodes.size() + " of " + table.replicationNum() + " replicas are on reachable nodes "
                        + table.replicas().get(b) + " (reachable: " + live + "); a load needs " + need));
            }
            targets.put(tabletId, nodes);
            List<byte[]> chunks = chunks(perBucket[b]);
            for (String node : nodes) {
                EntityRef<ReplicaEntity.Command> ref = replica(tabletId, node);
                for (int c = 0; c < chunks.size() - 1; c++) {
                    ref.tell(new ReplicaEntity.Stage(txnId, table.tableId(), table.db(), label, c, false,
                            chunks.get(c), system.ignoreRef()));
                }
                int last = chunks.size() - 1;
                staged.add(ref.<ReplicaEntity.Staged>ask(r -> new ReplicaEntity.Stage(txnId, table.tableId(),
                        table.db(), label, last, true, chunks.get(last), r), timeout).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(staged.toArray(new CompletableFuture[0])).handle((v, e) -> null)
                .thenCompose(ignored -> {
                    Map<Long, List<String>> ok = new HashMap<>();
                    String firstError = null;
                    boolean labelExists = false;
                    for (var f : staged) {
                        if (f.isCompletedExceptionally()) {
                            firstError = firstError != null ? firstError : "a replica did not answer in time: "
                                    + f.handle((a, e) -> e).join();
                            continue;
                        }
                        ReplicaEntity.Staged s = f.join();
                        if (s.code() == StatusCode.OK) {
                            ok.computeIfAbsent(s.tabletId(), k -> new ArrayList<>()).add(s.node());
                        } else if (s.code() == StatusCode.LABEL_ALREADY_EXISTS) {
                            labelExists = true;
                            firstError = s.msg();
                        } else if (firstError == null) {
                            firstError = new Status(s.code(), s.msg()).toString();
                        }
                    }
                    int need = Placement.majority(table.replicationNum());
                    String shortTablet = null;
                    for (long t : targets.keySet()) {
                        if (ok.getOrDefault(t, List.of()).size() < need) {
                            shortTablet = "tablet " + t + ": " + ok.getOrDefault(t, List.of()).size()
                                    + " replica(s) wrote the rows, a load needs " + need;
                            break;
                        }
                    }
                    if (labelExists || shortTablet != null) {
                        abortAll(targets, txnId);
                        if (labelExists) {
                            return CompletableFuture.completedFuture(new Outcome(txnId, LoadResult.LABEL_ALREADY_EXISTS,
                                    firstError));
                        }
                        return CompletableFuture.completedFuture(new Outcome(txnId, LoadResult.FAIL,
                                firstError != null ? firstError : shortTablet));
                    }
                    long deadline = System.nanoTime() + timeout.plusSeconds(60).toNanos();
                    CompletableFuture<TableTxn.Outcome> commit = TableTxn.ref(system, table.tableId())
                            .<TableTxn.Outcome>ask(r -> new TableTxn.Commit(txnId, table.db(), label, loadedRows,
                                    filteredRows, ok, r), timeout.plusSeconds(10)).toCompletableFuture();
                    return settle(table, txnId, commit, deadline, targets);
                });
    }

    /** Turns the coordinator's answer into the load's; asks again while the outcome is unknown. */
    private CompletableFuture<Outcome> settle(TableMeta table, long txnId, CompletableFuture<TableTxn.Outcome> ask,
                                              long deadlineNanos, Map<Long, List<String>> targets) {
        return ask.handle((o, err) -> o).thenCompose(o -> {
            if (o != null && o.state() == TxnState.COMMITTED) {
                return CompletableFuture.completedFuture(new Outcome(txnId, LoadResult.SUCCESS, "OK"));
            }
            if (o != null && o.state() == TxnState.ABORTED) {
                abortAll(targets, txnId);
                return CompletableFuture.completedFuture(new Outcome(txnId, LoadResult.FAIL, o.msg()));
            }
            if (System.nanoTime() > deadlineNanos) {
                // Still undecided after the load timeout and a margin: the client learns it with the
                // label (the outcome stays whatever the coordinator decides; never a false "Fail").
                LOG.warn("txn {}: outcome still unknown at the deadline", txnId);
                return CompletableFuture.completedFuture(new Outcome(txnId, PUBLISH_TIMEOUT,
                        "the outcome of txn " + txnId + " is not known yet: it may still become visible"));
            }
            CompletableFuture<TableTxn.Outcome> again = new CompletableFuture<>();
            system.scheduler().scheduleOnce(o == null ? Duration.ofMillis(500) : Duration.ofMillis(200),
                    () -> TableTxn.ref(system, table.tableId())
                            .<TableTxn.Outcome>ask(r -> new TableTxn.Resolve(txnId, r), RESOLVE_EVERY)
                            .whenComplete((res, e) -> {
                                if (e != null) {
                                    again.completeExceptionally(e);
                                } else {
                                    again.complete(res);
                                }
                            }), system.executionContext());
            return settle(table, txnId, again, deadlineNanos, targets);
        });
    }

    private void abortAll(Map<Long, List<String>> targets, long txnId) {
        for (var e : targets.entrySet()) {
            for (String node : e.getValue()) {
                replica(e.getKey(), node).tell(new ReplicaEntity.Abort(txnId));
            }
        }
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
