package io.compactor.actors;

import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.tabletMetas;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.schema.KeysType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load committer commits loads on disjoint tablets together (one meta batch a round) and loads
 * of one table one at a time: many concurrent loads into several tables all land whole, with
 * contiguous versions, and a re-sent label is still refused.
 */
class LoadCommitRoundsTest {
    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void concurrentLoadsIntoManyTablesAllLandWholeWithContiguousVersions() {
        node = TestNode.start(dir, Map.of("disable_auto_compaction", true));
        int tables = 6;
        int perTable = 6;
        for (int t = 0; t < tables; t++) {
            createTable(node, "r" + t, KeysType.DUPLICATE_KEYS, 4);
        }
        List<CompletableFuture<LoadResult>> loads = new ArrayList<>();
        for (int i = 0; i < perTable; i++) {
            for (int t = 0; t < tables; t++) {
                Map<Long, Long> rows = new LinkedHashMap<>();
                for (long k = 0; k < 25; k++) {
                    rows.put(i * 1000L + k, (long) i);
                }
                loads.add(node.loads().streamLoad(DB, "r" + t, csv(rows).getBytes(StandardCharsets.UTF_8),
                        LoadOptions.DEFAULTS, "r" + t + "-" + i).toCompletableFuture());
            }
        }
        loads.forEach(f -> assertEquals(LoadResult.SUCCESS, join(f).status(), join(f).toString()));
        for (int t = 0; t < tables; t++) {
            assertEquals(perTable * 25L, count(node, "r" + t));
            tabletMetas(node, "r" + t).values().forEach(m -> {
                List<RowsetMeta> rs = m.rowsets();
                assertEquals(1 + perTable, rs.size(), rs.toString());
                for (int v = 0; v < rs.size(); v++) {
                    long start = v == 0 ? 0 : v + 1;
                    assertEquals(start, rs.get(v).version().start(), "contiguous versions: " + rs);
                }
            });
        }
        LoadResult again = join(node.loads().streamLoad(DB, "r0", "1\t1\ts1\n".getBytes(StandardCharsets.UTF_8),
                LoadOptions.DEFAULTS, "r0-3"));
        assertEquals(LoadResult.LABEL_ALREADY_EXISTS, again.status());
    }
}
