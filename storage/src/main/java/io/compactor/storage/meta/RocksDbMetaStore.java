package io.compactor.storage.meta;

import io.compactor.storage.mow.DeleteBitmapKey;
import io.compactor.storage.meta.MetaCodec.RowsetEntry;
import io.compactor.storage.meta.MetaCodec.RowsetState;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's {@link MetaStore} on RocksDB, as Doris keeps tablet meta in RocksDB. Key layout: see
 * {@link MetaKeys}; values are JSON, except delete bitmaps (the caller's serialized RoaringBitmap).
 *
 * <p><b>Atomicity and durability.</b> {@link #write} validates and encodes every op of a batch
 * first, then applies all of them as one RocksDB {@code WriteBatch} with {@code sync=true}: after
 * it returns the batch survives a crash, and if it throws nothing of it is visible. Ops apply in
 * batch order, so a {@code DeleteTablet} followed by a {@code PutTablet} of the same id recreates
 * it. Range deletions ({@code DeleteTablet}, {@code DeleteDeleteBitmap}) are range tombstones
 * inside the same batch.
 *
 * <p><b>Ids.</b> {@link #nextId} reserves {@link #ID_BLOCK_SIZE} ids per synced write (see
 * {@link IdBlockAllocator}); ids left in a block at shutdown or crash are skipped, never reused.
 * First ids, chosen to look like Doris's: tables 1001, tablets 10001, rowsets 1, transactions 1.
 *
 * <p><b>Concurrency.</b> All methods are thread-safe. A read-write lock keeps {@link #close} from
 * freeing native handles under a running call; after close every call throws
 * {@link IllegalStateException} ("meta store is closed"). Reads of several key kinds
 * ({@link #loadTablets}) use one RocksDB snapshot, so they see one committed state.
 */
public final class RocksDbMetaStore implements MetaStore {
    /** Ids reserved per synced high-water-mark write. */
    public static final int ID_BLOCK_SIZE = 1000;
    private static final long BLOCK_CACHE_BYTES = 16L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbMetaStore.class);

    private final Path dir;
    private final RocksDB db;
    private final Options options;
    private final LRUCache blockCache;
    private final WriteOptions syncWrite;
    private final Map<Sequence, IdBlockAllocator> sequences = new EnumMap<>(Sequence.class);
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    private RocksDbMetaStore(Path dir, RocksDB db, Options options, LRUCache blockCache) {
        this.dir = dir;
        this.db = db;
        this.options = options;
        this.blockCache = blockCache;
        this.syncWrite = new WriteOptions().setSync(true);
    }

    /**
     * Opens (creating if missing) the meta store in {@code dir}, e.g. {@code {first root}/meta}.
     *
     * @throws MetaStoreException if the directory cannot be created or RocksDB cannot open it
     *                            (for example because another process holds its lock)
     */
    public static RocksDbMetaStore open(Path dir) {
        RocksDB.loadLibrary();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MetaStoreException("meta store: cannot create directory " + dir + ": " + e, e);
        }
        LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
        Options options = new Options()
                .setCreateIfMissing(true)
                .setKeepLogFileNum(5)
                .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(cache));
        RocksDB db;
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            cache.close();
            throw new MetaStoreException("meta store: cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
        }
        RocksDbMetaStore store = new RocksDbMetaStore(dir, db, options, cache);
        try {
            store.initSequences();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The first id each sequence hands out in a new store. */
    public static long firstId(Sequence seq) {
        return switch (seq) {
            case TABLE -> 1001;
            case TABLET -> 10001;
            case ROWSET, TXN -> 1;
        };
    }

    private void initSequences() {
        for (Sequence seq : Sequence.values()) {
            byte[] key = MetaKeys.sequence(seq.name());
            byte[] stored = rocks("read sequence " + seq, () -> db.get(key));
            long mark = stored == null ? 0 : MetaCodec.decodeSequence(key, stored);
            sequences.put(seq, new IdBlockAllocator(seq.name(), firstId(seq), mark, ID_BLOCK_SIZE,
                    newMark -> rocks("reserve ids of sequence " + seq + " up to " + newMark, () -> {
                        db.put(syncWrite, key, MetaCodec.encodeSequence(newMark));
                        return null;
                    })));
        }
    }

    @Override
    public long nextId(Sequence seq) {
        return locked(() -> sequences.get(seq).nextId());
    }

    /**
     * Applies the batch atomically with a synced write.
     *
     * @throws IllegalArgumentException if an op is invalid (negative id, empty label, null
     *                                  bitmap...): nothing of the batch is written
     * @throws MetaStoreException       if RocksDB fails: nothing of the batch is visible
     */
    @Override
    public void write(MetaBatch batch) {
        if (batch.isEmpty()) {
            locked(() -> null);
            return;
        }
        locked(() -> {
            try (WriteBatch wb = new WriteBatch()) {
                MetaBatchEncoder.encodeInto(wb, batch);
                db.write(syncWrite, wb);
                return null;
            } catch (RocksDBException e) {
                throw new MetaStoreException("meta store " + dir + ": write of a batch of " + batch.ops().size()
                        + " ops failed: " + e.getMessage(), e);
            }
        });
    }

    @Override
    public List<TableMeta> loadTables() {
        return locked(() -> {
            List<TableMeta> tables = new ArrayList<>();
            try (ReadOptions ro = new ReadOptions()) {
                scan(ro, MetaKeys.kindPrefix(MetaKeys.TABLE), "load tables",
                        (k, v) -> tables.add(MetaCodec.decode(k, v, TableMeta.class)));
            }
            return tables;
        });
    }

    @Override
    public java.util.Map<Long, Long> loadDroppedTables() {
        return locked(() -> {
            java.util.Map<Long, Long> ids = new java.util.TreeMap<>();
            try (ReadOptions ro = new ReadOptions()) {
                scan(ro, MetaKeys.kindPrefix(MetaKeys.DROPPED_TABLE), "load dropped tables", (k, v) -> {
                    String text = new String(v, java.nio.charset.StandardCharsets.US_ASCII);
                    try {
                        ids.put(MetaKeys.droppedTableId(k), Long.parseLong(text.substring(0, text.indexOf(','))));
                    } catch (RuntimeException e) {
                        throw new MetaStoreException("meta store: corrupt dropped-table value under key "
                                + MetaKeys.hex(k) + ": '" + text + "'", e);
                    }
                });
            }
            return ids;
        });
    }

    /** A raw key and value read under a snapshot, decoded later (in parallel at start-up). */
    private record Raw(byte[] key, byte[] value) {
    }

    /**
     * Reads every tablet's keys under one snapshot, then decodes the JSON values in parallel: at
     * 100,000 tablets the decoding, not RocksDB, is most of a restart's meta read.
     */
    @Override
    public List<TabletMeta> loadTablets() {
        return locked(() -> {
            List<Raw> headerRaw = new ArrayList<>();
            List<Raw> rowsetRaw = new ArrayList<>();
            Snapshot snapshot = db.getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                scan(ro, MetaKeys.kindPrefix(MetaKeys.TABLET), "load tablet headers",
                        (k, v) -> headerRaw.add(new Raw(k, v)));
                scan(ro, MetaKeys.kindPrefix(MetaKeys.ROWSET), "load rowsets", (k, v) -> rowsetRaw.add(new Raw(k, v)));
            } finally {
                db.releaseSnapshot(snapshot);
            }
            List<TabletHeader> headers = headerRaw.parallelStream()
                    .map(r -> MetaCodec.decode(r.key(), r.value(), TabletHeader.class)).toList();
            List<RowsetEntry> rowsets = rowsetRaw.parallelStream()
                    .map(r -> MetaCodec.decode(r.key(), r.value(), RowsetEntry.class)).toList();
            Map<Long, List<RowsetMeta>> visible = new HashMap<>();
            Map<Long, List<StaleRowset>> stale = new HashMap<>();
            for (int i = 0; i < rowsets.size(); i++) {
                addRowset(MetaKeys.tabletIdOf(rowsetRaw.get(i).key()), rowsets.get(i), visible, stale);
            }
            List<TabletMeta> tablets = new ArrayList<>(headers.size());
            for (TabletHeader h : headers) {
                tablets.add(assemble(h, visible.getOrDefault(h.tabletId(), List.of()),
                        stale.getOrDefault(h.tabletId(), List.of())));
            }
            java.util.Set<Long> ids = new java.util.HashSet<>();
            headers.forEach(h -> ids.add(h.tabletId()));
            warnAboutOrphans(ids, visible.keySet(), stale.keySet());
            return tablets;
        });
    }

    /** One tablet as last committed (a point lookup and one prefix scan, not a scan of every tablet). */
    @Override
    public Optional<TabletMeta> loadTablet(long tabletId) {
        return locked(() -> {
            Map<Long, List<RowsetMeta>> visible = new HashMap<>();
            Map<Long, List<StaleRowset>> stale = new HashMap<>();
            TabletHeader header;
            Snapshot snapshot = db.getSnapshot();
            try (ReadOptions ro = new ReadOptions().setSnapshot(snapshot)) {
                byte[] key = MetaKeys.tablet(tabletId);
                byte[] v = rocks("load tablet " + tabletId, () -> db.get(ro, key));
                if (v == null) {
                    return Optional.empty();
                }
                header = MetaCodec.decode(key, v, TabletHeader.class);
                scan(ro, MetaKeys.rowsetPrefix(tabletId), "load rowsets of tablet " + tabletId, (k, val) ->
                        addRowset(tabletId, MetaCodec.decode(k, val, RowsetEntry.class), visible, stale));
            } finally {
                db.releaseSnapshot(snapshot);
            }
            return Optional.of(assemble(header, visible.getOrDefault(tabletId, List.of()),
                    stale.getOrDefault(tabletId, List.of())));
        });
    }

    private static void addRowset(long tabletId, RowsetEntry e, Map<Long, List<RowsetMeta>> visible,
                                  Map<Long, List<StaleRowset>> stale) {
        if (e.state() == RowsetState.STALE) {
            long at = e.staleAtMs() == null ? 0 : e.staleAtMs();
            stale.computeIfAbsent(tabletId, t -> new ArrayList<>()).add(new StaleRowset(e.rowset(), at));
        } else {
            visible.computeIfAbsent(tabletId, t -> new ArrayList<>()).add(e.rowset());
        }
    }

    private static TabletMeta assemble(TabletHeader h, List<RowsetMeta> visible, List<StaleRowset> staleOf) {
        List<StaleRowset> st = new ArrayList<>(staleOf);
        st.sort(Comparator.comparingLong(StaleRowset::staleAtMs).thenComparing(s -> s.rowset().version()));
        return new TabletMeta(h.tabletId(), h.tableId(), h.bucket(), h.dataDir(), h.cumulativePoint(), visible, st);
    }

    private static void warnAboutOrphans(Set<Long> tablets, Set<Long> visible,
                                         Set<Long> stale) {
        for (Set<Long> ids : List.of(visible, stale)) {
            for (Long id : ids) {
                if (!tablets.contains(id)) {
                    LOG.warn("meta store: rowset entries of tablet {} have no tablet header; ignored", id);
                }
            }
        }
    }

    @Override
    public Optional<LoadRecord> findLabel(String db, String label) {
        MetaBatchEncoder.checkLabelPart("db", db);
        MetaBatchEncoder.checkLabelPart("label", label);
        byte[] key = MetaKeys.label(db, label);
        return locked(() -> {
            byte[] v = rocks("find label " + db + "/" + label, () -> this.db.get(key));
            return Optional.ofNullable(v == null ? null : MetaCodec.decode(key, v, LoadRecord.class));
        });
    }

    @Override
    public SortedMap<DeleteBitmapKey, byte[]> loadDeleteBitmaps(long tabletId) {
        return locked(() -> {
            SortedMap<DeleteBitmapKey, byte[]> out = new TreeMap<>();
            try (ReadOptions ro = new ReadOptions()) {
                scan(ro, MetaKeys.deleteBitmapPrefix(tabletId), "load delete bitmaps of tablet " + tabletId,
                        (k, v) -> out.put(MetaKeys.decodeDeleteBitmap(k), v));
            }
            return out;
        });
    }

    /** The directory the store lives in. */
    public Path dir() {
        return dir;
    }

    /** Closes RocksDB and frees its native resources; idempotent. Waits for running calls. */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try {
                db.closeE();
            } catch (RocksDBException e) {
                LOG.warn("meta store {}: error while closing RocksDB: {}", dir, e.getMessage());
            } finally {
                syncWrite.close();
                options.close();
                blockCache.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    private void scan(ReadOptions ro, byte[] prefix, String what, BiConsumer<byte[], byte[]> consumer) {
        try (RocksIterator it = db.newIterator(ro)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                byte[] key = it.key();
                if (!MetaKeys.startsWith(key, prefix)) {
                    break;
                }
                consumer.accept(key, it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new MetaStoreException("meta store " + dir + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private <T> T locked(Supplier<T> action) {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("meta store is closed");
            }
            return action.get();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** A RocksDB call that may fail. */
    private interface RocksCall<T> {
        T call() throws RocksDBException;
    }

    private <T> T rocks(String what, RocksCall<T> call) {
        try {
            return call.call();
        } catch (RocksDBException e) {
            throw new MetaStoreException("meta store " + dir + ": " + what + " failed: " + e.getMessage(), e);
        }
    }
}
