package io.compactor.actors.load;

import io.compactor.api.LoadResult;
import io.compactor.storage.util.StatusCode;
import io.compactor.api.NodeMetrics;
import io.compactor.actors.catalog.CatalogView;
import io.compactor.actors.tablet.TabletActor;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.api.NodeKeys;
import io.compactor.api.StreamLoadRequest;
import io.compactor.storage.load.BodyCompression;
import io.compactor.storage.load.LoadErrorLogs;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.load.RowRules;
import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.load.ParsedLoad;
import io.compactor.storage.load.RowParser;
import io.compactor.actors.tablet.TabletWrite;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.pekko.actor.typed.javadsl.AskPattern;

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
    private static final Duration COMMIT_ANSWER_MARGIN = Duration.ofSeconds(60);
    private final Set<String> inFlightLabels = ConcurrentHashMap.newKeySet();
    private final Semaphore slots;
    private final IntSupplier timeoutSeconds;
    private volatile PlacedLoadWriter placedWriter;
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
        this.timeoutSeconds = timeoutSeconds;
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

    /**
     * Loads {@code body} into {@code db.table}. Never fails exceptionally: every outcome is a
     * {@link LoadResult} with Doris's fields.
     */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, LoadOptions options,
                                            String label) {
        return load(db, tableName, body, StreamLoadRequest.of(options, label));
    }

    /**
     * Loads {@code body} as {@code request} asks (compression, timeout, comment, row rules).
     * Never fails exceptionally: every outcome is a {@link LoadResult} with Doris's fields.
     */
    public CompletionStage<LoadResult> load(String db, String tableName, byte[] body, StreamLoadRequest request) {
        return loadInner(db, tableName, body, request)
                .thenApply(r -> r.withRequest(request.comment(), request.twoPhaseCommit()));
    }

    private CompletionStage<LoadResult> loadInner(String db, String tableName, byte[] body, StreamLoadRequest request) {
        long start = clock.millis();
        metrics.loadsInFlight.incrementAndGet();
        metrics.loadReceivedBytes.add(body.length);
        return loadCounted(db, tableName, body, request, start).whenComplete((r, err) -> {
            metrics.loadsInFlight.decrementAndGet();
            metrics.loadRequests.increment();
            metrics.loadMillis.add(Math.max(0, clock.millis() - start));
        });
    }

    private CompletionStage<LoadResult> loadCounted(String db, String tableName, byte[] body, StreamLoadRequest request,
                                                    long start) {
        LoadOptions options = request.options();
        String label = request.label();
        String lbl = label == null || label.isBlank() ? "compactor_" + engine.nextTxnId() + "_" + start : label;
        TableMeta table = view.get().table(db, tableName);
        if (table == null) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "unknown table, tableName=" + tableName + ", db=" + db, 0, 0,
                    body.length, 0));
        }
        try {
            RowRules.check(table.schema(), table.name(), options);
        } catch (IllegalArgumentException e) {
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "[" + StatusCode.ANALYSIS_ERROR + "]errCode = 2, detailMessage = "
                    + e.getMessage(), 0, 0, body.length, clock.millis() - start));
        }
        String labelKey = db + "\u0000" + lbl;
        if (!inFlightLabels.add(labelKey)) {
            metrics.loadLabelExists.increment();
            return done(new LoadResult(0, lbl, LoadResult.LABEL_ALREADY_EXISTS, "RUNNING",
                    labelExists(lbl, 0), 0, 0, 0, 0, 0, 0, null));
        }
        if (!slots.tryAcquire()) {
            inFlightLabels.remove(labelKey);
            metrics.loadFail.increment();
            return done(LoadResult.fail(0, lbl, "[" + StatusCode.SERVICE_UNAVAILABLE + "]too many concurrent loads, try again later",
                    0, 0, body.length, 0));
        }
        var precommitted = twoPhase.labelInUse(db, lbl);
        if (precommitted.isPresent()) {
            release(labelKey);
            metrics.loadLabelExists.increment();
            return done(new LoadResult(precommitted.get(), lbl, LoadResult.LABEL_ALREADY_EXISTS, "PRECOMMITTED",
                    labelExists(lbl, precommitted.get()), 0, 0, 0, 0, 0, 0, null));
        }
        var existing = engine.meta().findLabel(db, lbl);
        if (existing.isPresent()) {
            release(labelKey);
            metrics.loadLabelExists.increment();
            return done(new LoadResult(existing.get().txnId(), lbl, LoadResult.LABEL_ALREADY_EXISTS, "FINISHED",
                    labelExists(lbl, existing.get().txnId()), 0, 0, 0, 0, 0, 0, null));
        }
        long txnId = engine.nextTxnId();
        long begun = clock.millis();
        Duration timeout = Duration.ofSeconds(request.timeoutSeconds() > 0 ? request.timeoutSeconds()
                : timeoutSeconds.getAsInt());
        long[] phase = new long[3];
        CompletableFuture<LoadResult> result = parse(table, options, body, request.compression())
                .thenApply(parsed -> RowRules.apply(table.schema(), options, parsed))
                .thenCompose(parsed -> {
                    phase[0] = clock.millis();
                    if (phase[0] - start > timeout.toMillis()) {
                        return done(LoadResult.fail(txnId, lbl, "[" + StatusCode.TIMEOUT + "]the load did not finish "
                                + "within its timeout of " + timeout.toSeconds() + " s", parsed.totalRows(),
                                parsed.filteredRows(), parsed.loadBytes(), phase[0] - start));
                    }
                    return writeAndCommit(db, table, lbl, txnId, parsed, options, start, timeout, phase,
                            request.twoPhaseCommit())
                            .thenApply(r -> withErrorLog(r, txnId, parsed));
                })
                .exceptionally(err -> {
                    Status s = StatusException.statusOf(err);
                    String msg = s.is(StatusCode.INTERNAL_ERROR) ? s.msg() : s.toString();
                    if (err instanceof IllegalArgumentException || err.getCause() instanceof IllegalArgumentException) {
                        Throwable t = err instanceof IllegalArgumentException ? err : err.getCause();
                        msg = "[" + StatusCode.DATA_QUALITY_ERROR + "]" + t.getMessage();
                    }
                    return LoadResult.fail(txnId, lbl, msg, 0, 0, body.length, clock.millis() - start);
                })
                .thenApply(r -> {
                    long parsedAt = phase[0] == 0 ? clock.millis() : phase[0];
                    long written = phase[1] == 0 ? parsedAt : phase[1];
                    long committed = phase[2] == 0 ? written : phase[2];
                    return r.withTimings(begun - start, 0, parsedAt - begun, Math.max(0, written - parsedAt),
                            Math.max(0, committed - written));
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

    /** The partial update a load asks for ({@code partial_columns}), or null: which columns it gives. */
    static PartialUpdate partialUpdate(TableMeta table, LoadOptions options) {
        if (!options.rules().partialColumns()) {
            return null;
        }
        var schema = table.schema();
        boolean[] provided = new boolean[schema.columnCount()];
        for (int c : RowParser.inputColumns(schema, options)) {
            provided[c] = true;
        }
        for (int c = 0; c < schema.keyCount(); c++) {
            provided[c] = true;
        }
        if (schema.deleteSignIndex() >= 0) {
            provided[schema.deleteSignIndex()] = true;
        }
        if (schema.sequenceIndex() >= 0 && options.rules().sequenceSource() != null) {
            provided[schema.sequenceIndex()] = true;
        }
        return new PartialUpdate(provided, options.rules().newKeyError());
    }

    /** Doris's answer to a label in use: "[LABEL_ALREADY_EXISTS]Label [l] has already been used, relate to txn [n]". */
    static String labelExists(String label, long txnId) {
        return "[" + StatusCode.LABEL_ALREADY_EXISTS + "]Label [" + label + "] has already been used, relate to txn ["
                + txnId + "]";
    }

    /** The answer with its unselected rows and, when rows were rejected, the URL of their error log. */
    private LoadResult withErrorLog(LoadResult r, long txnId, ParsedLoad parsed) {
        String url = null;
        if (!parsed.errorLog().isEmpty() && !LoadResult.LABEL_ALREADY_EXISTS.equals(r.status())) {
            try {
                url = "/api/_load_error_log?file=" + errorLogs.write(txnId, parsed.errorLog());
            } catch (java.io.UncheckedIOException e) {
                url = null; // the answer is more important than its error log
            }
        }
        boolean counted = !LoadResult.LABEL_ALREADY_EXISTS.equals(r.status());
        return r.withRows(counted ? parsed.unselectedRows() : 0, url);
    }

    /** A big CSV body is parsed by as many tasks as there are cores (see {@link RowParser#parseParallel}). */
    private CompletableFuture<ParsedLoad> parse(TableMeta table, LoadOptions options, byte[] body,
                                                BodyCompression compression) {
        try {
            if (compression == BodyCompression.NONE) {
                return RowParser.parseParallel(table.schema(), options, body, executor, PARSE_PARTS);
            }
            long limit = engine.config().getLong(NodeKeys.STREAM_LOAD_MAX_BODY_BYTES) << 20;
            return CompletableFuture.supplyAsync(() -> compression.decompress(body, limit), executor)
                    .thenCompose(plain -> RowParser.parseParallel(table.schema(), options, plain, executor,
                            PARSE_PARTS));
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
                                                       ParsedLoad parsed, LoadOptions options, long start,
                                                       Duration timeout, long[] phase, boolean twoPhaseCommit) {
        long total = parsed.totalRows();
        long filtered = parsed.filteredRows();
        long unselected = parsed.unselectedRows();
        if (parsed.exceedsFilterRatio(options.maxFilterRatio())) {
            String sample = parsed.errorSamples().isEmpty() ? "" : " first error: " + parsed.errorSamples().get(0);
            return done(LoadResult.fail(txnId, label, "[DATA_QUALITY_ERROR]too many filtered rows." + sample, total,
                    filtered, parsed.loadBytes(), clock.millis() - start));
        }
        RowBatch[] perBucket = RowRouter.route(table, parsed.rows());
        CatalogView v = view.get();
        if (table.isPlaced()) {
            if (twoPhaseCommit) {
                return done(LoadResult.fail(txnId, label, "[" + StatusCode.NOT_IMPLEMENTED_ERROR + "]two_phase_commit is "
                        + "not supported for table " + table.name() + ", whose replicas are on cluster nodes", total,
                        filtered, parsed.loadBytes(), clock.millis() - start));
            }
            PlacedLoadWriter writer = placedWriter;
            if (writer == null) {
                return done(LoadResult.fail(txnId, label, "table " + table.name() + " has replicas on cluster nodes "
                        + "but this node is not in cluster mode", total, filtered, parsed.loadBytes(),
                        clock.millis() - start));
            }
            return writer.writeAndCommit(table, label, perBucket, total - filtered - unselected, filtered, timeout)
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
                                    total - filtered - unselected, filtered, 0, parsed.loadBytes(), ms, null);
                        };
                    });
        }
        List<CompletableFuture<TabletActor.WriteResult>> writes = new ArrayList<>();
        Map<Long, ActorRef<TabletActor.Command>> refs = new HashMap<>();
        for (int b = 0; b < table.buckets(); b++) {
            long tabletId = table.tabletIds().get(b);
            ActorRef<TabletActor.Command> ref = v.tablet(tabletId);
            if (ref == null) {
                return done(LoadResult.fail(txnId, label, "tablet " + tabletId + " of table " + table.name()
                        + " is gone (table dropped?)", total, filtered, parsed.loadBytes(), clock.millis() - start));
            }
            refs.put(tabletId, ref);
            RowBatch rows = perBucket[b];
            PartialUpdate partial = partialUpdate(table, options);
            writes.add(AskPattern.<TabletActor.Command, TabletActor.WriteResult>ask(ref,
                    replyTo -> new TabletActor.WriteRowset(txnId, rows, partial, replyTo), timeout, scheduler)
                    .toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(new CompletableFuture[0])).handle((ok, err) -> null)
                .thenCompose(ignored -> {
                    phase[1] = clock.millis();
                    Map<Long, TabletWrite> pending = new HashMap<>();
                    Status failure = null;
                    for (CompletableFuture<TabletActor.WriteResult> f : writes) {
                        TabletActor.WriteResult w = f.isCompletedExceptionally() ? null : f.join();
                        if (w != null && w.status().ok()) {
                            pending.put(w.tabletId(), w.write());
                        } else if (failure == null) {
                            failure = w != null ? w.status() : StatusException.statusOf(f.handle((a, e) -> e).join());
                        }
                    }
                    if (failure != null) {
                        for (var e : pending.entrySet()) {
                            refs.get(e.getKey()).tell(new TabletActor.AbortCommit(txnId, e.getValue().rowset()));
                        }
                        return done(LoadResult.fail(txnId, label, failure.toString(), total, filtered,
                                parsed.loadBytes(), clock.millis() - start));
                    }
                    if (twoPhaseCommit) {
                        try {
                            twoPhase.prepare(db, table, label, txnId, pending, total - filtered - unselected, filtered,
                                    engine.config().getLong(NodeKeys.PRECOMMIT_TIMEOUT_SECONDS) * 1000);
                        } catch (RuntimeException e) {
                            for (var p : pending.entrySet()) {
                                refs.get(p.getKey()).tell(new TabletActor.AbortCommit(txnId, p.getValue().rowset()));
                            }
                            return done(LoadResult.fail(txnId, label, "failed to prepare the load: " + e.getMessage(),
                                    total, filtered, parsed.loadBytes(), clock.millis() - start));
                        }
                        phase[2] = clock.millis();
                        return done(new LoadResult(txnId, label, LoadResult.SUCCESS, null, "OK", total,
                                total - filtered - unselected, filtered, 0, parsed.loadBytes(),
                                clock.millis() - start, null));
                    }
                    LoadTxn txn = new LoadTxn(txnId, db, label, table.tableId(), pending, refs,
                            total - filtered - unselected, filtered, System.nanoTime() + timeout.toNanos());
                    // Wait longer than the commit deadline: once the committer passes it the load
                    // is aborted, so a timeout here can not hide a commit that happens later.
                    return AskPattern.<LoadCommitter.Command, LoadCommitter.CommitResult>ask(committer,
                                    replyTo -> new LoadCommitter.Commit(txn, replyTo),
                                    timeout.plus(COMMIT_ANSWER_MARGIN), scheduler)
                            .thenApply(c -> {
                                phase[2] = clock.millis();
                                long ms = clock.millis() - start;
                                if (c.status().ok()) {
                                    return new LoadResult(txnId, label, LoadResult.SUCCESS, null, "OK", total,
                                            total - filtered - unselected, filtered, 0, parsed.loadBytes(), ms, null);
                                }
                                if (c.labelExists()) {
                                    return new LoadResult(c.committedTxnId(), label, LoadResult.LABEL_ALREADY_EXISTS,
                                            "FINISHED", c.status().msg(), 0, 0, 0, 0, 0, ms, null);
                                }
                                return LoadResult.fail(txnId, label, c.status().toString(), total, filtered,
                                        parsed.loadBytes(), ms);
                            });
                });
    }
}
