package io.compactor.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.compactor.actors.node.Node;
import io.compactor.storage.compaction.CompactionProgress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live progress of a running compaction, horizontal and vertical: the merge is held at growing row
 * counts by {@code compaction.merge.hold}, and at each hold {@code /api/compaction/running} shows
 * more read and written, with a rate and an ETA; a sampler watching the progress the whole time
 * never sees a counter go back, and sees 100 % exactly when the commit is durable.
 */
class CompactionProgressTest {
    @TempDir
    Path dir;

    private OperatorFixture f;

    @AfterEach
    void stop() {
        if (f != null) {
            f.close();
        }
    }

    @ParameterizedTest(name = "vertical={0}")
    @ValueSource(booleans = {false, true})
    void countersOnlyGrowAndReach100ExactlyAtTheCommit(boolean vertical) throws Exception {
        f = new OperatorFixture(dir, Map.of("enable_vertical_compaction", vertical));
        long tablet = f.table("p", 1, 6, 10_000, Map.of()).tablets().get(0);
        int passes = vertical ? 2 : 1; // key group, then the one value group of (name, score)
        long total = 60_000L * passes;

        f.hold(tablet, total / 8);
        f.submit(tablet, "cumulative");
        f.awaitHeld(tablet);
        CompactionProgress progress = f.server.node().unwrap(Node.class).runningCompactions().ofTablet(tablet).get(0);
        List<CompactionProgress.Snapshot> watched = new ArrayList<>();
        AtomicBoolean watching = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (watching.get()) {
                CompactionProgress.Snapshot s = progress.snapshot();
                synchronized (watched) {
                    watched.add(s);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(500_000); // a sample every half millisecond
            }
        }, "progress-sampler");
        sampler.start();

        List<JsonNode> seen = new ArrayList<>();
        for (int step = 1; step <= 4; step++) {
            long at = total * (2 * step - 1) / 8;
            f.hold(tablet, at);
            await().atMost(OperatorFixture.WAIT).pollInterval(Duration.ofMillis(10))
                    .until(() -> f.awaitHeld(tablet).get("rows_read").asLong() > at);
            seen.add(f.awaitHeld(tablet));
        }
        for (int i = 1; i < seen.size(); i++) {
            JsonNode a = seen.get(i - 1);
            JsonNode b = seen.get(i);
            assertTrue(b.get("percent").asDouble() > a.get("percent").asDouble(), a + " then " + b);
            assertTrue(b.get("rows_read").asLong() > a.get("rows_read").asLong());
            assertTrue(b.get("rows_written").asLong() >= a.get("rows_written").asLong());
            assertTrue(b.get("bytes_written").asLong() >= a.get("bytes_written").asLong());
            assertTrue(b.get("bytes_read").asLong() > a.get("bytes_read").asLong());
            assertTrue(b.get("vertical_group").asInt() >= a.get("vertical_group").asInt());
        }
        JsonNode last = seen.get(seen.size() - 1);
        assertEquals("cumulative", last.get("compact_type").asText());
        assertEquals("[2-7]", last.get("input_versions").asText());
        assertEquals(6, last.get("input_rowsets").asInt());
        assertEquals(60_000, last.get("input_rows").asLong());
        assertTrue(last.get("percent").asDouble() < 100.0);
        assertTrue(last.get("eta_ms").asLong() >= 0, last::toString);
        assertTrue(last.get("elapsed_ms").asLong() > 0);
        assertTrue(last.get("thread").asText().contains("compaction"), last::toString);
        assertEquals(vertical ? 2 : 0, last.get("vertical_groups").asInt());
        assertEquals(vertical ? 2 : 0, last.get("vertical_group").asInt(), "held in the value group's pass");
        assertTrue(f.http.metric("compactor_compaction_running_rows_read") > 0);

        f.release();
        await().atMost(OperatorFixture.WAIT).until(() -> progress.state() == CompactionProgress.State.COMMITTED);
        assertEquals(2, f.http.rowsets(tablet).size(), "the output is visible once progress says committed");
        watching.set(false);
        sampler.join();
        assertEquals(100.0, progress.snapshot().percent());

        CompactionProgress.Snapshot prev = null;
        for (CompactionProgress.Snapshot s : watched) {
            boolean committed = s.state() == CompactionProgress.State.COMMITTED;
            assertEquals(committed, s.percent() == 100.0, "100 % exactly when committed: " + s);
            if (prev != null) {
                assertTrue(s.percent() >= prev.percent() && s.rowsRead() >= prev.rowsRead()
                        && s.rowsWritten() >= prev.rowsWritten() && s.bytesWritten() >= prev.bytesWritten()
                        && s.group() >= prev.group(), prev + " then " + s);
            }
            prev = s;
        }
        assertTrue(watched.size() > 10, "samples: " + watched.size());
        assertEquals(total, progress.snapshot().rowsRead());
        assertEquals(60_000, progress.snapshot().rowsWritten());
        f.awaitNothingRunning();
        assertEquals("SUCCESS", f.lastProfile(tablet).get("status").asText());
    }
}
