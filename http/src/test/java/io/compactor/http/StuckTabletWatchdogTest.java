package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stuck-tablet watchdog on a node: a compaction held by {@code compaction.merge.hold} runs far
 * longer than its size allows, and the tablet is reported in show, explain, the overview and the
 * metrics; once the compaction ends the report goes away. (The rules themselves, on an injected
 * clock: {@code StuckTabletRulesTest}.)
 */
class StuckTabletWatchdogTest {
    @TempDir
    Path dir;

    private OperatorFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aCompactionHeldFarLongerThanItsSizeAllowsIsReportedUntilItEnds() {
        // ~6,000 input rows at the slowest expected 1,000,000 rows/s take 6 ms; never before 1 s
        f = new OperatorFixture(dir, Map.of("compaction_stuck_min_seconds", 1,
                "compaction_stuck_min_rows_per_second", 1_000_000));
        var t = f.table("stuck", 2, 6, 2000, Map.of());
        long tablet = t.tablets().get(0);
        long other = t.tablets().get(1);
        f.hold(tablet, 0);
        f.submit(tablet, "cumulative");
        f.awaitHeld(tablet);

        await().atMost(OperatorFixture.WAIT).until(() -> !f.http.show(tablet).get("stuck").isNull());
        JsonNode stuck = f.http.show(tablet).get("stuck");
        assertEquals("compaction_overdue", stuck.get("reason").asText(), stuck::toString);
        assertTrue(stuck.get("detail").asText().matches("cumulative compaction \\(task \\d+\\) of \\d+ input rows has"
                + " run \\d+\\.\\d s, over the 1\\.0 s its size allows"), stuck::toString);
        assertTrue(stuck.get("explain").asText().startsWith("STUCK. cumulative: a cumulative compaction is running"),
                stuck::toString);
        JsonNode explain = f.explain(tablet);
        assertEquals("COMPACTION_OVERDUE", explain.get("stuck").get("reason").asText());
        assertTrue(f.http.show(other).get("stuck").isNull(), "the other tablet is not stuck");
        JsonNode overview = f.http.get("/api/compaction/overview");
        assertEquals(1, overview.get("stuck").size());
        assertEquals(tablet, overview.get("stuck").get(0).get("tablet_id").asLong());
        assertEquals(1, f.http.metric("compactor_compaction_stuck_tablets"));
        assertEquals(1, f.http.metric("compactor_compaction_stuck_reported_total"), "reported once, not per tick");

        f.release();
        f.awaitNothingRunning();
        await().atMost(OperatorFixture.WAIT).until(() -> f.http.metric("compactor_compaction_stuck_tablets") == 0);
        assertTrue(f.http.show(tablet).get("stuck").isNull());
        assertEquals(1, f.http.metric("compactor_compaction_stuck_reported_total"));
    }

    @Test
    void versionsRisingWithNoCompactionFinishingAreReported() {
        f = new OperatorFixture(dir, Map.of("compaction_stuck_rising_seconds", 1));
        var t = f.table("rising", 1, 2, 10, Map.of()); // auto compaction off: nothing will compact it
        long tablet = t.tablets().get(0);
        int load = 10;
        while (f.http.show(tablet).get("stuck").isNull()) {
            f.http.load(OperatorFixture.DB, "rising", OperatorFixture.rows(load++, 10));
            assertTrue(load < 10_000, "never reported");
        }
        JsonNode stuck = f.http.show(tablet).get("stuck");
        assertEquals("versions_rising", stuck.get("reason").asText(), stuck::toString);
        assertTrue(stuck.get("detail").asText().startsWith("version count rose from "), stuck::toString);
        assertTrue(stuck.get("explain").asText().contains("auto compaction is disabled for table"),
                "explain says why nothing compacts it: " + stuck);
    }
}
