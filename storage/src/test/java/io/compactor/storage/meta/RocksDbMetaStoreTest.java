package io.compactor.storage.meta;

import io.compactor.storage.mow.DeleteBitmapKey;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import io.compactor.storage.tablet.TabletMeta;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMetaStoreTest {
    @TempDir
    Path dir;
    private RocksDbMetaStore store;

    @BeforeEach
    void open() {
        store = RocksDbMetaStore.open(dir.resolve("meta"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() {
        store.close();
        store = RocksDbMetaStore.open(dir.resolve("meta"));
    }

    static RowsetMeta rowset(long tabletId, long id, long start, long end) {
        List<SegmentMeta> segs = List.of(new SegmentMeta(10, 1234, new byte[] {0, 1, (byte) 0xFF}, new byte[] {9}, 77),
                new SegmentMeta(5, 99, null, null, -1));
        return new RowsetMeta(new RowsetId(id), tabletId, new Version(start, end), segs, SegmentsOverlap.OVERLAPPING,
                1_700_000_000_000L + id, 0, 40 + id);
    }

    static TableMeta table(long tableId, String name) {
        Schema schema = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
                new Column("name", ColumnType.VARCHAR, true, 16)), List.of("id"), KeysType.UNIQUE_KEYS);
        TableProperties props = TableProperties.parse(Map.of("compaction_policy", "time_series"), false);
        return new TableMeta(tableId, "db1", name, schema, 2, 1, props, List.of(10001L, 10002L), 1_700_000_000_000L);
    }

    static TabletHeader header(long tabletId) {
        return new TabletHeader(tabletId, 1001, 0, "/data/root1", 3);
    }

    @Test
    void tablesRoundTripAndDeleteTableRemovesOnlyThatTable() {
        store.write(new MetaBatch().putTable(table(1001, "a")).putTable(table(1002, "b")));
        assertEquals(List.of(table(1001, "a"), table(1002, "b")), store.loadTables());

        store.write(new MetaBatch().deleteTable(1001));
        assertEquals(List.of(table(1002, "b")), store.loadTables());
    }

    @Test
    void droppedTablesAreRememberedWithTheirHighestTabletIdInTheDropsBatch() {
        store.write(new MetaBatch().putTable(table(1001, "a")));
        assertEquals(java.util.Map.of(), store.loadDroppedTables());
        store.write(new MetaBatch().deleteTable(1001).add(new MetaBatch.PutDroppedTable(1001, 10002, 77)));
        assertEquals(List.of(), store.loadTables());
        assertEquals(java.util.Map.of(1001L, 10002L), store.loadDroppedTables());
    }

    @Test
    void tabletComesBackWithVisibleRowsetsSortedByVersionAndStaleRowsetsWithTheirTime() {
        RowsetMeta r0 = rowset(10001, 3, 0, 1);
        RowsetMeta r2 = rowset(10001, 1, 2, 2);
        RowsetMeta r3 = rowset(10001, 2, 3, 3);
        RowsetMeta out = rowset(10001, 4, 2, 3);
        store.write(new MetaBatch().putTablet(header(10001)).putRowset(r3).putRowset(r0).putRowset(r2));
        // a compaction: inputs become stale, output visible, cumulative point moves
        store.write(new MetaBatch().putStaleRowset(r2, 5000).putStaleRowset(r3, 5000).putRowset(out)
                .putTablet(new TabletHeader(10001, 1001, 0, "/data/root1", 4)));

        List<TabletMeta> tablets = store.loadTablets();
        assertEquals(1, tablets.size());
        TabletMeta t = tablets.get(0);
        assertEquals(10001, t.tabletId());
        assertEquals(1001, t.tableId());
        assertEquals("/data/root1", t.dataDir());
        assertEquals(4, t.cumulativePoint());
        assertEquals(List.of(r0, out), t.rowsets());
        assertEquals(List.of(new StaleRowset(r2, 5000), new StaleRowset(r3, 5000)), t.staleRowsets());
        assertArrayEquals(new byte[] {0, 1, (byte) 0xFF}, t.rowsets().get(0).segments().get(0).minKey());
    }

    @Test
    void oneTabletLoadsAloneAndEqualsItsEntryInTheFullLoad() {
        for (long id = 10001; id <= 10003; id++) {
            store.write(new MetaBatch().putTablet(header(id)).putRowset(rowset(id, id * 10, 0, 1))
                    .putRowset(rowset(id, id * 10 + 1, 2, 2)));
        }
        store.write(new MetaBatch().putStaleRowset(rowset(10002, 100021, 2, 2), 77));
        for (TabletMeta t : store.loadTablets()) {
            assertEquals(t, store.loadTablet(t.tabletId()).orElseThrow());
        }
        assertEquals(1, store.loadTablet(10002).orElseThrow().staleRowsets().size());
        assertEquals(java.util.Optional.empty(), store.loadTablet(10009));
        assertEquals(java.util.Optional.empty(), store.loadTablet(1000), "a prefix of an id is not that tablet");
    }

    @Test
    void deleteRowsetRemovesVisibleOrStaleEntry() {
        RowsetMeta a = rowset(10001, 1, 0, 1);
        RowsetMeta b = rowset(10001, 2, 2, 2);
        store.write(new MetaBatch().putTablet(header(10001)).putRowset(a).putStaleRowset(b, 10));
        store.write(new MetaBatch().deleteRowset(10001, b.rowsetId()));
        TabletMeta t = store.loadTablets().get(0);
        assertEquals(List.of(a), t.rowsets());
        assertEquals(List.of(), t.staleRowsets());
    }

    @Test
    void labelsAreKeptPerDatabase() {
        LoadRecord r1 = new LoadRecord("db1", "load_1", 7, 1001, "VISIBLE", 100, 2, 123);
        LoadRecord r2 = new LoadRecord("db2", "load_1", 8, 1002, "VISIBLE", 5, 0, 456);
        store.write(new MetaBatch().putLabel(r1).putLabel(r2));
        assertEquals(Optional.of(r1), store.findLabel("db1", "load_1"));
        assertEquals(Optional.of(r2), store.findLabel("db2", "load_1"));
        assertEquals(Optional.empty(), store.findLabel("db3", "load_1"));
        assertEquals(Optional.empty(), store.findLabel("db1", "load_2"));
        // a db name that is a prefix of another never matches the other's labels
        assertEquals(Optional.empty(), store.findLabel("db", "1load_1"));
    }

    @Test
    void deleteBitmapsComeBackSortedAndDeleteByRowsetRemovesOnlyThatRowset() {
        RowsetId a = new RowsetId(1);
        RowsetId b = new RowsetId(300);
        store.write(new MetaBatch()
                .putDeleteBitmap(10001, b, 0, 5, new byte[] {5})
                .putDeleteBitmap(10001, a, 1, 3, new byte[] {3})
                .putDeleteBitmap(10001, a, 0, 4, new byte[] {4})
                .putDeleteBitmap(10001, a, 0, 2, new byte[] {2})
                .putDeleteBitmap(10002, a, 0, 2, new byte[] {9}));
        Map<DeleteBitmapKey, byte[]> bitmaps = store.loadDeleteBitmaps(10001);
        assertEquals(List.of(new DeleteBitmapKey(a, 0, 2), new DeleteBitmapKey(a, 0, 4), new DeleteBitmapKey(a, 1, 3),
                new DeleteBitmapKey(b, 0, 5)), List.copyOf(bitmaps.keySet()));
        assertArrayEquals(new byte[] {4}, bitmaps.get(new DeleteBitmapKey(a, 0, 4)));

        store.write(new MetaBatch().deleteDeleteBitmap(10001, a));
        assertEquals(List.of(new DeleteBitmapKey(b, 0, 5)), List.copyOf(store.loadDeleteBitmaps(10001).keySet()));
        assertEquals(1, store.loadDeleteBitmaps(10002).size());
    }

    @Test
    void deleteTabletRemovesHeaderRowsetsAndBitmapsOfThatTabletOnly() {
        for (long tablet : new long[] {10001, 10002, 10256}) {
            store.write(new MetaBatch().putTablet(header(tablet)).putRowset(rowset(tablet, tablet, 0, 1))
                    .putStaleRowset(rowset(tablet, tablet + 1, 2, 2), 1)
                    .putDeleteBitmap(tablet, new RowsetId(tablet), 0, 2, new byte[] {1}));
        }
        store.write(new MetaBatch().deleteTablet(10002));

        List<TabletMeta> tablets = store.loadTablets();
        assertEquals(List.of(10001L, 10256L), tablets.stream().map(TabletMeta::tabletId).toList());
        for (TabletMeta t : tablets) {
            assertEquals(1, t.rowsets().size());
            assertEquals(1, t.staleRowsets().size());
        }
        assertTrue(store.loadDeleteBitmaps(10002).isEmpty());
        assertEquals(1, store.loadDeleteBitmaps(10001).size());
        assertEquals(1, store.loadDeleteBitmaps(10256).size());
    }

    @Test
    void opsApplyInBatchOrderSoDeleteThenPutRecreatesTablet() {
        store.write(new MetaBatch().putTablet(header(10001)).putRowset(rowset(10001, 1, 0, 1)));
        store.write(new MetaBatch().deleteTablet(10001).putTablet(header(10001)).putRowset(rowset(10001, 2, 0, 1)));
        TabletMeta t = store.loadTablets().get(0);
        assertEquals(List.of(rowset(10001, 2, 0, 1)), t.rowsets());
    }

    @Test
    void batchWithAnInvalidOpWritesNothing() {
        MetaBatch batch = new MetaBatch().putTable(table(1001, "a")).putTablet(header(10001))
                .putRowset(rowset(10001, 1, 0, 1))
                .putLabel(new LoadRecord("db1", "l1", 1, 1001, "VISIBLE", 1, 0, 1))
                .putDeleteBitmap(10001, new RowsetId(1), -1, 2, new byte[] {1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.write(batch));
        assertTrue(e.getMessage().contains("op #4 (PutDeleteBitmap)"), e.getMessage());
        assertTrue(e.getMessage().contains("segment id must be >= 0, got -1"), e.getMessage());

        assertTrue(store.loadTables().isEmpty());
        assertTrue(store.loadTablets().isEmpty());
        assertEquals(Optional.empty(), store.findLabel("db1", "l1"));
        reopen();
        assertTrue(store.loadTables().isEmpty());
        assertTrue(store.loadTablets().isEmpty());
    }

    @Test
    void reopenSeesExactlyTheCommittedBatches() {
        MetaBatch big = new MetaBatch().putTable(table(1001, "a"));
        for (long tablet = 10001; tablet <= 10050; tablet++) {
            big.putTablet(header(tablet)).putRowset(rowset(tablet, tablet * 10, 0, 1))
                    .putDeleteBitmap(tablet, new RowsetId(tablet * 10), 0, 1, new byte[] {(byte) tablet});
        }
        big.putLabel(new LoadRecord("db1", "big", 1, 1001, "VISIBLE", 50, 0, 1));
        store.write(big);
        assertThrows(IllegalArgumentException.class, () -> store.write(new MetaBatch().putTable(table(1002, "b"))
                .putLabel(new LoadRecord("db1", "", 2, 1002, "VISIBLE", 1, 0, 1))));

        reopen();
        assertEquals(List.of(table(1001, "a")), store.loadTables());
        List<TabletMeta> tablets = store.loadTablets();
        assertEquals(50, tablets.size());
        assertEquals(10001, tablets.get(0).tabletId());
        assertEquals(10050, tablets.get(49).tabletId());
        assertEquals(List.of(rowset(10033, 100330, 0, 1)), tablets.get(32).rowsets());
        assertArrayEquals(new byte[] {(byte) 10033},
                store.loadDeleteBitmaps(10033).get(new DeleteBitmapKey(new RowsetId(100330), 0, 1)));
        assertTrue(store.findLabel("db1", "big").isPresent());
    }

    @Test
    void emptyBatchIsANoOp() {
        store.write(new MetaBatch());
        assertTrue(store.loadTables().isEmpty());
    }

    @Test
    void callsAfterCloseThrow() {
        store.close();
        store.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.loadTables());
        assertEquals("meta store is closed", e.getMessage());
        assertThrows(IllegalStateException.class, () -> store.nextId(MetaStore.Sequence.TABLET));
        assertThrows(IllegalStateException.class, () -> store.write(new MetaBatch().deleteTable(1)));
        assertThrows(IllegalStateException.class, () -> store.loadDeleteBitmaps(1));
        assertThrows(IllegalStateException.class, () -> store.findLabel("db", "l"));
        assertThrows(IllegalStateException.class, () -> store.loadTablets());
    }

    @Test
    void secondOpenOfTheSameDirectoryFailsNamingTheDirectory() {
        MetaStoreException e = assertThrows(MetaStoreException.class, () -> RocksDbMetaStore.open(dir.resolve("meta")));
        assertTrue(e.getMessage().contains(dir.resolve("meta").toString()), e.getMessage());
    }
}
