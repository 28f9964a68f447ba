package io.compactor.actors.load;

import io.compactor.api.GroupCommitMode;
import io.compactor.api.LoadResult;
import io.compactor.storage.util.StatusCode;
import io.compactor.api.NodeMetrics;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.load.ParsedLoad;
import io.compactor.storage.load.RowParser;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;

/**
 * Runs a stream load end to end: parse and validate, route rows to tablets, have every tablet
 * write its rowset files in parallel, then commit all of them under the label through the
 * {@link LoadCommitter}. Any failure before the commit deletes what was written; the load is
 * then invisible.
 */
public final class StreamLoader {
    private final StorageEngine engine;
    private final AtomicReference<CatalogView> view;
    private final ActorRef<LoadCommitter.Command> committer;
    private final Scheduler scheduler;
    private final Executor executor;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final Set<String> inFlightLabels = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;
    /**
     * Group commit loads parsing at once: sync_mode loads wait for their internal load, so many more
     * are in flight than plain loads; they hold this slot only while they parse (their rows then sit
     * in the internal load, bounded by group_commit_data_bytes and the WAL limit).
     */
    private final Semaphore groupCommitSlots;
    static final int GROUP_COMMIT_SLOTS_PER_LOAD_SLOT = 4;
    private final IntSupplier timeoutSeconds;
    private volatile PlacedLoadWriter placedWriter;
    private final LocalLoadWriter local;
    private volatile GroupCommitter groupCommitter;

    public StreamLoader(StorageEngine engine, AtomicReference<CatalogView> view,
                        ActorRef<LoadCommitter.Command> committer, Scheduler scheduler, Executor executor,
                        NodeMetrics metrics, int maxConcurrentLoads, IntSupplier timeoutSeconds) {
        this.engine = engine;
        this.view = view;
        this.committer = committer;
        this.scheduler = scheduler;
        this.executor = executor;
        this.metrics = metrics;
        this.clock = engine.clock();
        this.slots = new Semaphore(maxConcurrentLoads);
        this.groupCommitSlots = new Semaphore(GROUP_COMMIT_SLOTS_PER_LOAD_SLOT * maxConcurrentLoads);
        this.timeoutSeconds = timeoutSeconds;
        this.local = new LocalLoadWriter(view, committer, scheduler, metrics);
    }

    /** How loads into tablets of this node are written and committed (group commit uses it too). */
    public LocalLoadWriter localWriter() {
        return local;
    }

    /** Group commit's internal loads (loads with the {@code group_commit} header go there). */
    public void useGroupCommitter(GroupCommitter g) {
        this.groupCommitter = g;
    }

