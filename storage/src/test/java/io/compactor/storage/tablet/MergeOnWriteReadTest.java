package io.compactor.storage.tablet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.DataDir;
import io.compactor.storage.merge.MergeSink;
import io.compactor.storage.mow.DeleteBitmap;
import io.compactor.storage.mow.DeleteBitmapCalculator;
import io.compactor.storage.mow.MowChecker;
import io.compactor.storage.mow.PrimaryKeyIndexCache;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.RowsetWriter;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The merge-on-write read path against the merge-on-read one on the same rowsets: the delete
 * bitmap a chain of upserts computes (forward-cursor key joins) equals a from-scratch check, a
 * primary-key point lookup returns what merging every rowset returns, and a scan in no order
 * returns the same rows as the key-ordered merge.
 */
class MergeOnWriteReadTest {
    private static final long TABLET = 77;

    @TempDir
    Path root;
    private long nextId = 1;

    private static Schema schema(boolean longKey) {
        return Schema.of(List.of(longKey ? new Column("k", ColumnType.BIGINT, false, 0)
                        : new Column("k", ColumnType.VARCHAR, false, 20), new Column("v", ColumnType.BIGINT, false, 0),
                new Column("s", ColumnType.VARCHAR, true, 16)), List.of("k"), KeysType.UNIQUE_KEYS);
    }

    private static void setKey(RowBatch b, int r, boolean longKey, long k) {
        if (longKey) {
            b.setLong(r, 0, k * 7919 - 50_000);
        } else {
            b.setBytes(r, 0, String.format("key-%08d", k).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** A load of random keys (repeats inside it too), written with a tiny memtable: several overlapping segments. */
    private RowsetMeta load(DataDir dir, Schema schema, boolean longKey, Random rnd, long version, int rows)
            throws IOException {
        RowBatch b = new RowBatch(schema, rows);
        for (int i = 0; i < rows; i++) {
            int r = b.addRow();
            setKey(b, r, longKey, rnd.nextInt(3000));
            b.setLong(r, 1, version * 1_000_000 + i);
            if (rnd.nextInt(6) == 0) {
                b.setNull(r, 2);
            } else {
                b.setBytes(r, 2, ("s" + version).getBytes(StandardCharsets.UTF_8));
            }
        }
        RowsetId id = new RowsetId(nextId++);
        try (RowsetWriter w = new RowsetWriter(dir, TABLET, id, schema, 16 * 1024, null)) {
            w.addAll(b);
            PendingRowset p = w.build();
            return p.toMeta(Version.of(version), 0, version);
        }
    }

    private static List<List<Object>> rows(RowBatch b, int from, int to) {
        List<List<Object>> out = new ArrayList<>();
        for (int r = from; r < to; r++) {
            List<Object> row = new ArrayList<>();
            for (int c = 0; c < b.schema().columnCount(); c++) {
                row.add(b.value(r, c));
            }
            out.add(row);
        }
        return out;
    }

    private static List<List<Object>> collect(Schema schema, TabletSnapshot snap, boolean anyOrder)
            throws IOException {
        List<List<Object>> out = new ArrayList<>();
        MergeSink sink = new MergeSink() {
            @Override
            public void accept(RowBatch batch, int from, int to) {
                out.addAll(rows(batch, from, to));
            }

            @Override
            public long rowsWritten() {
                return out.size();
            }
        };
        if (anyOrder) {
            TabletReader.readAnyOrder(schema, List.of(snap), sink);
        } else {
            TabletReader.read(schema, List.of(snap), sink);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void mergeOnWriteReadsEqualMergeOnReadReads(boolean longKey) throws IOException {
        DataDir dir = new DataDir(root);
        Schema schema = schema(longKey);
        Random rnd = new Random(longKey ? 1 : 2);
        List<RowsetMeta> chain = new ArrayList<>();
        chain.add(new RowsetMeta(new RowsetId(nextId++), TABLET, new Version(0, 1), List.of(),
                SegmentsOverlap.NONOVERLAPPING, 0, 0, 0));
        for (long v = 2; v < 8; v++) {
            chain.add(load(dir, schema, longKey, rnd, v, 1500 + rnd.nextInt(1500)));
        }
        assertTrue(chain.get(3).numSegments() > 1, "loads should have several segments");
        PrimaryKeyIndexCache cache = new PrimaryKeyIndexCache(64 << 20);
        DeleteBitmap bitmap = new DeleteBitmapCalculator(dir, TABLET, schema, cache).recompute(chain);
        MowChecker.Result check = MowChecker.check(dir, TABLET, schema, chain, bitmap.aggregate());
        assertEquals(0, check.duplicateKeys());
        assertTrue(check.bitmapConsistent(), "the bitmap differs from a from-scratch recomputation");

        TabletMeta meta = TabletMeta.create(TABLET, 1, 0, dir.path());
        for (RowsetMeta r : chain) {
            meta = meta.addRowset(r);
        }
        TabletSnapshot mow = new TabletSnapshot(meta, schema, dir, () -> { }, bitmap.aggregate());
        TabletSnapshot mor = new TabletSnapshot(meta, schema, dir, () -> { });

        List<List<Object>> merged = collect(schema, mor, false);
        assertEquals(check.rows(), merged.size());
        assertEquals(merged, collect(schema, mow, false), "key-ordered merge-on-write scan");
        List<List<Object>> anyOrder = collect(schema, mow, true);
        Map<Object, List<Object>> byKey = new HashMap<>();
        for (List<Object> row : anyOrder) {
            assertEquals(null, byKey.put(row.get(0), row), "a key came twice: " + row.get(0));
        }
        Map<Object, List<Object>> expected = new HashMap<>();
        merged.forEach(row -> expected.put(row.get(0), row));
        assertEquals(expected, byKey, "scan in any order");

        RowBatch key = new RowBatch(schema, 1);
        for (long k = -5; k < 3010; k += 1 + rnd.nextInt(12)) {
            key.clear();
            int r = key.addRow();
            setKey(key, r, longKey, k);
            key.setLong(r, 1, 0);
            key.setNull(r, 2);
            RowBatch viaIndex = TabletReader.get(schema, mow, key, cache);
            RowBatch viaMerge = TabletReader.get(schema, mor, key);
            assertEquals(rows(viaMerge, 0, viaMerge.size()), rows(viaIndex, 0, viaIndex.size()), "key " + k);
        }
    }
}
