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
 * {@code GET /api/compaction/explain} names the right reason for each refusal: no suitable version
 * (E-808), back-off, quarantine, the data dir's slots, permits, auto compaction disabled for the
 * table and for the node; and the place in the queue of a waiting request.
 */
class ExplainReasonsTest {
    @TempDir
    Path dir;

    private OperatorFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.release();
            f.close();
        }
    }

    private static String text(JsonNode k, String field) {
        return k.get(field).asText();
    }

    @Test
    void noSuitableVersionIsNamedWithItsCode() {
        f = new OperatorFixture(dir, Map.of());
        long tablet = f.table("nsv", 1, 2, 10, Map.of()).tablets().get(0);
        assertEquals("E-808", f.http.run(tablet, "base").get("status").asText());
        JsonNode base = f.explain(tablet, "base");
        assertEquals("parked", text(base, "state"), base::toString);
        assertTrue(text(base, "why").startsWith("its last pick found nothing to compact: [E-808]"), base::toString);
        assertTrue(base.get("wait_left_ms").asLong() > 0);
        JsonNode all = f.explain(tablet);
        assertEquals(tablet, all.get("tablet_id").asLong());
        assertTrue(text(all, "summary").contains("base: its last pick found nothing to compact: [E-808]"), all::toString);
    }

    @Test
    void backOffIsNamedWithTheFailureAndTheTimeLeft() {
        f = new OperatorFixture(dir, Map.of("tablet_sched_delay_time_ms", 600_000));
        var t = f.http.createTable(OperatorFixture.DB, "bo", "DUPLICATE_KEYS", 1, Map.of());
        long tablet = t.tablets().get(0);
        f.http.post("/api/debug_point/add/compaction.merge?tablet_id=" + tablet);
        for (int l = 0; l < 6; l++) {
            f.http.load(OperatorFixture.DB, "bo", OperatorFixture.rows(l, 100));
        }
        await().atMost(OperatorFixture.WAIT).until(() -> text(f.explain(tablet, "cumulative"), "hold").equals("back_off"));
        JsonNode k = f.explain(tablet, "cumulative");
        assertTrue(text(k, "hold_reason").startsWith("backing off after 1 consecutive failure(s) (last: [INTERNAL_ERROR]"
                + "debug point compaction.merge: injected failure"), k::toString);
        assertTrue(k.get("wait_left_ms").asLong() > 500_000, k::toString);
        assertTrue(text(k, "why").contains("backing off"), k::toString);
    }

    @Test
    void quarantineIsNamed() {
        f = new OperatorFixture(dir, Map.of("compaction_quarantine_failures", 1));
        var t = f.http.createTable(OperatorFixture.DB, "qu", "DUPLICATE_KEYS", 1, Map.of());
        long tablet = t.tablets().get(0);
        f.http.post("/api/debug_point/add/compaction.merge?tablet_id=" + tablet);
        for (int l = 0; l < 6; l++) {
            f.http.load(OperatorFixture.DB, "qu", OperatorFixture.rows(l, 100));
        }
        await().atMost(OperatorFixture.WAIT).until(() -> text(f.explain(tablet, "cumulative"), "hold").equals("quarantined"));
        JsonNode k = f.explain(tablet, "cumulative");
        assertTrue(text(k, "hold_reason").startsWith("quarantined after 1 consecutive failures"), k::toString);
        assertTrue(text(k, "hold_reason").endsWith("only a manual compaction that succeeds releases it"));
    }

    @Test
    void aFullDataDirIsNamedWithItsSlots() {
        f = new OperatorFixture(dir, Map.of("compaction_task_num_per_disk", 2));
        var t = f.table("slots", 3, 6, 2000, Map.of());
        f.hold(0, 0);
        f.submit(t.tablets().get(0), "cumulative");
        f.submit(t.tablets().get(1), "cumulative");
        f.awaitHeld(t.tablets().get(0));
        f.awaitHeld(t.tablets().get(1));
        long waiting = t.tablets().get(2);
        f.submit(waiting, "cumulative");
        JsonNode k = f.explain(waiting, "cumulative");
        assertEquals("queued", text(k, "state"), k::toString);
        assertEquals(1, k.get("queue_position").asInt());
        assertEquals("data_dir_slots", text(k, "hold"));
        assertTrue(text(k, "hold_reason").matches("data dir .* has 2 of 2 compaction slots in use"
                + " \\(compaction_task_num_per_disk\\)"), k::toString);
        assertTrue(text(k, "why").startsWith("queued 1st of 1 (manual, ahead of automatic requests); waiting: data dir"));
        assertEquals("running", text(f.explain(t.tablets().get(0), "cumulative"), "state"));
    }

    @Test
    void permitsAreNamedWithWhatIsFree() {
        f = new OperatorFixture(dir, Map.of("total_permits_for_compaction_score", 10));
        var t = f.table("perm", 2, 6, 500, Map.of());
        f.hold(0, 0);
        f.submit(t.tablets().get(0), "cumulative");
        f.awaitHeld(t.tablets().get(0));
        long waiting = t.tablets().get(1);
        f.submit(waiting, "cumulative");
        JsonNode k = f.explain(waiting, "cumulative");
        assertEquals("permits", text(k, "hold"), k::toString);
        assertEquals("needs 6 permits, 4 of 10 free (total_permits_for_compaction_score)", text(k, "hold_reason"));
    }

    @Test
    void disabledAutoCompactionIsNamedWithWhatDisabledIt() {
        f = new OperatorFixture(dir, Map.of());
        long off = f.table("off", 1, 3, 10, Map.of("disable_auto_compaction", "true")).tablets().get(0);
        JsonNode k = f.explain(off, "cumulative");
        assertEquals("table_auto_compaction_disabled", text(k, "hold"), k::toString);
        assertTrue(text(k, "why").startsWith("not picked: auto compaction is disabled for table "), k::toString);
        assertEquals(false, f.explain(off).get("table_auto_compaction").asBoolean());

        f.http.updateConfig("disable_auto_compaction", "true");
        long on = f.table("on", 1, 3, 10, Map.of("disable_auto_compaction", "false")).tablets().get(0);
        JsonNode n = f.explain(on, "cumulative");
        assertEquals("node_auto_compaction_disabled", text(n, "hold"), n::toString);
        assertEquals("auto compaction is disabled on this node (disable_auto_compaction = true)", text(n, "hold_reason"));
        assertEquals(false, f.explain(on).get("node_auto_compaction").asBoolean());

        assertEquals(404, f.http.send("GET", "/api/compaction/explain?tablet_id=424242", null).code());
        assertEquals(400, f.http.send("GET", "/api/compaction/explain?tablet_id=abc", null).code());
        assertEquals(400, f.http.send("GET", "/api/compaction/explain", null).code());
    }
}
