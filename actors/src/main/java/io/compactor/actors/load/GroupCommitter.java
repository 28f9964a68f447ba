package io.compactor.actors.load;

import io.compactor.actors.catalog.CatalogView;
import io.compactor.api.GroupCommitMode;
import io.compactor.api.LoadResult;
import io.compactor.api.NodeMetrics;
import io.compactor.storage.load.ParsedLoad;
import io.compactor.storage.schema.RowBatchCodec;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.wal.Wal;
import io.compactor.storage.wal.WalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit, as Doris 2.1 has it: loads into one table with the {@code group_commit} header are
 * appended to the table's current <em>internal load</em>, which commits as one version per tablet
 * when {@code group_commit_interval_ms} has passed since it began or it holds
 * {@code group_commit_data_bytes} (table properties). Its commit is a plain load's
 * ({@link LocalLoadWriter}: rules 1 and 2 of docs/DESIGN.md hold for it), under an internal label
 * {@code group_commit_<hex>_<hex>}, which the answers of its loads carry with its txn id.
 *
 * <p><b>sync_mode</b> answers once the internal load committed (the rows are visible), with its
 * outcome. <b>async_mode</b> answers once the load's rows are fsynced in the internal load's
 * write-ahead log ({@link Wal}, under {@code {first data dir}/wal}); the file goes when the internal
 * load commits. At start-up {@link #recover} replays every WAL left: a torn tail is dropped (no load
 * in it was acknowledged), and a WAL whose label the meta store already holds (the crash fell
 * between the commit and the delete) is only deleted, so no load is applied twice. An internal load
 * with acknowledged async rows whose commit fails is retried from its WAL with back-off; a table's
 * internal loads commit one at a time, in order, so the latest row of a key wins. WAL bytes are
 * bounded node-wide ({@code group_commit_wal_max_disk_limit}): past it async loads are answered busy.
 *
 * <p>Thread-safe: each table's state is guarded by its own lock; IO (WAL appends, fsyncs) runs on the
 * caller's executor thread, never under a lock.
 */
