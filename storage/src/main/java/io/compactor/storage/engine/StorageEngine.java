package io.compactor.storage.engine;

import io.compactor.storage.DataDir;
import io.compactor.storage.SweepReport;
import io.compactor.storage.config.CompactorConfig;
import io.compactor.storage.config.StorageKeys;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.meta.MetaStore;
import io.compactor.storage.meta.PreparedTxnStore;
import io.compactor.storage.meta.RocksDbMetaStore;
import io.compactor.storage.mow.PrimaryKeyIndexCache;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.DebugPoints;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's storage: its data dirs and its meta store, opened and recovered together.
 *
 * <p>Recovery follows "files first, meta second": whatever the meta store committed is the truth.
 * At start every segment file that no committed rowset references (a load or compaction that
 * crashed before its meta commit) is removed, and stale rowsets (no reader survives a restart) are
 * dropped from the meta and their files removed. Not an actor; thread-safe.
 */
public final class StorageEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StorageEngine.class);

    private final CompactorConfig config;
    private final Clock clock;
    private final List<DataDir> dataDirs;
    private final Map<String, DataDir> dirsByPath = new HashMap<>();
    private final MetaStore meta;
    private final List<TableMeta> recoveredTables;
    private final List<TabletMeta> recoveredTablets;
    private final RecoveryReport recovery;
    private final DebugPoints debugPoints;
    private final PrimaryKeyIndexCache primaryKeys;
    private final BadTablets badTablets = new BadTablets();

    /** What start-up recovery found and removed. */
    public record RecoveryReport(int tables, int tablets, int rowsets, int staleRowsetsDropped, long orphanFilesRemoved,
                                 long orphanBytesRemoved) {
    }

    private final PreparedTxnStore preparedTxns;

    private StorageEngine(CompactorConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.debugPoints = new DebugPoints(() -> Boolean.TRUE.equals(config.value("enable_debug_points")), clock);
        this.primaryKeys = new PrimaryKeyIndexCache(config.get(StorageKeys.PRIMARY_KEY_CACHE_CAPACITY_BYTES));
        this.dataDirs = DataDir.parseRoots(config.get(StorageKeys.STORAGE_ROOT_PATH), debugPoints);
        for (DataDir d : dataDirs) {
            dirsByPath.put(d.path(), d);
        }
        Path metaDir = dataDirs.get(0).root().resolve("meta");
        long t0 = System.nanoTime();
        this.meta = RocksDbMetaStore.open(metaDir);
        try {
            long opened = System.nanoTime();
            this.recoveredTables = meta.loadTables();
            List<TabletMeta> tablets = meta.loadTablets();
            long read = System.nanoTime();
            MetaBatch dropStale = new MetaBatch();
            List<TabletMeta> cleaned = new ArrayList<>(tablets.size());
            int stale = 0;
            int rowsets = 0;
            Map<DataDir, Map<Long, Set<String>>> referenced = new HashMap<>();
            for (DataDir d : dataDirs) {
                referenced.put(d, new HashMap<>());
            }
            for (TabletMeta t : tablets) {
                DataDir dir = dirsByPath.get(t.dataDir());
                if (dir == null) {
                    throw new IllegalStateException("tablet " + t.tabletId() + " lives in data dir " + t.dataDir()
                            + " which is not in storage_root_path (" + config.get(StorageKeys.STORAGE_ROOT_PATH) + ")");
                }
                Set<RowsetId> staleIds = new HashSet<>();
                for (StaleRowset s : t.staleRowsets()) {
                    dropStale.deleteRowset(t.tabletId(), s.rowset().rowsetId());
                    dropStale.add(new MetaBatch.DeleteDeleteBitmap(t.tabletId(), s.rowset().rowsetId()));
                    staleIds.add(s.rowset().rowsetId());
                    stale++;
                }
                Set<String> files = new HashSet<>();
                for (RowsetMeta r : t.rowsets()) {
                    rowsets++;
                    for (int seg = 0; seg < r.numSegments(); seg++) {
                        files.add(DataDir.segmentFileName(r.rowsetId(), seg));
                    }
                }
                referenced.get(dir).put(t.tabletId(), files);
                cleaned.add(staleIds.isEmpty() ? t : t.withoutStale(staleIds));
            }
            if (!dropStale.isEmpty()) {
                meta.write(dropStale);
            }
            // Prepared loads (two-phase commit) own files no visible rowset references yet.
            this.preparedTxns = new PreparedTxnStore(dataDirs.get(0).root());
            Map<Long, TabletMeta> byId = new HashMap<>();
            for (TabletMeta t : tablets) {
                byId.put(t.tabletId(), t);
            }
            for (PreparedTxnStore.PreparedTxn txn : preparedTxns.load()) {
                for (RowsetMeta r : txn.rowsets()) {
                    TabletMeta t = byId.get(r.tabletId());
                    DataDir dir = t == null ? null : dirsByPath.get(t.dataDir());
                    if (dir == null) {
                        continue; // the tablet is gone: its files go with it
                    }
                    Set<String> files = referenced.get(dir).computeIfAbsent(r.tabletId(), k -> new HashSet<>());
                    for (int seg = 0; seg < r.numSegments(); seg++) {
                        files.add(DataDir.segmentFileName(r.rowsetId(), seg));
                    }
                }
            }
            long files = 0;
            long bytes = 0;
            long swept = System.nanoTime();
            for (DataDir d : dataDirs) {
                SweepReport r;
                try {
                    r = d.sweepOrphans(referenced.get(d));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("orphan sweep of data dir " + d.path() + " failed", e);
                }
                files += r.filesRemoved();
                bytes += r.bytesRemoved();
            }
            this.recoveredTablets = List.copyOf(cleaned);
            this.recovery = new RecoveryReport(recoveredTables.size(), cleaned.size(), rowsets, stale, files, bytes);
            long end = System.nanoTime();
            LOG.info("storage recovered: {} in {} ms (meta store open {} ms, meta read {} ms, orphan sweep {} ms)",
                    recovery, (end - t0) / 1_000_000, (opened - t0) / 1_000_000, (read - opened) / 1_000_000,
                    (end - swept) / 1_000_000);
        } catch (RuntimeException e) {
            meta.close();
            throw e;
        }
    }

    /**
     * Opens the data dirs named by {@code storage_root_path}, the meta store in the first of them
     * ({@code {root}/meta}), and recovers.
     */
    public static StorageEngine open(CompactorConfig config, Clock clock) {
        return new StorageEngine(config, clock);
    }

    public CompactorConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** Fault-injection points (active only when {@code enable_debug_points} is on). */
    public DebugPoints debugPoints() {
        return debugPoints;
    }

    /** Tablets found damaged (in memory; a restart re-checks). */
    public BadTablets badTablets() {
        return badTablets;
    }

    /** Decoded primary-key indexes of merge-on-write segments, shared by all tablets. */
    public PrimaryKeyIndexCache primaryKeys() {
        return primaryKeys;
    }

    /** The loads that ended prepared (two-phase commit). */
    public PreparedTxnStore preparedTxns() {
        return preparedTxns;
    }

    public MetaStore meta() {
        return meta;
    }

    public List<DataDir> dataDirs() {
        return dataDirs;
    }

    public DataDir dataDir(String path) {
        DataDir d = dirsByPath.get(path);
        if (d == null) {
            throw new IllegalArgumentException("unknown data dir " + path);
        }
        return d;
    }

    public List<TableMeta> recoveredTables() {
        return recoveredTables;
    }

    public List<TabletMeta> recoveredTablets() {
        return recoveredTablets;
    }

    public RecoveryReport recoveryReport() {
        return recovery;
    }

    public RowsetId nextRowsetId() {
        return new RowsetId(meta.nextId(MetaStore.Sequence.ROWSET));
    }

    public long nextTxnId() {
        return meta.nextId(MetaStore.Sequence.TXN);
    }

    public long nextTableId() {
        return meta.nextId(MetaStore.Sequence.TABLE);
    }

    public long nextTabletId() {
        return meta.nextId(MetaStore.Sequence.TABLET);
    }

    @Override
    public void close() {
        meta.close();
    }
}