    /** A load without the {@code group_commit} header (off_mode). */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, LoadOptions options,
                                            String label) {
        return load(db, tableName, body, options, label, GroupCommitMode.OFF_MODE);
    }

    /**
     * Loads {@code body} into {@code db.table}. Never fails exceptionally: every outcome is a
     * {@link LoadResult} with Doris's fields.
     */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, LoadOptions options,
                                            String label, GroupCommitMode mode) {
        long start = clock.millis();
        if (mode != GroupCommitMode.OFF_MODE && body.length > 0) {
            return groupCommit(db, tableName, body, options, label, mode, start);
        }
        String lbl = label == null || label.isBlank() ? "compactor_" + engine.nextTxnId() + "_" + start : label;
        TableMeta table = view.get().table(db, tableName);
        if (table == null) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "unknown table, tableName=" + tableName + ", db=" + db, 0, 0,
                    body.length, 0));
        }
        String labelKey = db + "\u0000" + lbl;
        if (!inFlightLabels.add(labelKey)) {
            metrics.loadLabelExists.increment();
            return done(new LoadResult(0, lbl, LoadResult.LABEL_ALREADY_EXISTS, "RUNNING",
                    "Label [" + lbl + "] has already been used.", 0, 0, 0, 0, 0, 0, null));
        }
        if (!slots.tryAcquire()) {
            inFlightLabels.remove(labelKey);
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "[" + StatusCode.SERVICE_UNAVAILABLE + "]too many concurrent loads, try again later",
                    0, 0, body.length, 0));
        }
        var existing = engine.meta().findLabel(db, lbl);
        if (existing.isPresent()) {
            release(labelKey);
            metrics.loadLabelExists.increment();
            return done(new LoadResult(existing.get().txnId(), lbl, LoadResult.LABEL_ALREADY_EXISTS, "FINISHED",
                    "Label [" + lbl + "] has already been used.", 0, 0, 0, 0, 0, 0, null));
        }
        long txnId = engine.nextTxnId();
        CompletableFuture<LoadResult> result = parse(table, options, body)
                .thenCompose(parsed -> writeAndCommit(db, table, lbl, txnId, parsed, options, start))
                .exceptionally(err -> {
                    Status s = StatusException.statusOf(err);
                    return LoadResult.fail(txnId, lbl, s.is(StatusCode.INTERNAL_ERROR) ? s.msg() : s.toString(),
                            0, 0, body.length, clock.millis() - start);
                })
                .whenComplete((r, err) -> {
                    release(labelKey);
                    if (r != null && r.isSuccess()) {
                        metrics.loadSuccess.increment();
                        metrics.loadRows.add(r.numberLoadedRows());
                        metrics.loadBytes.add(r.loadBytes());
                    } else if (r != null && LoadResult.LABEL_ALREADY_EXISTS.equals(r.status())) {
                        metrics.loadLabelExists.increment();
                    } else {
                        metrics.loadFail.increment();
                    }
                });
        return result;
    }

    /**
     * A load with {@code group_commit: sync_mode | async_mode} (Doris: an empty body loads without
     * group commit). Its slot is held while it parses, not while it waits for the internal load.
     */
    private CompletionStage<LoadResult> groupCommit(String db, String tableName, byte[] body, LoadOptions options,
                                                    String label, GroupCommitMode mode, long start) {
        GroupCommitter gc = groupCommitter;
        TableMeta table = view.get().table(db, tableName);
        String refusal = label != null && !label.isBlank() ? "[" + StatusCode.INVALID_ARGUMENT
                + "]label and group_commit can't be set at the same time"
                : table == null ? "unknown table, tableName=" + tableName + ", db=" + db
                : table.isPlaced() ? "[" + StatusCode.NOT_IMPLEMENTED_ERROR + "]group commit is not supported for "
                + "table " + tableName + ": its replicas are on cluster nodes"
                : gc == null ? "[" + StatusCode.SERVICE_UNAVAILABLE + "]group commit is not running on this node" : null;
        if (refusal != null) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, label == null ? "" : label, refusal, 0, 0, body.length, 0));
        }
        if (!groupCommitSlots.tryAcquire()) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, "", "[" + StatusCode.SERVICE_UNAVAILABLE
                    + "]too many concurrent loads, try again later", 0, 0, body.length, 0));
        }
        CompletableFuture<ParsedLoad> parsed = parse(table, options, body);
        return parsed.handle((p, err) -> {
            groupCommitSlots.release();
            if (err != null) {
                Status s = StatusException.statusOf(err);
                return done(LoadResult.fail(0, "", s.is(StatusCode.INTERNAL_ERROR) ? s.msg() : s.toString(), 0, 0,
                        body.length, clock.millis() - start));
            }
            if (p.exceedsFilterRatio(options.maxFilterRatio())) {
                String sample = p.errorSamples().isEmpty() ? "" : " first error: " + p.errorSamples().get(0);
                return done(LoadResult.fail(0, "", "[DATA_QUALITY_ERROR]too many filtered rows." + sample,
                        p.totalRows(), p.filteredRows(), p.loadBytes(), clock.millis() - start));
            }
            return gc.append(db, table, p, mode, start);
        }).thenCompose(r -> r).whenComplete((r, err) -> {
            if (r != null && r.isSuccess()) {
                metrics.loadSuccess.increment();
                metrics.loadRows.add(r.numberLoadedRows());
                metrics.loadBytes.add(r.loadBytes());
            } else {
                metrics.loadFail.increment();
            }
        });
    }

    /** A big CSV body is parsed by as many tasks as there are cores (see {@link RowParser#parseParallel}). */
    private CompletableFuture<ParsedLoad> parse(TableMeta table, LoadOptions options, byte[] body) {
        try {
            return RowParser.parseParallel(table.schema(), options, body, executor, PARSE_PARTS);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static final int PARSE_PARTS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** Cluster mode: how loads into tables with replicas on cluster nodes are written and committed. */
    public void usePlacedWriter(PlacedLoadWriter writer) {
        this.placedWriter = writer;
    }

    /**
     * Whether every load slot ({@code max_concurrent_loads}) is taken right now: the HTTP route
     * answers busy before reading a body it could not load anyway. Racy by nature; the slot
     * taken in {@link #load} is the real bound.
     */
    public boolean saturated() {
        return slots.availablePermits() == 0;
    }

    private void release(String labelKey) {
        inFlightLabels.remove(labelKey);
        slots.release();
    }

    private static CompletionStage<LoadResult> done(LoadResult r) {
        return CompletableFuture.completedFuture(r);
    }

    private CompletionStage<LoadResult> writeAndCommit(String db, TableMeta table, String label, long txnId,
                                                       ParsedLoad parsed, LoadOptions options, long start) {
        long total = parsed.totalRows();
        long filtered = parsed.filteredRows();
        if (parsed.exceedsFilterRatio(options.maxFilterRatio())) {
            String sample = parsed.errorSamples().isEmpty() ? "" : " first error: " + parsed.errorSamples().get(0);
            return done(LoadResult.fail(txnId, label, "[DATA_QUALITY_ERROR]too many filtered rows." + sample, total,
                    filtered, parsed.loadBytes(), clock.millis() - start));
        }
        RowBatch[] perBucket = RowRouter.route(table, parsed.rows());
        Duration timeout = Duration.ofSeconds(timeoutSeconds.getAsInt());
        if (table.isPlaced()) {
            PlacedLoadWriter writer = placedWriter;
            if (writer == null) {
                return done(LoadResult.fail(txnId, label, "table " + table.name() + " has replicas on cluster nodes "
                        + "but this node is not in cluster mode", total, filtered, parsed.loadBytes(),
                        clock.millis() - start));
            }
            return writer.writeAndCommit(table, label, perBucket, total - filtered, filtered, timeout)
                    .thenApply(o -> {
                        long ms = clock.millis() - start;
                        long id = o.txnId();
                        return switch (o.status()) {
                            case LoadResult.LABEL_ALREADY_EXISTS -> new LoadResult(id, label,
                                    LoadResult.LABEL_ALREADY_EXISTS, "FINISHED", o.message(), 0, 0, 0, 0, 0, ms, null);
                            case LoadResult.FAIL -> LoadResult.fail(id, label, o.message(), total, filtered,
                                    parsed.loadBytes(), ms);
                            // Success, or Doris's "Publish Timeout" (committed or still deciding): rows counted.
                            default -> new LoadResult(id, label, o.status(), null, o.message(), total,
                                    total - filtered, filtered, 0, parsed.loadBytes(), ms, null);
                        };
                    });
        }
        return local.writeAndCommit(db, table, label, txnId, perBucket, total - filtered, filtered, timeout)
                .thenApply(c -> {
                    long ms = clock.millis() - start;
                    if (c.status().ok()) {
                        return new LoadResult(txnId, label, LoadResult.SUCCESS, null, "OK", total, total - filtered,
                                filtered, 0, parsed.loadBytes(), ms, null).withWaitCompactionMs(c.waitedMs());
                    }
                    if (c.labelExists()) {
                        return new LoadResult(c.committedTxnId(), label, LoadResult.LABEL_ALREADY_EXISTS, "FINISHED",
                                c.status().msg(), 0, 0, 0, 0, 0, ms, null);
                    }
                    return LoadResult.fail(txnId, label, c.status().toString(), total, filtered, parsed.loadBytes(), ms)
                            .withWaitCompactionMs(c.waitedMs());
                });
    }
}
