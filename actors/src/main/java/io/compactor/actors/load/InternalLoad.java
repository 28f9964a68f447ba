package io.compactor.actors.load;

import io.compactor.api.LoadResult;
import io.compactor.storage.load.ParsedLoad;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.wal.Wal;
import io.compactor.storage.wal.WalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One internal load of {@link GroupCommitter}: its rows, counts, sync waiters and WAL. */
final class InternalLoad {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** A sync_mode load waiting for this internal load to commit. */
    record Waiter(CompletableFuture<LoadResult> answer, ParsedLoad parsed, long startMs) {
    }

    final long txnId;
    final String label;
    final String db;
    final TableMeta table;
    final long createdMs;
    final io.compactor.storage.schema.RowBatch rows;
    long bytes;
    long loadedRows;
    long filteredRows;
    int pending;
    boolean sealed;
    /** Its interval has passed: it commits as soon as the table's previous internal load is done. */
    boolean due;
    boolean asyncRows;
    boolean syncRows;
    int attempt;
    final List<Waiter> syncWaiters = new ArrayList<>();
    io.compactor.storage.wal.WalWriter wal;
    Path walFile;
    long walSize;

    InternalLoad(long txnId, String label, String db, TableMeta table, long createdMs) {
        this.txnId = txnId;
        this.label = label;
        this.db = db;
        this.table = table;
        this.createdMs = createdMs;
        this.rows = new io.compactor.storage.schema.RowBatch(table.schema(), 64);
    }

    void addCounts(ParsedLoad p) {
        bytes += p.loadBytes();
        loadedRows += p.loadedRows();
        filteredRows += p.filteredRows();
    }

    /** Appends one load's rows to the WAL (created on the first append) and returns the bytes it took. */
    long appendToWal(Path dir, byte[] encoded) throws IOException {
        io.compactor.storage.wal.WalWriter w;
        long created = 0;
        synchronized (this) {
            if (wal == null) {
                wal = io.compactor.storage.wal.WalWriter.create(dir, new Wal.Header(table.tableId(), txnId, db,
                        label));
                walFile = wal.file();
                created = wal.size();
            }
            w = wal;
            asyncRows = true;
        }
        long n = w.appendRows(encoded) + created;
        synchronized (this) {
            walSize += n;
        }
        return n;
    }

    /** A new attempt at the same internal load with only the rows its WAL holds (the acknowledged async ones). */
    InternalLoad retryFromWal(long newTxnId) {
        closeWal();
        // A fresh txn id (the label stays): a late abort of the failed attempt must not touch this one.
        InternalLoad again = new InternalLoad(newTxnId, label, db, table, createdMs);
        again.attempt = attempt + 1;
        again.sealed = true;
        again.asyncRows = true;
        again.walFile = walFile;
        again.walSize = walSize;
        try {
            WalReader.Contents c = WalReader.read(walFile);
            var r = c.decodeRows(table.schema());
            again.rows.appendRange(r, 0, r.size());
            again.loadedRows = r.size();
        } catch (IOException | RuntimeException e) {
            if (syncRows) {
                // Memory also holds sync rows whose loads were answered Fail: they must never land.
                throw new IllegalStateException("group commit: WAL " + walFile + " of internal load " + label
                        + " can not be read back: " + e.getMessage() + "; it is replayed at the next start", e);
            }
            LOG.error("group commit: WAL {} of internal load {} can not be read back; retrying with the rows in "
                    + "memory (all of them async)", walFile, label, e);
            again.rows.appendRange(rows, 0, rows.size());
            again.loadedRows = loadedRows;
        }
        return again;
    }

    synchronized void closeWal() {
        if (wal != null) {
            try {
                wal.close();
            } catch (IOException ignored) {
                // the file stays; it is deleted or replayed later
            }
            wal = null;
        }
    }

    /** The internal load committed (or its table is gone): its WAL goes. */
    void deleteWal(java.util.concurrent.atomic.AtomicLong used) {
        closeWal();
        Path f;
        long size;
        synchronized (this) {
            f = walFile;
            size = walSize;
            walFile = null;
            walSize = 0;
        }
        if (f != null) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                LOG.warn("group commit: could not delete WAL {}: {} (it is skipped at the next start: its label "
                        + "is committed)", f, e.toString());
            }
            used.addAndGet(-size);
        }
    }
}
