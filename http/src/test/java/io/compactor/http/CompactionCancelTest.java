package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.CancelResult;
import io.compactor.scheduler.CompactionType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancel of a queued and of a running compaction (held mid-merge by the debug point
 * {@code compaction.merge.hold}), horizontal and vertical: the data, rowsets and files are as
 * before, the slot and permits come back, the output files are gone, and the profile says
 * CANCELLED with who and when.
 */
class CompactionCancelTest {
    @TempDir
    Path dir;

    private OperatorFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    private void start(Map<String, Object> extra) {
        f = new OperatorFixture(dir, extra);
    }

    private void assertCancelledProfile(long tablet, String type, String by) {
        JsonNode p = f.lastProfile(tablet);
        assertEquals("CANCELLED", p.get("status").asText(), p::toString);
        assertFalse(p.get("success").asBoolean());
        assertEquals(type, p.get("compaction_type").asText());
        assertEquals(by, p.get("cancelled_by").asText());
        assertTrue(p.get("cancelled_at").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}"), p::toString);
        assertTrue(p.get("status_msg").asText().startsWith("[CANCELLED]"), p::toString);
    }

    /** A held compaction of {@code tablet} is cancelled over HTTP; everything is as before it started. */
    private JsonNode cancelWhileHeld(String table, long tablet, long afterRows) {
        List<Long> tablets = List.of(tablet);
        String before = f.visible(table, tablets);
        Set<String> files = f.dataFiles();
        f.hold(tablet, afterRows);
        f.submit(tablet, "cumulative");
        JsonNode held = f.awaitHeld(tablet);
        assertEquals("merging", held.get("state").asText());
        assertTrue(held.get("percent").asDouble() > 0 && held.get("percent").asDouble() < 100, held::toString);
        assertFalse(f.dataFiles().equals(files), "the merge has written output files");
        assertEquals(1, f.http.metric("compactor_compaction_running{type=\"cumulative\"}"));

        JsonNode answer = f.http.post("/api/compaction/cancel?tablet_id=" + tablet + "&compact_type=cumulative");
        assertEquals("Success", answer.get("status").asText(), answer::toString);
        JsonNode c = answer.get("cancelled").get(0);
        assertEquals("running", c.get("state").asText());
        assertEquals(held.get("compaction_id").asLong(), c.get("compaction_id").asLong());
        assertTrue(c.get("stopped").asBoolean(), "the merge stops within the answer's wait: " + answer);
        assertEquals("http:anonymous", answer.get("cancelled_by").asText());

        f.awaitNothingRunning();
        assertEquals(0, f.http.metric("compactor_compaction_running{type=\"cumulative\"}"));
        assertEquals(1, f.http.metric("compactor_compaction_cancelled_total{type=\"cumulative\"}"));
        assertEquals(before, f.visible(table, tablets), "nothing visible changed");
        assertEquals(files, f.dataFiles(), "the output files (and any row-source spill) are gone");
        assertFalse(f.http.runStatus(tablet).get("run_status").asBoolean());
        assertCancelledProfile(tablet, "cumulative", "http:anonymous");
        JsonNode show = f.http.show(tablet);
        assertTrue(show.get("last cumulative status").asText().startsWith("[CANCELLED]"), show::toString);

        // the slot and permits came back: the next compaction of the tablet runs and commits
        f.release();
        assertEquals("Success", f.http.triggerAndWait(tablet, "cumulative"));
        assertEquals(2, f.http.rowsets(tablet).size(), "[0-1] and the merged output");
        assertEquals("SUCCESS", f.lastProfile(tablet).get("status").asText());
        return f.lastProfile(tablet);
    }

    @Test
    void cancellingARunningHorizontalMergeLeavesEverythingAsBefore() {
        start(Map.of("enable_vertical_compaction", false));
        var t = f.table("h", 1, 6, 10_000, Map.of());
        // 4,096-row batches of 6 inputs: held after 30,000 of 60,000 rows, with output written
        cancelWhileHeld("h", t.tablets().get(0), 30_000);
        JsonNode cancelled = f.http.get("/api/compaction/profile?tablet_id=" + t.tablets().get(0) + "&top_n=2")
                .get("compaction_profiles").get(1);
        assertFalse(cancelled.get("is_vertical").asBoolean());
    }

