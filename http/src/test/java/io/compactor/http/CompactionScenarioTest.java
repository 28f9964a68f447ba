package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.api.TimeFormat;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenarios modelled on Doris's compaction regression suites (reference §7.1), driven over HTTP
 * as the suites drive a BE: create a table with auto compaction off, load, trigger a compaction and
 * wait as {@code trigger_and_wait_compaction} does, then check the rowsets from
 * {@code /api/compaction/show} and that query results did not change.
 */
class CompactionScenarioTest {
    private static final String DB = "db";

    @TempDir
    Path dir;

    private CompactorServer server;
    private CompactionHttpClient http;

    private void start(Map<String, Object> extra) {
        server = CompactorServer.start(CompactionHttpClient.config(dir, extra));
        http = new CompactionHttpClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String row(int id, String name, int score) {
        return id + "\t" + name + "\t" + score + "\n";
    }

    /** test_compaction_dup_keys: cumulative compaction merges the loaded rowsets of every tablet. */
    @Test
    void cumulativeCompactionReducesRowsetsAndKeepsEveryRow() {
        start(Map.of());
        var t = http.createTable(DB, "dup", "DUPLICATE_KEYS", 2, Map.of("disable_auto_compaction", "true"));
        for (int load = 0; load < 8; load++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                sb.append(row(i, "load" + load, load * 100 + i)); // same keys again: duplicates stay
            }
            http.load(DB, "dup", sb.toString());
        }
        String before = http.scan(DB, "dup");
        assertEquals(2 * 9, http.rowsetCount(t.tablets()), "[0-1] plus 8 loads per tablet");

        http.triggerAndWaitAll(t.tablets(), "cumulative");

        for (long tablet : t.tablets()) {
            List<String> rowsets = http.rowsets(tablet);
            assertEquals(2, rowsets.size(), rowsets::toString);
            assertTrue(rowsets.get(1).startsWith("[2-9] 1 DATA NONOVERLAPPING "), rowsets::toString);
            JsonNode show = http.show(tablet);
            assertEquals("[OK]", show.get("last cumulative status").asText());
            assertEquals(8, show.get("stale_rowsets").size(), "inputs stay readable as stale rowsets");
        }
        assertEquals(160, http.count(DB, "dup"));
        assertEquals(before, http.scan(DB, "dup"));
    }

    /** test_compaction_uniq_keys: newest row per key before and after compaction. */
    @Test
    void cumulativeCompactionOfAUniqueKeyTableKeepsTheNewestRowPerKey() {
        start(Map.of());
        var t = http.createTable(DB, "uniq", "UNIQUE_KEYS", 2, Map.of("disable_auto_compaction", "true"));
        TreeMap<Integer, String> expected = new TreeMap<>();
        for (int load = 0; load < 7; load++) {
            StringBuilder sb = new StringBuilder();
            for (int i = load; i < 30; i += 2) {
                sb.append(row(i, "v" + load, load));
                expected.put(i, i + "\tv" + load + "\t" + load);
            }
            http.load(DB, "uniq", sb.toString());
        }
        String reference = String.join("\n", expected.values()) + "\n";
        assertEquals(reference, http.scan(DB, "uniq"));

        http.triggerAndWaitAll(t.tablets(), "cumulative");

        assertEquals(4, http.rowsetCount(t.tablets()));
        assertEquals(expected.size(), http.count(DB, "uniq"));
        assertEquals(reference, http.scan(DB, "uniq"));
    }

    /**
     * test_base_compaction: once cumulative outputs are promoted past the cumulative point (the
     * promotion size is lowered to 1 MB), base compaction merges them with [0-1].
     */
    @Test
    void baseCompactionMergesPromotedCumulativeOutputs() {
        start(Map.of("compaction_promotion_size_mbytes", 1, "compaction_promotion_min_size_mbytes", 1));
        var t = http.createTable(DB, "base", "DUPLICATE_KEYS", 1, Map.of("disable_auto_compaction", "true"));
        long tablet = t.tablets().get(0);
        Random random = new Random(42);
        int id = 0;
        for (int round = 0; round < 2; round++) {
            for (int load = 0; load < 5; load++) {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 6000; i++, id++) {
                    sb.append(row(id, randomText(random, 48), random.nextInt()));
                }
                http.load(DB, "base", sb.toString());
            }
            http.triggerAndWait(tablet, "cumulative");
        }
        String before = http.scan(DB, "base");
        JsonNode show = http.show(tablet);
        List<String> rowsets = http.rowsets(tablet);
        assertEquals(3, rowsets.size(), rowsets::toString);
        assertTrue(rowsets.get(1).startsWith("[2-6] "), rowsets::toString);
        assertTrue(rowsets.get(2).startsWith("[7-11] "), rowsets::toString);
        assertEquals(12, show.get("cumulative point").asLong(), "both outputs were promoted: " + show);

