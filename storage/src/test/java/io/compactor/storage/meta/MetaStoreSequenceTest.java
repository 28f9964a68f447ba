package io.compactor.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.meta.MetaStore.Sequence;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class MetaStoreSequenceTest {
    @TempDir
    Path dir;

    @Test
    void sequencesStartAtDocumentedValuesAndStrictlyIncrease() {
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            assertEquals(1001, store.nextId(Sequence.TABLE));
            assertEquals(10001, store.nextId(Sequence.TABLET));
            assertEquals(1, store.nextId(Sequence.ROWSET));
            assertEquals(1, store.nextId(Sequence.TXN));
            long prev = 10001;
            for (int i = 0; i < 2500; i++) { // crosses two block boundaries
                long id = store.nextId(Sequence.TABLET);
                assertEquals(prev + 1, id);
                prev = id;
            }
            assertEquals(1002, store.nextId(Sequence.TABLE));
        }
    }

    @Test
    void reopenSkipsTheRestOfTheReservedBlock() {
        long last;
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            store.nextId(Sequence.ROWSET);
            last = store.nextId(Sequence.ROWSET);
        }
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            long next = store.nextId(Sequence.ROWSET);
            assertEquals(1 + RocksDbMetaStore.ID_BLOCK_SIZE, next);
            assertTrue(next > last);
            assertEquals(next + 1, store.nextId(Sequence.ROWSET));
        }
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            assertEquals(1 + 2L * RocksDbMetaStore.ID_BLOCK_SIZE, store.nextId(Sequence.ROWSET));
            assertEquals(1001, store.nextId(Sequence.TABLE), "untouched sequences are unaffected");
        }
    }

    @Test
    void reservedHighWaterMarkIsOnDiskBeforeAnyIdOfTheBlockIsHandedOut() throws Exception {
        long maxHandedOut = 0;
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            for (int i = 0; i < 1500; i++) {
                maxHandedOut = store.nextId(Sequence.TXN);
            }
        }
        // what a restarted process would read: the persisted mark must be above every id handed out
        try (Options o = new Options(); RocksDB raw = RocksDB.openReadOnly(o, dir.toString())) {
            byte[] v = raw.get(MetaKeys.sequence("TXN"));
            long mark = Long.parseLong(new String(v, StandardCharsets.US_ASCII));
            assertTrue(mark > maxHandedOut, "mark " + mark + " must exceed " + maxHandedOut);
        }
    }

    @Test
    void allocatorRestartedFromThePersistedMarkAfterACrashNeverRepeatsAnId() {
        AtomicLong disk = new AtomicLong();
        IdBlockAllocator before = new IdBlockAllocator("T", 5, disk.get(), 10, disk::set);
        Set<Long> seen = new HashSet<>();
        for (int i = 0; i < 13; i++) {
            assertTrue(seen.add(before.nextId()));
        }
        assertEquals(25, disk.get());
        // crash: the in-memory allocator is lost, a new one starts from what is on disk
        IdBlockAllocator after = new IdBlockAllocator("T", 5, disk.get(), 10, disk::set);
        long id = after.nextId();
        assertEquals(25, id);
        assertTrue(seen.add(id));
    }

    @Test
    void failedReservationHandsOutNoIdAndIsRetried() {
        List<Long> disk = new ArrayList<>();
        boolean[] fail = {true};
        IdBlockAllocator alloc = new IdBlockAllocator("S", 1, 0, 10, mark -> {
            if (fail[0]) {
                throw new MetaStoreException("disk full");
            }
            disk.add(mark);
        });
        assertThrows(MetaStoreException.class, alloc::nextId);
        fail[0] = false;
        assertEquals(1, alloc.nextId());
        assertEquals(List.of(11L), disk);
    }

    @Test
    void concurrentCallersGetDistinctIds() throws Exception {
        try (RocksDbMetaStore store = RocksDbMetaStore.open(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<Long>>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Callable<List<Long>> task = () -> {
                        List<Long> ids = new ArrayList<>();
                        for (int i = 0; i < 1000; i++) {
                            ids.add(store.nextId(Sequence.ROWSET));
                        }
                        return ids;
                    };
                    futures.add(pool.submit(task));
                }
                Set<Long> all = new HashSet<>();
                for (Future<List<Long>> f : futures) {
                    List<Long> ids = f.get();
                    for (int i = 1; i < ids.size(); i++) {
                        assertTrue(ids.get(i) > ids.get(i - 1), "ids of one caller increase");
                    }
                    all.addAll(ids);
                }
                assertEquals(4000, all.size());
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