    @Test
    void cancellingAVerticalMergeInItsSecondColumnGroupLeavesEverythingAsBefore() {
        start(Map.of("vertical_compaction_num_columns_per_group", 1));
        var t = f.table("v", 1, 6, 3000, Map.of());
        long tablet = t.tablets().get(0);
        // held past the key pass (6 x 3000 rows): in the first value group
        cancelWhileHeld("v", tablet, 18_000 + 100);
        JsonNode cancelled = f.http.get("/api/compaction/profile?tablet_id=" + tablet + "&top_n=2")
                .get("compaction_profiles").get(1);
        assertEquals("CANCELLED", cancelled.get("status").asText());
        assertTrue(cancelled.get("is_vertical").asBoolean(), cancelled::toString);
        assertEquals(3, cancelled.get("vertical_total_groups").asInt());
        assertEquals(1, cancelled.get("vertical_completed_groups").asInt(), "the key group was complete");
    }

    @Test
    void cancellingAQueuedCompactionRemovesItBeforeItRuns() {
        start(Map.of("max_cumu_compaction_threads", 1));
        var t = f.table("q", 2, 6, 500, Map.of());
        long busy = t.tablets().get(0);
        long queued = t.tablets().get(1);
        String before = f.visible("q", List.of(queued));
        Set<String> files = f.dataFiles();
        f.hold(busy, 0);
        f.submit(busy, "cumulative");
        f.awaitHeld(busy);
        f.submit(queued, "cumulative"); // the only cumulative thread is busy: it waits
        await().atMost(OperatorFixture.WAIT).until(() -> f.explain(queued, "cumulative").get("state").asText()
                .equals("queued"));
        assertEquals("kind_thread_limit", f.explain(queued, "cumulative").get("hold").asText());

        // through the embedding facade this time
        CancelResult r = f.server.node().compaction().cancel(queued, CompactionType.CUMULATIVE, "ops-script")
                .toCompletableFuture().join();
        assertEquals(List.of(new CancelResult.Cancelled(queued, "cumulative", "queued", 0, true)), r.cancelled());
        assertEquals("cancelled 1 cumulative compaction(s) of tablet " + queued, r.msg());
        assertCancelledProfile(queued, "cumulative", "ops-script");
        assertEquals("parked", f.explain(queued, "cumulative").get("state").asText(),
                "a cancelled request is not picked again until its score changes");

        f.release();
        f.awaitNothingRunning();
        assertEquals(before, f.visible("q", List.of(queued)), "the queued tablet never compacted");
        assertEquals(0, f.http.metric("compactor_compaction_used_permits"));
        assertTrue(f.dataFiles().containsAll(files));
        JsonNode again = f.http.post("/api/compaction/cancel?tablet_id=" + queued);
        assertEquals("no compaction of tablet " + queued + " is queued or running", again.get("msg").asText());
        assertEquals(0, again.get("cancelled").size());
    }

    @Test
    void cancelByTableStopsEveryTabletAndBadRequestsAreNamed() {
        start(Map.of());
        var t = f.table("all", 2, 6, 2000, Map.of());
        f.hold(0, 0);
        for (long tablet : t.tablets()) {
            f.submit(tablet, "cumulative");
        }
        for (long tablet : t.tablets()) {
            f.awaitHeld(tablet);
        }
        JsonNode answer = f.http.post("/api/compaction/cancel?table_id=" + t.tableId());
        assertEquals(2, answer.get("cancelled").size(), answer::toString);
        f.release();
        f.awaitNothingRunning();
        for (long tablet : t.tablets()) {
            assertEquals("CANCELLED", f.lastProfile(tablet).get("status").asText());
            assertEquals(7, f.http.rowsets(tablet).size());
        }

        var seg = f.http.send("POST", "/api/compaction/cancel?tablet_id=" + t.tablets().get(0)
                + "&compact_type=segment", null);
        assertEquals(409, seg.code());
        assertTrue(seg.json().get("msg").asText().startsWith("segment compaction runs inside a load and can not be"
                + " cancelled on its own"), seg::body);
        assertEquals(400, f.http.send("POST", "/api/compaction/cancel?compact_type=base", null).code());
        assertEquals(400, f.http.send("POST", "/api/compaction/cancel?tablet_id=1&table_id=2", null).code());
        assertEquals(400, f.http.send("POST", "/api/compaction/cancel?tablet_id=x", null).code());
        var badType = f.http.send("POST", "/api/compaction/cancel?tablet_id=" + t.tablets().get(0)
                + "&compact_type=minor", null);
        assertEquals(400, badType.code());
        assertEquals("invalid compact_type: minor (base, cumulative or full; omit it for every kind)",
                badType.json().get("msg").asText());
        assertEquals(404, f.http.send("POST", "/api/compaction/cancel?tablet_id=987654321", null).code());
        assertEquals(Duration.ZERO.toMillis(), f.http.metric("compactor_compaction_used_permits"));
    }
}
