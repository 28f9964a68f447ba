package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Doris data-recovery story on a merge-on-write table: with the fault injected (loads skip
 * their delete-bitmap marks) upserts leave keys visible twice; a full compaction by table id
 * ({@code POST /api/compaction/run?table_id=..&compact_type=full}) merges every version and the
 * duplicates are gone. Each step checks the node over HTTP; a step that does not hold fails the
 * run with what was expected and what was seen.
 */
final class RecoveryStory {
    static final String DEBUG_POINT = "DeleteBitmap.skip_marks";
    private static final long BASELINE_SEQ = 1_000_000_000L;

    /** The story did not hold; the message says which step and what was seen. */
    static final class StoryFailed extends RuntimeException {
        StoryFailed(String message) {
            super(message);
        }
    }

    /** What the node shows for the table: duplicate keys and rows, against the distinct keys loaded. */
    record Check(long duplicateKeys, long rows, long distinctKeys, int inconsistentBitmaps) {
        boolean clean() {
            return duplicateKeys == 0 && rows == distinctKeys;
        }

        @Override
        public String toString() {
            return "duplicate_keys=" + duplicateKeys + " _count=" + rows + " distinct keys loaded=" + distinctKeys
                    + (inconsistentBitmaps > 0 ? " tablets with an inconsistent delete bitmap=" + inconsistentBitmaps : "");
        }
    }

    private final NodeClient client;
    private final SimOptions o;
    private final Workload.Upsert workload;
    private final LoadDriver driver;
    private final Progress progress;
    private final List<String> notes;
    private final String table;
    private long tableId;
    private final List<Long> tablets = new ArrayList<>();

    RecoveryStory(NodeClient client, SimOptions o, Workload.Upsert workload, LoadDriver driver, Progress progress,
                  List<String> notes, String table) {
        this.client = client;
        this.o = o;
        this.workload = workload;
        this.driver = driver;
        this.progress = progress;
        this.notes = notes;
        this.table = table;
    }

    private void say(String line) {
        progress.message("recovery: " + line);
        notes.add("recovery: " + line);
    }

    /** Fails fast, before any load, when the node lacks an endpoint the story needs. */
    void preflight() {
        JsonNode t = client.getJson("/api/" + o.db + "/" + table);
        tableId = t.path("table_id").asLong();
        for (JsonNode tablet : t.path("tablets")) {
            tablets.add(tablet.path("tablet_id").asLong());
        }
        if (tablets.isEmpty()) {
            throw new StoryFailed("table " + o.db + "." + table + " has no tablets");
        }
        NodeClient.ok(client.get("/api/check_tablet?tablet_id=" + tablets.get(0)), "GET /api/check_tablet");
        debugPoint("remove");
    }

    private void debugPoint(String action) {
        String path = "/api/debug_point/" + action + "/" + DEBUG_POINT;
        NodeClient.Response r = client.post(path);
        if (r.status() == 404) {
            throw new NodeClient.EndpointMissingException("POST /api/debug_point/" + action + "/{name}", r.message());
        }
        if (r.status() != 200) {
            throw new StoryFailed("POST " + path + " answered HTTP " + r.status() + ": " + r.message()
                    + " (the node must run with compactor.enable_debug_points=true)");
        }
        JsonNode j = r.json();
        String status = j.path("status").asText("OK");
        if (!status.equalsIgnoreCase("OK") && !status.equalsIgnoreCase("Success")) {
            throw new StoryFailed("POST " + path + " answered " + r.body().strip()
                    + " (the node must run with compactor.enable_debug_points=true)");
        }
    }

