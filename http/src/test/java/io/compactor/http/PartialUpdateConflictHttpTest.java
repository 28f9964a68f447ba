package io.compactor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.http.HttpTestClient.Answer;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.TabletMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent partial column updates of one key on a merge-on-write table (Doris's publish-time
 * conflict handling): two loads written against the same rows (each held prepared by the
 * two-phase commit) and then committed one after the other must both survive; the columns a load
 * did not give are taken again from the rows visible when it publishes.
 */
class PartialUpdateConflictHttpTest {
    @TempDir
    Path dir;
    private CompactorServer server;
    private HttpTestClient http;

    private void start() {
        Config cfg = ConfigFactory.parseMap(Map.of("compactor.storage_root_path", dir.toString(),
                "compactor.webserver_port", 0, "compactor.disable_auto_compaction", true,
                "compactor.enable_debug_points", true))
                .withFallback(ConfigFactory.load());
        server = CompactorServer.start(cfg);
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void create(String table, String properties) {
        String body = "{\"keys_type\":\"UNIQUE_KEYS\",\"columns\":[{\"name\":\"id\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"a\",\"type\":\"BIGINT\"},{\"name\":\"b\",\"type\":\"BIGINT\"},"
                + "{\"name\":\"s\",\"type\":\"VARCHAR(32)\"}],\"key_columns\":[\"id\"],\"buckets\":2,"
                + "\"properties\":{\"disable_auto_compaction\":\"true\"" + properties + "}}";
        Answer a = http.put("/api/db/" + table, body);
        assertEquals(200, a.status(), a.body());
    }

    private JsonNode load(String table, String body, Map<String, String> headers) {
        Answer a = http.put("/api/db/" + table + "/_stream_load", body, headers);
        assertEquals(200, a.status(), a.body());
        JsonNode n = a.json();
        assertEquals("Success", n.get("Status").asText(), n.toString());
        return n;
    }

    /** A partial update of {@code columns}, written now and held prepared; answers its txn id. */
    private long preparePartial(String table, String label, String columns, String body, String... more) {
        Map<String, String> headers = new HashMap<>(Map.of("label", label, "two_phase_commit", "true",
                "partial_columns", "true", "columns", columns, "column_separator", ","));
        for (int i = 0; i < more.length; i += 2) {
            headers.put(more[i], more[i + 1]);
        }
        return load(table, body, headers).get("TxnId").asLong();
    }

    private void commit(long txnId) {
        Answer a = http.put("/api/db/_stream_load_2pc", "", Map.of("txn_operation", "commit", "txn_id",
                Long.toString(txnId)));
        assertEquals(200, a.status(), a.body());
        assertEquals("Success", a.json().get("status").asText(), a.body());
    }

    /** Every tablet of {@code table} has exactly the segment files its meta references (no orphan). */
    private void assertNoOrphanFiles(String table) throws IOException {
        for (JsonNode t : http.get("/api/db/" + table).json().get("tablets")) {
            long id = t.get("tablet_id").asLong();
            TabletMeta meta = server.node().reads().tabletMeta(id).toCompletableFuture().join();
            Set<String> inMeta = new TreeSet<>(RowsetMeta.segmentFileNames(meta.rowsets()));
            Path tabletDir = dir.resolve("data").resolve(Long.toString(id));
            Set<String> onDisk = new TreeSet<>();
            if (Files.exists(tabletDir)) {
                try (Stream<Path> files = Files.list(tabletDir)) {
                    files.forEach(f -> onDisk.add(f.getFileName().toString()));
                }
            }
            assertEquals(inMeta, onDisk, "tablet " + id);
        }
    }

    private String scan(String table) {
        Answer a = http.get("/api/db/" + table + "/_scan");
        assertEquals(200, a.status(), a.body());
        return a.body();
    }

    @Test
    void aFailedCommitLeavesTheVisibleRowsAndNoFileOfTheReFilledRowset() throws IOException {
        start();
        create("t", "");
        load("t", "1\t10\t100\tx\n", Map.of());
        long prepared = preparePartial("t", "p1", "id,a", "1,11\n");
        load("t", "1,101\n", Map.of("partial_columns", "true", "columns", "id,b", "column_separator", ","));
        assertEquals("OK", http.post("/api/debug_point/add/meta.commit").text("status"));
        Answer failed = http.put("/api/db/_stream_load_2pc", "", Map.of("txn_operation", "commit", "txn_id",
                Long.toString(prepared)));
        assertTrue(failed.body().contains("meta.commit"), failed.body());
        assertEquals("OK", http.post("/api/debug_point/remove/meta.commit").text("status"));
        assertEquals("1\t10\t101\tx\n", scan("t"), "the visible rows are the ones before the commit");
        assertNoOrphanFiles("t");
    }

    @Test
    void bothUpdatesOfDifferentColumnsSurvive() throws IOException {
        start();
        create("t", "");
        load("t", "1\t10\t100\tx\n2\t20\t200\ty\n", Map.of());
        long first = preparePartial("t", "p1", "id,a", "1,11\n2,21\n");
        long second = preparePartial("t", "p2", "id,b", "1,101\n");
        commit(first);
        commit(second);
        assertEquals("1\t11\t101\tx\n2\t21\t200\ty\n", scan("t"), "load 2 must keep load 1's a");
        assertNoOrphanFiles("t"); // the rowset load 2 wrote is gone: the re-filled one replaced it
        server.close();
        server = null;
        start();
        assertEquals("1\t11\t101\tx\n2\t21\t200\ty\n", scan("t"), "after a restart");
    }

    @Test
    void aPreparedPartialUpdateRecoveredAfterARestartIsReFilledAtCommit() {
        start();
        create("t", "");
        load("t", "1\t10\t100\tx\n", Map.of());
        long prepared = preparePartial("t", "p1", "id,a", "1,11\n");
        load("t", "1,101\n", Map.of("partial_columns", "true", "columns", "id,b", "column_separator", ","));
        server.close();
        server = null;
        start();
        commit(prepared);
        assertEquals("1\t11\t101\tx\n", scan("t"), "the recovered load keeps the b published before it");
    }

    @Test
    void theSameColumnGoesToTheLaterPublish() {
        start();
        create("t", "");
        load("t", "1\t10\t100\tx\n", Map.of());
        long written1 = preparePartial("t", "p1", "id,a,s", "1,12,first\n");
        long written2 = preparePartial("t", "p2", "id,a", "1,13\n");
        commit(written2);
        commit(written1);
        assertEquals("1\t12\t100\tfirst\n", scan("t"), "the later publish wins the column both give");
    }

    @Test
    void aKeyNewToOneLoadAndInsertedByAnother() {
        start();
        create("t", "");
        load("t", "9\t90\t900\tz\n", Map.of());
        long partialNew = preparePartial("t", "p1", "id,a", "2,20\n");
        load("t", "2\t0\t200\tinserted\n", Map.of());
        commit(partialNew);
        long bothNewA = preparePartial("t", "p2", "id,a", "3,30\n");
        long bothNewB = preparePartial("t", "p3", "id,b", "3,300\n");
        commit(bothNewB);
        commit(bothNewA);
        assertEquals("2\t20\t200\tinserted\n3\t30\t300\t\\N\n9\t90\t900\tz\n", scan("t"));
    }

    @Test
    void aKeyDeletedBeforeThePublishIsANewRow() {
        start();
        create("t", "");
        load("t", "1\t10\t100\tx\n", Map.of());
        long partial = preparePartial("t", "p1", "id,a", "1,11\n");
        load("t", "1\t0\t0\tgone\n", Map.of("merge_type", "DELETE"));
        commit(partial);
        assertEquals("1\t11\t\\N\t\\N\n", scan("t"), "the deleted row's other columns do not come back");
    }

    @Test
    void theSequenceColumnIsTakenFromTheRowVisibleAtPublish() {
        start();
        create("seq", ",\"function_column.sequence_type\":\"BIGINT\"");
        load("seq", "1,5,100,x\n", Map.of("function_column.sequence_col", "a", "column_separator", ","));
        long text = preparePartial("seq", "p1", "id,s", "1,new text\n");
        long newer = preparePartial("seq", "p2", "id,a,b", "1,7,700\n", "function_column.sequence_col", "a");
        commit(newer);
        commit(text);
        assertEquals("1\t7\t700\tnew text\n", scan("seq"), "the text keeps the newer sequence value and b");
    }
}
