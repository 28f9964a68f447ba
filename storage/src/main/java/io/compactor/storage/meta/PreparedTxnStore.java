package io.compactor.storage.meta;

import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.util.FileSync;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The loads that ended prepared (Doris's stream-load two-phase commit, {@code two_phase_commit:
 * true}): their rowset files are written and fsynced, but no version is visible until
 * {@code _stream_load_2pc} commits them. One synced JSON file per load under
 * {@code {root}/prepared_txn}, so a prepared load survives a restart and its files are not swept
 * as orphans at start. Thread-safe.
 */
public final class PreparedTxnStore {

    /**
     * One prepared load.
     *
     * @param rowsets one per tablet, with the tablet id and a placeholder version (the real one is
     *                given at commit)
     * @param files   per rowset, its segment file paths
     * @param partial a partial column update: which columns it gives (re-filled at commit from the rows
     *                visible then); null for a load of whole rows (and in records written before it existed)
     */
    public record PreparedTxn(long txnId, String db, String label, long tableId, String table, long preparedAtMs,
                              long expiresAtMs, long loadedRows, long filteredRows, List<RowsetMeta> rowsets,
                              List<List<String>> files, PartialUpdate partial) {
        public PreparedTxn {
            Objects.requireNonNull(db, "db");
            Objects.requireNonNull(label, "label");
            rowsets = List.copyOf(rowsets);
            files = files.stream().map(List::copyOf).toList();
        }

        public PreparedTxn(long txnId, String db, String label, long tableId, String table, long preparedAtMs,
                           long expiresAtMs, long loadedRows, long filteredRows, List<RowsetMeta> rowsets,
                           List<List<String>> files) {
            this(txnId, db, label, tableId, table, preparedAtMs, expiresAtMs, loadedRows, filteredRows, rowsets, files,
                    null);
        }
    }

    private final Path dir;

    public PreparedTxnStore(Path root) {
        this.dir = root.resolve("prepared_txn");
    }

    /** Every prepared load on disk. */
    public synchronized List<PreparedTxn> load() {
        List<PreparedTxn> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                if (f.getFileName().toString().endsWith(".json")) {
                    out.add(MetaCodec.decode(new byte[0], Files.readAllBytes(f), PreparedTxn.class));
                } else {
                    Files.deleteIfExists(f); // a temp file of a write that did not finish
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can not read prepared loads in " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Records a prepared load durably (fsynced) before its load is answered. */
    public synchronized void put(PreparedTxn txn) {
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("txn_" + txn.txnId() + ".tmp");
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(MetaCodec.encode(txn)));
                ch.force(true);
            }
            Files.move(tmp, file(txn.txnId()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileSync.syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("can not record prepared load " + txn.txnId() + ": " + e.getMessage(), e);
        }
    }

    /** Forgets a prepared load (committed or aborted). */
    public synchronized void remove(long txnId) {
        try {
            Files.deleteIfExists(file(txnId));
            if (Files.isDirectory(dir)) {
                FileSync.syncDirectory(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("can not remove prepared load " + txnId + ": " + e.getMessage(), e);
        }
    }

    private Path file(long txnId) {
        return dir.resolve("txn_" + txnId + ".json");
    }
}
