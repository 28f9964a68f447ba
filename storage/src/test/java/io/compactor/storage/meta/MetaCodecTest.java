package io.compactor.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.meta.MetaCodec.RowsetEntry;
import io.compactor.storage.meta.MetaCodec.RowsetState;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.RowsetId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MetaCodecTest {

    @Test
    void rowsetEntryPersistsStateTimeAndOnlyRecordComponents() {
        RowsetMeta r = RocksDbMetaStoreTest.rowset(10001, 42, 2, 5);
        String json = new String(MetaCodec.encode(new RowsetEntry(RowsetState.STALE, 77L, r)), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"state\":\"STALE\",\"staleAtMs\":77,\"rowset\":{"), json);
        assertTrue(json.contains("\"rowsetId\":\"" + r.rowsetId() + "\""), json);
        assertFalse(json.contains("\"empty\""), json);
        assertFalse(json.contains("segmentsOverlapping"), json);

        String visible = new String(MetaCodec.encode(new RowsetEntry(RowsetState.VISIBLE, null, r)),
                StandardCharsets.UTF_8);
        assertFalse(visible.contains("staleAtMs"), visible);
        assertEquals(r, MetaCodec.decode(new byte[0], visible.getBytes(StandardCharsets.UTF_8), RowsetEntry.class)
                .rowset());
    }

    @Test
    void tableMetaRoundTripsWithSchemaAndProperties() {
        TableMeta t = RocksDbMetaStoreTest.table(1001, "orders");
        byte[] json = MetaCodec.encode(t);
        assertFalse(new String(json, StandardCharsets.UTF_8).contains("mergeOnWrite"));
        assertEquals(t, MetaCodec.decode(new byte[0], json, TableMeta.class));
    }

    @Test
    void unknownPropertiesFromANewerWriterAreIgnored() {
        byte[] json = "{\"tabletId\":5,\"tableId\":6,\"bucket\":1,\"dataDir\":\"/d\",\"cumulativePoint\":2,\"future\":1}"
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(new TabletHeader(5, 6, 1, "/d", 2), MetaCodec.decode(new byte[0], json, TabletHeader.class));
    }

    @Test
    void corruptValueNamesTheKey() {
        MetaStoreException e = assertThrows(MetaStoreException.class,
                () -> MetaCodec.decode(MetaKeys.tablet(7), "{oops".getBytes(StandardCharsets.UTF_8), TabletHeader.class));
        assertTrue(e.getMessage().contains("corrupt TabletHeader value under key " + MetaKeys.hex(MetaKeys.tablet(7))),
                e.getMessage());
    }

    @Test
    void prefixEndBoundsExactlyThePrefixRange() {
        byte[] prefix = MetaKeys.rowsetPrefix(255);
        byte[] end = MetaKeys.prefixEnd(prefix);
        assertTrue(Arrays.compareUnsigned(MetaKeys.rowset(255, new RowsetId(-1L >>> 1)), end) < 0);
        assertTrue(Arrays.compareUnsigned(MetaKeys.rowset(256, new RowsetId(0)), end) > 0);
    }
}