        http.triggerAndWait(tablet, "base");

        rowsets = http.rowsets(tablet);
        assertEquals(1, rowsets.size(), rowsets::toString);
        assertTrue(rowsets.get(0).startsWith("[0-11] "), rowsets::toString);
        show = http.show(tablet);
        assertEquals("[OK]", show.get("last base status").asText());
        assertNotEquals(TimeFormat.millis(0), show.get("last base success time").asText());
        assertEquals(12, show.get("cumulative point").asLong());
        assertEquals(id, http.count(DB, "base"));
        assertEquals(before, http.scan(DB, "base"));
    }

    private static String randomText(Random r, int len) {
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    /**
     * test_full_compaction / test_full_compaction_by_table_id (merge-on-write): upserting loads,
     * then full compaction leaves exactly one rowset [0-x] per tablet with the same results.
     */
    @Test
    void fullCompactionLeavesOneRowsetPerTabletWithTheSameResults() {
        start(Map.of());
        var byTablet = http.createTable(DB, "full_t", "UNIQUE_KEYS", 2, Map.of("disable_auto_compaction", "true"));
        var byTable = http.createTable(DB, "full_tt", "UNIQUE_KEYS", 2, Map.of("disable_auto_compaction", "true"));
        String[] loads = {row(1, "a", 1) + row(2, "b", 2), row(1, "a", 10) + row(2, "b", 20),
                row(1, "a", 100) + row(2, "b", 200), row(3, "c", 300), row(1, "a", 1000) + row(2, "b", 2000),
                row(3, "c", 3000) + row(4, "d", 4)};
        for (String l : loads) {
            http.load(DB, "full_t", l);
            http.load(DB, "full_tt", l);
        }
        String expected = "1\ta\t1000\n2\tb\t2000\n3\tc\t3000\n4\td\t4\n";
        assertEquals(expected, http.scan(DB, "full_t"));
        assertEquals(2 * 7, http.rowsetCount(byTablet.tablets()));

        http.triggerAndWaitAll(byTablet.tablets(), "full");

        for (long tablet : byTablet.tablets()) {
            List<String> rowsets = http.rowsets(tablet);
            assertEquals(1, rowsets.size(), rowsets::toString);
            assertTrue(rowsets.get(0).startsWith("[0-7] "), rowsets::toString);
            assertEquals("[OK]", http.show(tablet).get("last full status").asText());
        }
        assertEquals(expected, http.scan(DB, "full_t"));
        assertEquals(4, http.count(DB, "full_t"));

        // By table id: a full compaction for every tablet of the table.
        JsonNode answer = http.post("/api/compaction/run?table_id=" + byTable.tableId() + "&compact_type=full");
        assertEquals("Success", answer.get("status").asText(), answer::toString);
        org.awaitility.Awaitility.await().atMost(CompactionHttpClient.WAIT).until(
                () -> http.rowsetCount(byTable.tablets()) == 2);
        for (long tablet : byTable.tablets()) {
            assertTrue(http.rowsets(tablet).get(0).startsWith("[0-7] "));
        }
        assertEquals(expected, http.scan(DB, "full_tt"));
    }

    /** test_compaction_score_action: 90 loads, then the top tablet's score is at least 90. */
    @Test
    void ninetyLoadsGiveATopCompactionScoreOfAtLeastNinety() {
        start(Map.of("disable_auto_compaction", true));
        var t = http.createTable(DB, "score", "DUPLICATE_KEYS", 1, Map.of("disable_auto_compaction", "true"));
        for (int i = 0; i < 90; i++) {
            http.load(DB, "score", row(i, "n", i));
        }
        JsonNode top = http.get("/api/compaction_score?top_n=1");
        assertEquals(1, top.size(), top::toString);
        assertTrue(top.get(0).get("compaction_score").isTextual(), "Doris sends the score as a string");
        assertTrue(top.get(0).get("tablet_id").isTextual());
        assertTrue(Long.parseLong(top.get(0).get("compaction_score").asText()) >= 90, top::toString);
        assertEquals(String.valueOf(t.tablets().get(0)), top.get(0).get("tablet_id").asText());
        assertEquals(91, http.rowsets(t.tablets().get(0)).size(), "nothing compacted automatically");
    }

    /**
     * test_time_series_compaction_policy, made deterministic: 2 buckets and 16 one-row loads whose
     * key alternates between the buckets in runs of five, so each tablet gets runs of five empty
     * rowsets. Cumulative compaction merges one run of empty rowsets per tablet and round:
     * 34 -> 26 -> 22; with a file count threshold of 10 the next round leaves 11.
     */
    @Test
    void timeSeriesPolicyMergesRunsOfEmptyRowsetsThenByFileCount() {
        start(Map.of());
        var t = http.createTable(DB, "ts", "DUPLICATE_KEYS", 2,
                Map.of("disable_auto_compaction", "true", "compaction_policy", "time_series"));
        int[] keys = keysInDifferentBuckets("ts");
        int a = keys[0];
        int b = keys[1];
        int[] sequence = {a, a, a, a, a, b, b, b, b, b, a, a, a, a, a, b};
        for (int k : sequence) {
            http.load(DB, "ts", row(k, "andy", 100));
        }
        assertEquals(34, http.rowsetCount(t.tablets()), "17 rowsets per tablet");
        assertEquals("time_series", http.show(t.tablets().get(0)).get("cumulative policy type").asText());

        http.triggerAndWaitAll(t.tablets(), "cumulative");
        assertEquals(26, http.rowsetCount(t.tablets()), "one run of 5 empty rowsets merged per tablet");

        http.triggerAndWaitAll(t.tablets(), "cumulative");
        assertEquals(22, http.rowsetCount(t.tablets()), "the second run of the tablet that has one");
        assertEquals(16, http.count(DB, "ts"));

        CompactionHttpClient.Answer alter = http.send("PUT", "/api/" + DB + "/ts/_properties",
                "{\"time_series_compaction_file_count_threshold\":\"10\"}");
        assertEquals(200, alter.code(), alter.body());
        http.triggerAndWaitAll(t.tablets(), "cumulative");
        assertEquals(11, http.rowsetCount(t.tablets()));
        assertEquals(16, http.count(DB, "ts"));
    }

    /** Two small keys whose rows go to different tablets of the table. */
    private int[] keysInDifferentBuckets(String table) {
        TableMeta meta = server.node().tables().get(DB, table);
        long first = tabletOf(meta, 1);
        for (int k = 2; k < 1000; k++) {
            if (tabletOf(meta, k) != first) {
                return new int[]{1, k};
            }
        }
        throw new AssertionError("no key in another bucket");
    }

    private static long tabletOf(TableMeta meta, int key) {
        RowBatch row = new RowBatch(meta.schema(), 1);
        row.addRow();
        row.setLong(0, 0, key);
        return meta.tabletFor(row.keyHash(0));
    }

    /**
     * test_compaction_fail_release_lock: an injected merge failure answers its error, leaves the
     * tablet unchanged and not running, records the failure in show, and the next compaction of
     * the same tablet succeeds.
     */
    @Test
    void failedCompactionReleasesItsLocksAndTheNextOneSucceeds() {
        start(Map.of("enable_debug_points", true));
        var t = http.createTable(DB, "fail", "DUPLICATE_KEYS", 1, Map.of("disable_auto_compaction", "true"));
        long tablet = t.tablets().get(0);
        for (int i = 0; i < 6; i++) {
            http.load(DB, "fail", row(i, "x", i));
        }
        List<String> before = http.rowsets(tablet);
        server.node().ops().debugPoints().add("compaction.merge", 1, -1, Map.of());

        JsonNode answer = http.run(tablet, "cumulative");
        assertEquals("INTERNAL_ERROR", answer.get("status").asText(), answer::toString);
        assertTrue(answer.get("msg").asText().contains("compaction.merge"), answer::toString);

        JsonNode status = http.runStatus(tablet);
        assertFalse(status.get("run_status").asBoolean(), "the failed task released the tablet: " + status);
        JsonNode show = http.show(tablet);
        assertTrue(show.get("last cumulative status").asText().startsWith("[INTERNAL_ERROR]"), show::toString);
        assertNotEquals(TimeFormat.millis(0), show.get("last cumulative failure time").asText());
        assertEquals(before, http.rowsets(tablet));
        JsonNode failed = http.get("/api/compaction/profile?tablet_id=" + tablet + "&success=false")
                .get("compaction_profiles");
        assertEquals(1, failed.size());
        assertTrue(failed.get(0).get("status_msg").asText().contains("compaction.merge"), failed::toString);

        assertEquals("Success", http.triggerAndWait(tablet, "cumulative"));
        show = http.show(tablet);
        assertEquals("[OK]", show.get("last cumulative status").asText());
        assertEquals(TimeFormat.millis(0), show.get("last cumulative failure time").asText(),
                "a success resets the failure time");
        List<String> after = http.rowsets(tablet);
        assertEquals(2, after.size(), after::toString);
        assertTrue(after.get(1).startsWith("[2-7] "));
        assertEquals(6, http.count(DB, "fail"));
        List<String> none = new ArrayList<>();
        server.node().ops().debugPoints().active().forEach((k, v) -> none.add(k));
        assertEquals(List.of(), none, "the one-shot point turned itself off");
    }
}