    void run() throws InterruptedException {
        preflight();
        say("table " + o.db + "." + table + " (table_id " + tableId + ", " + tablets.size()
                + " tablets, auto compaction disabled)");
        List<Workload.Load> base = workload.baseline(table, 5000);
        for (int i = 0; i < base.size(); i++) {
            LoadStats.Record r = driver.send(base.get(i), BASELINE_SEQ + i);
            if (r.outcome() != LoadStats.Outcome.SUCCESS) {
                throw new StoryFailed("baseline load " + i + " failed: " + r.message());
            }
        }
        Check before = check();
        say("1. baseline, every hot key once: " + before);
        if (!before.clean()) {
            throw new StoryFailed("the table shows duplicates before any fault was injected: " + before);
        }
        debugPoint("add");
        say("2. debug point " + DEBUG_POINT + " on: loads skip their delete-bitmap marks; upserting hot keys for "
                + Durations.format(o.duration));
        try {
            driver.run(o.clients, o.rate, o.duration.toNanos(), workload::load);
        } finally {
            debugPoint("remove");
        }
        Check faulty = check();
        say("3. debug point off: " + faulty);
        if (faulty.clean()) {
            throw new StoryFailed("the fault injection produced no duplicates (" + faulty + "): debug point "
                    + DEBUG_POINT + " had no effect");
        }
        Map<Long, String> successBefore = lastFullSuccess();
        NodeClient.Response r = client.post("/api/compaction/run?table_id=" + tableId + "&compact_type=full");
        JsonNode j = NodeClient.ok(r, "POST /api/compaction/run").json();
        String status = j.path("status").asText();
        if (!status.equals("Success") && !status.equals("ALREADY_EXIST")) {
            throw new StoryFailed("POST /api/compaction/run?table_id=" + tableId + "&compact_type=full answered "
                    + status + ": " + j.path("msg").asText());
        }
        say("4. POST /api/compaction/run?table_id=" + tableId + "&compact_type=full: " + status + " "
                + j.path("msg").asText());
        long t0 = System.nanoTime();
        waitForFull(successBefore);
        say(String.format(java.util.Locale.ROOT, "5. full compaction finished on all %d tablets in %.1fs",
                tablets.size(), (System.nanoTime() - t0) / 1e9));
        Check after = check();
        say("6. after full compaction: " + after + (after.clean() ? " -> recovered" : ""));
        if (!after.clean()) {
            throw new StoryFailed("full compaction did not remove the duplicates: " + after);
        }
    }

    Check check() {
        long dups = 0;
        int inconsistent = 0;
        for (long id : tablets) {
            JsonNode j = client.getJson("/api/check_tablet?tablet_id=" + id);
            if (!"Success".equals(j.path("status").asText())) {
                throw new StoryFailed("GET /api/check_tablet?tablet_id=" + id + " answered " + j);
            }
            dups += j.path("duplicate_keys").asLong();
            if (j.has("delete_bitmap_consistent") && !j.path("delete_bitmap_consistent").asBoolean()) {
                inconsistent++;
            }
        }
        long rows = client.getJson("/api/" + o.db + "/" + table + "/_count").path("rows").asLong();
        Set<Long> keys = driver.keysByTable().getOrDefault(table, Set.of());
        return new Check(dups, rows, keys.size(), inconsistent);
    }

    private Map<Long, String> lastFullSuccess() {
        Map<Long, String> m = new HashMap<>();
        for (long id : tablets) {
            m.put(id, client.getJson("/api/compaction/show?tablet_id=" + id).path("last full success time").asText());
        }
        return m;
    }

    /** As Doris's trigger_and_wait_compaction: run_status false and "last full success time" changed, per tablet. */
    private void waitForFull(Map<Long, String> before) throws InterruptedException {
        long deadline = System.nanoTime() + o.timeout.toNanos();
        List<Long> pending = new ArrayList<>(tablets);
        while (true) {
            pending.removeIf(id -> {
                JsonNode rs = client.getJson("/api/compaction/run_status?tablet_id=" + id);
                if (rs.path("run_status").asBoolean(false)) {
                    return false;
                }
                String now = client.getJson("/api/compaction/show?tablet_id=" + id).path("last full success time").asText();
                return !now.equals(before.get(id));
            });
            if (pending.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder();
                for (long id : pending) {
                    JsonNode show = client.getJson("/api/compaction/show?tablet_id=" + id);
                    sb.append(" tablet ").append(id).append(": last full status ")
                            .append(show.path("last full status").asText()).append(';');
                }
                throw new StoryFailed("full compaction did not finish within " + Durations.format(o.timeout)
                        + " on " + pending.size() + " of " + tablets.size() + " tablets:" + sb);
            }
            Thread.sleep(500);
        }
    }
}