public final class GroupCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
    private static final long RETRY_FIRST_MS = 500;
    private static final long RETRY_MAX_MS = 30_000;

    private final AtomicReference<CatalogView> view;
    private final LocalLoadWriter writer;
    private final Path walDir;
    private final NodeMetrics metrics;
    private final Clock clock;
    private final LongSupplier walLimitBytes;
    private final IntSupplier timeoutSeconds;
    private final LongSupplier txnIds;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final Map<Long, TableGroup> groups = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong walBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    public GroupCommitter(AtomicReference<CatalogView> view, LocalLoadWriter writer, Path walDir, NodeMetrics metrics,
                          Clock clock, LongSupplier walLimitBytes, IntSupplier timeoutSeconds, LongSupplier txnIds,
                          Executor executor, ScheduledExecutorService timer) {
        this.view = view;
        this.writer = writer;
        this.walDir = walDir;
        this.metrics = metrics;
        this.clock = clock;
        this.walLimitBytes = walLimitBytes;
        this.timeoutSeconds = timeoutSeconds;
        this.txnIds = txnIds;
        this.executor = executor;
        this.timer = timer;
    }

    /** The WAL directory. */
    public Path walDir() {
        return walDir;
    }

    /** Bytes of WAL files whose internal load has not committed yet. */
    public long walBytes() {
        return walBytes.get();
    }

    /**
     * Appends a parsed, validated load to its table's internal load. Completes normally for every
     * outcome; the answer carries the internal load's label and txn id and {@code GroupCommit: true}.
     */
    public CompletionStage<LoadResult> append(String db, TableMeta table, ParsedLoad parsed, GroupCommitMode mode,
                                              long startMs) {
        if (mode == GroupCommitMode.OFF_MODE) {
            throw new IllegalArgumentException("off_mode loads do not go through group commit");
        }
        if (closed) {
            return CompletableFuture.completedFuture(fail(null, parsed, startMs, "[" + StatusCode.SERVICE_UNAVAILABLE
                    + "]the node is shutting down"));
        }
        TableGroup g = groups.computeIfAbsent(table.tableId(), id -> new TableGroup());
        InternalLoad il;
        synchronized (g) {
            il = g.openFor(db, table);
            il.pending++;
        }
        if (mode == GroupCommitMode.SYNC_MODE) {
            CompletableFuture<LoadResult> answer = new CompletableFuture<>();
            synchronized (g) {
                il.rows.appendRange(parsed.rows(), 0, parsed.rows().size());
                il.addCounts(parsed);
                il.syncWaiters.add(new InternalLoad.Waiter(answer, parsed, startMs));
                il.syncRows = true;
                il.pending--;
                sealIfFull(g, il);
            }
            metrics.groupCommitLoads.increment();
            drain(g);
            return answer;
        }
        long size = parsed.loadBytes();
        long limit = walLimitBytes.getAsLong();
        if (walBytes.get() + size > limit) {
            synchronized (g) {
                il.pending--;
            }
            drain(g);
            return CompletableFuture.completedFuture(fail(il, parsed, startMs, "[" + StatusCode.SERVICE_UNAVAILABLE
                    + "]There is no space for group commit stream load async WAL. This stream load size is " + size
                    + ". WAL dir info: [" + walDir + ": limit " + limit + ", used " + walBytes.get() + "]"));
        }
        try {
            long written = il.appendToWal(walDir, RowBatchCodec.encode(parsed.rows()));
            walBytes.addAndGet(written);
            metrics.groupCommitWalBytes.set(walBytes.get());
        } catch (IOException | RuntimeException e) {
            LOG.error("group commit: WAL append for internal load {} failed", il.label, e);
            synchronized (g) {
                il.pending--;
            }
            drain(g);
            return CompletableFuture.completedFuture(fail(il, parsed, startMs, "[" + StatusCode.INTERNAL_ERROR
                    + "]failed to write the group commit WAL: " + e.getMessage()));
        }
        synchronized (g) {
            il.rows.appendRange(parsed.rows(), 0, parsed.rows().size());
            il.addCounts(parsed);
            il.pending--;
            sealIfFull(g, il);
        }
        metrics.groupCommitLoads.increment();
        drain(g);
        return CompletableFuture.completedFuture(success(il, parsed, startMs, 0));
    }

    /** Seals the open load when it holds {@code group_commit_data_bytes} (caller holds the lock). */
    private void sealIfFull(TableGroup g, InternalLoad il) {
        if (il.bytes >= il.table.properties().groupCommitDataBytes() || il.table.properties().groupCommitIntervalMs() == 0) {
            g.seal(il);
        }
    }

    /**
     * Replays the WALs left by the previous run (call once at start-up, once the catalog is loaded):
     * each becomes a sealed internal load of its table, committed in txn order before any new one.
     */
    public void recover(java.util.function.Predicate<Wal.Header> committed) throws IOException {
        if (!Files.isDirectory(walDir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(walDir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(Wal.SUFFIX)).toList();
        }
        List<InternalLoad> replays = new ArrayList<>();
        for (Path f : files) {
            WalReader.Contents c = WalReader.read(f);
            if (c.header() == null) {
                LOG.warn("group commit: WAL {} has no whole header ({}); nothing in it was acknowledged, deleted", f,
                        c.tornReason());
                Files.deleteIfExists(f);
                continue;
            }
            if (c.tornReason() != null) {
                LOG.warn("group commit: WAL {}: torn tail of {} bytes dropped ({})", f, c.tornBytes(), c.tornReason());
            }
            Wal.Header h = c.header();
            TableMeta table = view.get().tablesById().get(h.tableId());
            if (table == null || c.rows().isEmpty() || committed.test(h)) {
                LOG.info("group commit: WAL {} of internal load {} needs no replay ({}), deleted", f, h.label(),
                        table == null ? "table dropped" : c.rows().isEmpty() ? "no rows" : "already committed");
                Files.deleteIfExists(f);
                continue;
            }
            InternalLoad il = new InternalLoad(h.txnId(), h.label(), h.db(), table, clock.millis());
            var rows = c.decodeRows(table.schema());
            il.rows.appendRange(rows, 0, rows.size());
            il.loadedRows = rows.size();
            il.walFile = f;
            il.walSize = Files.size(f);
            il.asyncRows = true;
            walBytes.addAndGet(il.walSize);
            replays.add(il);
        }
        metrics.groupCommitWalBytes.set(walBytes.get());
        replays.sort(Comparator.comparingLong(il -> il.txnId));
        for (InternalLoad il : replays) {
            LOG.info("group commit: replaying WAL of internal load {} (txn {}, {} rows) into table {}", il.label,
                    il.txnId, il.loadedRows, il.table.name());
            TableGroup g = groups.computeIfAbsent(il.table.tableId(), id -> new TableGroup());
            synchronized (g) {
                il.sealed = true;
                g.sealed.add(il);
            }
        }
        for (TableGroup g : groups.values()) {
            drain(g);
        }
    }

    /** Starts the head sealed internal load of the table if none of its loads is committing. */
    private void drain(TableGroup g) {
        InternalLoad next;
        synchronized (g) {
            if (g.committing || g.sealed.isEmpty() || g.sealed.peek().pending > 0 || closed) {
                return;
            }
            next = g.sealed.poll();
            g.committing = true;
        }
        commit(g, next);
    }

    private void commit(TableGroup g, InternalLoad il) {
        TableMeta table = view.get().tablesById().get(il.table.tableId());
        if (table == null) {
            finish(g, il, new LocalLoadWriter.Outcome(Status.of(StatusCode.NOT_FOUND, "table " + il.table.name()
                    + " was dropped"), false, 0, 0), false);
            return;
        }
        var perBucket = RowRouter.route(table, il.rows);
        writer.writeAndCommit(il.db, table, il.label, il.txnId, perBucket, il.loadedRows, il.filteredRows,
                        Duration.ofSeconds(timeoutSeconds.getAsInt()))
                .whenComplete((o, err) -> finish(g, il, o != null ? o : new LocalLoadWriter.Outcome(
                        Status.internal("group commit of " + il.label + " failed: " + err), false, 0, 0), true));
    }

    private void finish(TableGroup g, InternalLoad il, LocalLoadWriter.Outcome o, boolean tableExists) {
        boolean ok = o.status().ok() || o.labelExists();
        if (ok) {
            metrics.groupCommitInternalCommits.increment();
        }
        for (InternalLoad.Waiter w : il.syncWaiters) {
            w.answer().complete(ok ? success(il, w.parsed(), w.startMs(), o.waitedMs())
                    : fail(il, w.parsed(), w.startMs(), o.status().toString()).withWaitCompactionMs(o.waitedMs()));
        }
        il.syncWaiters.clear();
        boolean retry = !ok && il.asyncRows && tableExists && !closed;
        if (ok || !retry) {
            if (!ok && il.asyncRows) {
                LOG.error("group commit: internal load {} of dropped table {} abandoned with its WAL", il.label,
                        il.table.name());
            }
            il.deleteWal(walBytes);
            metrics.groupCommitWalBytes.set(walBytes.get());
        }
        synchronized (g) {
            g.committing = false;
            if (!retry) {
                g.sealIfDue();
            }
            if (retry) {
                // The acknowledged async rows must land; only they are retried (from the WAL), ahead
                // of the table's later internal loads so that the order of loads holds.
                InternalLoad again;
                try {
                    again = il.retryFromWal(txnIds.getAsLong());
                } catch (IllegalStateException e) {
                    LOG.error(e.getMessage());
                    g.committing = false;
                    drainLater(g);
                    return;
                }
                g.sealed.addFirst(again);
                g.committing = true;
                long delay = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS << Math.min(16, again.attempt));
                LOG.warn("group commit: internal load {} failed ({}); retrying its WAL rows in {} ms", il.label,
                        o.status(), delay);
                timer.schedule(() -> {
                    synchronized (g) {
                        g.committing = false;
                    }
                    drain(g);
                }, delay, TimeUnit.MILLISECONDS);
                return;
            }
        }
        drain(g);
    }

    private void drainLater(TableGroup g) {
        timer.execute(() -> drain(g));
    }

    private LoadResult success(InternalLoad il, ParsedLoad p, long startMs, long waitedMs) {
        return new LoadResult(il.txnId, il.label, LoadResult.SUCCESS, null, "OK", p.totalRows(), p.loadedRows(),
                p.filteredRows(), 0, p.loadBytes(), clock.millis() - startMs, null)
                .asGroupCommit(il.txnId, il.label).withWaitCompactionMs(waitedMs);
    }

    private LoadResult fail(InternalLoad il, ParsedLoad p, long startMs, String message) {
        LoadResult r = LoadResult.fail(il == null ? 0 : il.txnId, il == null ? "" : il.label, message, p.totalRows(),
                p.filteredRows(), p.loadBytes(), clock.millis() - startMs);
        return il == null ? r : r.asGroupCommit(il.txnId, il.label);
    }

    /** Stops taking loads and timers; sync loads still waiting are answered by their commit or never. */
    @Override
    public void close() {
        closed = true;
        for (TableGroup g : groups.values()) {
            synchronized (g) {
                for (InternalLoad il : g.all()) {
                    il.closeWal();
                }
            }
        }
    }


    /** One table's internal loads: the open one, and the sealed ones waiting to commit in order. */
    private final class TableGroup {
        InternalLoad open;
        final java.util.ArrayDeque<InternalLoad> sealed = new java.util.ArrayDeque<>();
        boolean committing;

        InternalLoad openFor(String db, TableMeta table) {
            if (open == null) {
                long txnId = txnIds.getAsLong();
                java.util.UUID id = java.util.UUID.randomUUID();
                String label = String.format("group_commit_%016x_%016x", id.getMostSignificantBits(),
                        id.getLeastSignificantBits());
                InternalLoad il = new InternalLoad(txnId, label, db, table, clock.millis());
                open = il;
                long interval = table.properties().groupCommitIntervalMs();
                if (interval > 0) {
                    timer.schedule(() -> {
                        synchronized (this) {
                            il.due = true;
                            sealIfDue();
                        }
                        drain(this);
                    }, interval, TimeUnit.MILLISECONDS);
                }
            }
            return open;
        }

        /**
         * Seals the open load if its interval has passed and no earlier load of the table is
         * committing or waiting: while one commits, appends keep joining the open load, so a slow
         * commit makes the next one bigger instead of queueing many small versions behind it.
         */
        void sealIfDue() {
            if (open != null && open.due && !committing && sealed.isEmpty()) {
                seal(open);
            }
        }

        /** The open load stops taking appends and queues to commit (no-op if it was sealed already). */
        void seal(InternalLoad il) {
            if (il.sealed) {
                return;
            }
            il.sealed = true;
            if (open == il) {
                open = null;
            }
            sealed.add(il);
        }

        List<InternalLoad> all() {
            List<InternalLoad> l = new ArrayList<>(sealed);
            if (open != null) {
                l.add(open);
            }
            return l;
        }
    }
}
