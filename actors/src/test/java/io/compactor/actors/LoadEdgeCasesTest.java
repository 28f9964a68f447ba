package io.compactor.actors;

import static io.compactor.actors.TestNode.count;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.scan;
import static io.compactor.actors.TestNode.tabletMetas;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.LoadResult;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TabletMeta;
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

/** Less common load situations: in-load duplicate keys, a skewed load over the segment limit, racing labels. */
class LoadEdgeCasesTest {
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
    void uniqueKeysKeepTheLastRowOfAKeyWithinOneLoad() {
        node = TestNode.start(dir, Map.of("write_buffer_size", 4096));
        createTable(node, "u", KeysType.UNIQUE_KEYS, 2);
        StringBuilder body = new StringBuilder();
        for (int round = 0; round < 5; round++) {
            for (int id = 0; id < 200; id++) {
                body.append(id).append('\t').append(round).append('\t').append("r").append(round).append('\n');
            }
        }
        LoadResult r = TestNode.load(node, "u", body.toString(), "dups");
        assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
        assertEquals(1000, r.numberLoadedRows());
        List<String> expected = new ArrayList<>();
        for (int id = 0; id < 200; id++) {
            expected.add(id + ",4,r4");
        }
        assertEquals(expected, scan(node, "u"));
        assertEquals(200, count(node, "u"));
    }

    @Test
    void skewedLoadOverMaxSegmentNumPerRowsetFailsWithE238AndNothingIsVisible() {
        node = TestNode.start(dir, Map.of("write_buffer_size", 1024, "max_segment_num_per_rowset", 3));
        TableMeta t = createTable(node, "s", KeysType.DUPLICATE_KEYS, 4);
        assertEquals(LoadResult.SUCCESS, TestNode.load(node, "s", "1\t1\ta\n2\t2\tb\n", "small").status());
        Map<Long, TabletMeta> before = tabletMetas(node, "s");
        // Many rows of one key all go to one tablet: only that tablet needs more than 3 segments.
        StringBuilder body = new StringBuilder("100\t1\tx\n200\t2\ty\n300\t3\tz\n400\t4\tw\n");
        for (int i = 0; i < 5000; i++) {
            body.append(7).append('\t').append(i).append('\t').append("skewed-row-").append(i).append('\n');
        }
        LoadResult r = TestNode.load(node, "s", body.toString(), "skewed");
        assertEquals(LoadResult.FAIL, r.status(), r.toString());
        assertTrue(r.message().contains("E-238") && r.message().contains("too many segments in rowset"),
                r.message());
        assertEquals(before, tabletMetas(node, "s"), "no tablet got a version from the failed load");
        assertEquals(2, count(node, "s"));
        assertEquals(4, t.tabletIds().size());
    }

    @Test
    void theSameLabelSentConcurrentlyCommitsExactlyOnce() {
        node = TestNode.start(dir, Map.of());
        createTable(node, "l", KeysType.DUPLICATE_KEYS, 4);
        List<CompletableFuture<LoadResult>> racing = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Map<Long, Long> rows = new LinkedHashMap<>();
            for (long k = 0; k < 500; k++) {
                rows.put(k, (long) i);
            }
            racing.add(node.loads().streamLoad(TestNode.DB, "l", csv(rows).getBytes(StandardCharsets.UTF_8),
                    LoadOptions.DEFAULTS, "contested").toCompletableFuture());
        }
        List<String> statuses = racing.stream().map(f -> join(f).status()).toList();
        assertEquals(1, statuses.stream().filter(LoadResult.SUCCESS::equals).count(), statuses.toString());
        assertEquals(5, statuses.stream().filter(LoadResult.LABEL_ALREADY_EXISTS::equals).count(), statuses.toString());
        assertEquals(500, count(node, "l"));
    }
}
