package io.compactor.storage.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.tablet.TableMeta;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetaJsonTest {
    @Test
    void placementSurvivesTheRoundTripAndOldTablesHaveNone() {
        TableMeta single = RocksDbMetaStoreTest.table(7, "t");
        TableMeta placed = new TableMeta(single.tableId(), single.db(), single.name(), single.schema(),
                single.buckets(), 2, single.properties(), single.tabletIds(), single.createdMs(),
                List.of(List.of("127.0.0.1:9060", "127.0.0.1:9061"), List.of("127.0.0.1:9061", "127.0.0.1:9062")));
        TableMeta back = MetaJson.decodeTable(MetaJson.encodeTable(placed));
        assertEquals(placed, back);
        assertTrue(back.isPlaced());
        assertEquals(List.of("127.0.0.1:9061", "127.0.0.1:9062"), back.replicaNodes(10002L));
        assertEquals(List.of(10002L), back.tabletsOn("127.0.0.1:9062"));
        assertEquals(10002L * TableMeta.REPLICA_ID_STRIDE + 1, TableMeta.replicaId(10002L, 1));

        // A table stored before placement existed has no "replicas" field at all.
        String json = new String(MetaJson.encodeTable(single), StandardCharsets.UTF_8).replace(",\"replicas\":[]", "");
        assertFalse(json.contains("replicas"), json);
        TableMeta old = MetaJson.decodeTable(json.getBytes(StandardCharsets.UTF_8));
        assertFalse(old.isPlaced());
        assertEquals(single, old);
    }
}
