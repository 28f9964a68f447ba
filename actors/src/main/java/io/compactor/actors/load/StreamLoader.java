package io.compactor.actors.load;

import io.compactor.api.GroupCommitMode;
import io.compactor.api.NodeKeys;
import io.compactor.api.StreamLoadRequest;
import io.compactor.storage.load.LoadErrorLogs;
import io.compactor.storage.load.RowRules;
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
    private final LoadErrorLogs errorLogs;
    private final TwoPhaseLoads twoPhase;

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
        this.errorLogs = new LoadErrorLogs(engine.dataDirs().get(0).root());
        this.twoPhase = new TwoPhaseLoads(engine, view, committer, scheduler);
        scheduler.scheduleAtFixedRate(Duration.ofSeconds(1), Duration.ofSeconds(1), twoPhase::expire,
                scala.concurrent.ExecutionContext.fromExecutor(executor));
    }

    /** Loads prepared by two-phase commit. */
    public TwoPhaseLoads twoPhase() {
        return twoPhase;
    }

    /** The rejected rows of loads ({@code ErrorURL}). */
    public LoadErrorLogs errorLogs() {
        return errorLogs;
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

    /** A load with the {@code group_commit} header and no other Doris header. */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, LoadOptions options,
                                            String label, GroupCommitMode mode) {
        return load(db, tableName, body, StreamLoadRequest.of(options, label).withGroupCommit(mode));
    }

    /**
     * Loads {@code body} into {@code db.table} as its Doris headers ask (compression, timeout,
     * comment, row rules, two-phase commit, group commit). Never fails exceptionally: every
     * outcome is a {@link LoadResult} with Doris's fields.
     */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, StreamLoadRequest request) {
        long start = clock.millis();
        metrics.loadsInFlight.incrementAndGet();
        metrics.loadReceivedBytes.add(body.length);
        return counted(db, tableName, body, request, start).thenApply(r -> r.withRequest(request.comment(),
                request.twoPhaseCommit())).whenComplete((r, err) -> {
                    metrics.loadsInFlight.decrementAndGet();
                    metrics.loadRequests.increment();
                    metrics.loadMillis.add(Math.max(0, clock.millis() - start));
                });
    }

    private CompletionStage<LoadResult> counted(String db, String tableName, byte[] body, StreamLoadRequest request,
                                                long start) {
        LoadOptions options = request.options();
        String label = request.label();
        TableMeta table = view.get().table(db, tableName);
        if (table != null) {
            try {
                RowRules.check(table.schema(), table.name(), options);
            } catch (IllegalArgumentException e) {
                metrics.loadFail.increment();
                return done(LoadResult.fail(0, label == null ? "" : label, LoadSteps.analysisError(e.getMessage()), 0,
                        0, body.length, clock.millis() - start));
            }
        }
        if (request.groupCommit() != GroupCommitMode.OFF_MODE && body.length > 0) {
            if (request.twoPhaseCommit() || options.rules().partialColumns()) {
                metrics.loadFail.increment();
                return done(LoadResult.fail(0, label == null ? "" : label, "[" + StatusCode.INVALID_ARGUMENT
                        + "]group_commit can not be used with two_phase_commit or partial_columns", 0, 0,
                        body.length, 0));
            }
            return groupCommit(db, tableName, body, request, start);
        }
        String lbl = label == null || label.isBlank() ? "compactor_" + engine.nextTxnId() + "_" + start : label;
        if (table == null) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "unknown table, tableName=" + tableName + ", db=" + db, 0, 0,
                    body.length, 0));
        }
        String labelKey = db + "\u0000" + lbl;
        if (!inFlightLabels.add(labelKey)) {
            metrics.loadLabelExists.increment();
            return done(new LoadResult(0, lbl, LoadResult.LABEL_ALREADY_EXISTS, "RUNNING",
                    LoadSteps.labelExists(lbl, 0), 0, 0, 0, 0, 0, 0, null));
        }
        if (!slots.tryAcquire()) {
            inFlightLabels.remove(labelKey);
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "[" + StatusCode.SERVICE_UNAVAILABLE + "]too many concurrent loads, try again later",
                    0, 0, body.length, 0));
        }
        var precommitted = twoPhase.labelInUse(db, lbl);
        var existing = precommitted.isPresent() ? java.util.Optional.<io.compactor.storage.meta.LoadRecord>empty()
                : engine.meta().findLabel(db, lbl);
        if (precommitted.isPresent() || existing.isPresent()) {
            release(labelKey);
            metrics.loadLabelExists.increment();
            long holder = precommitted.orElseGet(() -> existing.get().txnId());
            return done(new LoadResult(holder, lbl, LoadResult.LABEL_ALREADY_EXISTS,
                    precommitted.isPresent() ? "PRECOMMITTED" : "FINISHED", LoadSteps.labelExists(lbl, holder), 0, 0,
                    0, 0, 0, 0, null));
        }
        long txnId = engine.nextTxnId();
        long begun = clock.millis();
        Duration timeout = Duration.ofSeconds(request.timeoutSeconds() > 0 ? request.timeoutSeconds()
                : timeoutSeconds.getAsInt());
        long[] parsedAt = new long[1];
        CompletableFuture<LoadResult> result = parse(table, request, body)
                .thenCompose(parsed -> {
                    parsedAt[0] = clock.millis();
                    if (parsedAt[0] - start > timeout.toMillis()) {
                        return done(LoadResult.fail(txnId, lbl, "[" + StatusCode.TIMEOUT + "]the load did not finish "
                                + "within its timeout of " + timeout.toSeconds() + " s", parsed.totalRows(),
                                parsed.filteredRows(), parsed.loadBytes(), parsedAt[0] - start));
                    }
                    return writeAndCommit(db, table, lbl, txnId, parsed, options, start, timeout,
                            request.twoPhaseCommit())
                            .thenApply(r -> LoadSteps.withErrorLog(errorLogs, r, txnId, parsed));
                })
                .exceptionally(err -> {
                    Status s = StatusException.statusOf(err);
                    return LoadResult.fail(txnId, lbl, LoadSteps.parseFailure(err,
                            s.is(StatusCode.INTERNAL_ERROR) ? s.msg() : s.toString()), 0, 0, body.length,
                            clock.millis() - start);
                })
                .thenApply(r -> {
                    long read = (parsedAt[0] == 0 ? clock.millis() : parsedAt[0]) - begun;
                    long rest = Math.max(0, clock.millis() - start - (begun - start) - read);
                    long write = Math.min(rest, r.writeDataTimeMs());
                    return r.withTimings(begun - start, 0, read, write, rest - write);
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
    private CompletionStage<LoadResult> groupCommit(String db, String tableName, byte[] body,
                                                    StreamLoadRequest request, long start) {
        LoadOptions options = request.options();
        String label = request.label();
        GroupCommitMode mode = request.groupCommit();
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
        CompletableFuture<ParsedLoad> parsed = parse(table, request, body);
        return parsed.handle((p, err) -> {
            groupCommitSlots.release();
            if (err != null) {
                Status s = StatusException.statusOf(err);
                return done(LoadResult.fail(0, "", LoadSteps.parseFailure(err, s.is(StatusCode.INTERNAL_ERROR)
                        ? s.msg() : s.toString()), 0, 0, body.length, clock.millis() - start));
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

    /** The body decompressed, parsed and with its row rules applied ({@link LoadSteps#parse}). */
    private CompletableFuture<ParsedLoad> parse(TableMeta table, StreamLoadRequest request, byte[] body) {
        return LoadSteps.parse(table, request.options(), body, request.compression(),
                engine.config().getLong(NodeKeys.STREAM_LOAD_MAX_BODY_BYTES) << 20, executor);
    }

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
                                                       ParsedLoad parsed, LoadOptions options, long start,
                                                       Duration timeout, boolean twoPhaseCommit) {
        long total = parsed.totalRows();
        long filtered = parsed.filteredRows();
        long loaded = parsed.loadedRows();
        if (parsed.exceedsFilterRatio(options.maxFilterRatio())) {
            String sample = parsed.errorSamples().isEmpty() ? "" : " first error: " + parsed.errorSamples().get(0);
            return done(LoadResult.fail(txnId, label, "[DATA_QUALITY_ERROR]too many filtered rows." + sample, total,
                    filtered, parsed.loadBytes(), clock.millis() - start));
        }
        RowBatch[] perBucket = RowRouter.route(table, parsed.rows());
        if (table.isPlaced()) {
            PlacedLoadWriter writer = placedWriter;
            String refusal = writer == null ? "table " + table.name() + " has replicas on cluster nodes but this node "
                    + "is not in cluster mode"
                    : twoPhaseCommit ? "[" + StatusCode.NOT_IMPLEMENTED_ERROR + "]two_phase_commit is not supported "
                    + "for table " + table.name() + ", whose replicas are on cluster nodes"
                    : options.rules().partialColumns() ? "[" + StatusCode.NOT_IMPLEMENTED_ERROR + "]partial_columns "
                    + "is not supported for table " + table.name() + ", whose replicas are on cluster nodes" : null;
            if (refusal != null) {
                return done(LoadResult.fail(txnId, label, refusal, total, filtered, parsed.loadBytes(),
                        clock.millis() - start));
            }
            return writer.writeAndCommit(table, label, perBucket, loaded, filtered, timeout)
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
                                    loaded, filtered, 0, parsed.loadBytes(), ms, null);
                        };
                    });
        }
        LocalLoadWriter.Prepare prepare = !twoPhaseCommit ? null : written -> twoPhase.prepare(db, table, label, txnId,
                written, loaded, filtered, engine.config().getLong(NodeKeys.PRECOMMIT_TIMEOUT_SECONDS) * 1000);
        return local.writeAndCommit(db, table, label, txnId, perBucket, loaded, filtered, timeout,
                        LoadSteps.partialUpdate(table, options), prepare)
                .thenApply(c -> {
                    long ms = clock.millis() - start;
                    if (c.status().ok()) {
                        return new LoadResult(txnId, label, LoadResult.SUCCESS, null, "OK", total, loaded,
                                filtered, 0, parsed.loadBytes(), ms, null).withTimings(0, 0, 0, c.writeMs(), 0)
                                .withWaitCompactionMs(c.waitedMs());
                    }
                    if (c.labelExists()) {
                        return new LoadResult(c.committedTxnId(), label, LoadResult.LABEL_ALREADY_EXISTS, "FINISHED",
                                LoadSteps.labelExists(label, c.committedTxnId()), 0, 0, 0, 0, 0, ms, null);
                    }
                    return LoadResult.fail(txnId, label, c.status().toString(), total, filtered, parsed.loadBytes(), ms)
                            .withTimings(0, 0, 0, c.writeMs(), 0).withWaitCompactionMs(c.waitedMs());
                });
    }
}
