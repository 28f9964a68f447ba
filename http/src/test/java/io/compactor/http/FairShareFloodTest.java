package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood of loads on one table (8 tablets, all scoring far above the other table's tablet, loads
 * still coming) does not keep the other table from compacting: with one cumulative thread, grants
 * alternate between the tables' fair shares instead of following the scores, so the quiet table's
 * tablet is compacted after at most a couple of the flood's compactions, not after all 8.
 */
class FairShareFloodTest {
    @TempDir
    Path dir;

    private OperatorFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    /** Compaction ids (the order they finished in) of the tablets' successful cumulative compactions. */
    private List<Long> cumulativeDone(List<Long> tablets) {
        List<Long> ids = new java.util.ArrayList<>();
        for (long t : tablets) {
            f.http.get("/api/compaction/profile?tablet_id=" + t + "&success=true&compact_type=cumulative")
                    .get("compaction_profiles").forEach(p -> ids.add(p.get("compaction_id").asLong()));
        }
        return ids;
    }

    @Test
    void aFloodingTableCanNotStarveAnotherTablesTablets() throws Exception {
        f = new OperatorFixture(dir, Map.of("max_cumu_compaction_threads", 1, "disable_auto_compaction", true));
        var flood = f.http.createTable(OperatorFixture.DB, "flood", "DUPLICATE_KEYS", 8,
                Map.of("compaction_priority", "low"));
        var business = f.http.createTable(OperatorFixture.DB, "business", "DUPLICATE_KEYS", 1, Map.of());
        for (int l = 0; l < 30; l++) {
            f.http.load(OperatorFixture.DB, "flood", OperatorFixture.rows(l, 400));
        }
        for (int l = 0; l < 6; l++) {
            f.http.load(OperatorFixture.DB, "business", OperatorFixture.rows(l, 50));
        }
        long quiet = business.tablets().get(0);
        JsonNode explain = f.explain(quiet);
        assertEquals(4, explain.get("table_weight").asInt(), "normal");
        assertEquals("node_auto_compaction_disabled", f.explain(quiet, "cumulative").get("hold").asText());
        for (long t : flood.tablets()) {
            assertTrue(f.explain(t, "cumulative").get("score").asLong() > f.explain(quiet, "cumulative").get("score")
                    .asLong(), "every flood tablet outscores the quiet one");
        }
        assertEquals(1, f.explain(flood.tablets().get(0)).get("table_weight").asInt(), "low");

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger floodLoads = new AtomicInteger();
        Thread loader = new Thread(() -> {
            for (int l = 100; flooding.get() && l < 2_000; l++) {
                f.http.load(OperatorFixture.DB, "flood", OperatorFixture.rows(l, 50));
                floodLoads.incrementAndGet();
            }
        }, "flood-loader");
        loader.start();
        try {
            f.http.updateConfig("disable_auto_compaction", "false");
            await().atMost(OperatorFixture.WAIT).until(() -> !cumulativeDone(List.of(quiet)).isEmpty());
            long quietDone = cumulativeDone(List.of(quiet)).get(0);
            long floodDone = cumulativeDone(flood.tablets()).stream().filter(id -> id < quietDone).count();
            assertTrue(floodDone <= 2, "the quiet table waited for " + floodDone + " flood compactions (of 8 tablets"
                    + " that all outscore it); by score alone it would wait for all of them");
            JsonNode overview = f.http.get("/api/compaction/overview");
            JsonNode floodShare = null;
            for (JsonNode t : overview.get("tables")) {
                if (t.get("table_id").asLong() == flood.tableId()) {
                    floodShare = t;
                }
            }
            assertTrue(floodShare != null && floodShare.get("weight").asInt() == 1, overview::toString);
        } finally {
            flooding.set(false);
            loader.join();
        }
        assertTrue(floodLoads.get() > 0, "the flood kept loading meanwhile");
    }
}
