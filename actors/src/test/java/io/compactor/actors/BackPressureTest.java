package io.compactor.actors;

import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.createTable;
import static io.compactor.actors.TestNode.csv;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.api.LoadResult;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.VersionLimits;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.tablet.TableProperties;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Graded back-pressure before E-235: delays that grow with the version count, then the hard limit. */
class BackPressureTest {
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
    void theDelayFunctionIsZeroUpToTheSoftThresholdThenGrowsToTheMaximumAtTheLimit() {
        assertEquals(0, VersionLimits.delayMs(10, 10, 20, 1000));
        assertEquals(100, VersionLimits.delayMs(11, 10, 20, 1000));
        assertEquals(500, VersionLimits.delayMs(15, 10, 20, 1000));
        assertEquals(1000, VersionLimits.delayMs(20, 10, 20, 1000));
        assertEquals(1000, VersionLimits.delayMs(25, 10, 20, 1000), "bounded");
        assertEquals(0, VersionLimits.delayMs(19, 20, 20, 1000), "ratio 1 turns it off");
        assertEquals(0, VersionLimits.delayMs(19, 10, 20, 0), "0 ms turns it off");
        CompactionConfig c = CompactionConfig.defaults();
        assertEquals(1000, VersionLimits.softLimit(TableProperties.DEFAULTS, c), "half of max_tablet_version_num");
        assertEquals(0, VersionLimits.loadDelayMs(1000, TableProperties.DEFAULTS, c));
        assertTrue(VersionLimits.loadDelayMs(1500, TableProperties.DEFAULTS, c) > 0);
        assertFalse(VersionLimits.pastSoftLimit(1000, TableProperties.DEFAULTS, c));
        assertTrue(VersionLimits.pastSoftLimit(1001, TableProperties.DEFAULTS, c));
    }

    @Test
    void anUrgentCumulativeRequestGoesAfterManualOnesAndBeforeHigherScores() {
        CandidateQueue q = new CandidateQueue();
        q.offer(new CandidateQueue.Request(1, CompactionType.CUMULATIVE, 900, 1, false, 0));
        q.offer(new CandidateQueue.Request(2, CompactionType.CUMULATIVE, 10, 1, false, 0, true));
        q.offer(new CandidateQueue.Request(3, CompactionType.BASE, 5, 1, true, 0));
        assertEquals(3, q.pollEligible(r -> true).orElseThrow().tabletId());
        assertEquals(2, q.pollEligible(r -> true).orElseThrow().tabletId());
        assertEquals(1, q.pollEligible(r -> true).orElseThrow().tabletId());
    }

    @Test
    void theDelayGrowsWithTheVersionCountAndTheHardLimitStillAnswersE235() {
        node = TestNode.start(dir, Map.of("max_tablet_version_num", 12, "disable_auto_compaction", true,
                "load_back_pressure_version_ratio", 0.5, "load_back_pressure_max_delay_ms", 600));
        TableMeta t = createTable(node, "bp", KeysType.DUPLICATE_KEYS, 1);
        List<Long> waits = new ArrayList<>();
        LoadResult failed = null;
        for (int i = 0; i < 20 && failed == null; i++) {
            LoadResult r = load(node, "bp", csv(Map.of((long) i, (long) i)), "bp-" + i);
            if (r.isSuccess()) {
                waits.add(r.waitCompactionMs() == null ? 0 : r.waitCompactionMs());
            } else {
                failed = r;
            }
        }
        // versions before each load: 1 ([0-1]), 2, ... ; soft threshold 6, limit 12
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L, 100L, 200L, 300L, 400L, 500L, 600L), waits);
        assertTrue(failed != null && failed.message().contains("E-235"), String.valueOf(failed));
        assertTrue(failed.message().contains("version count: 13, exceed limit: 12"), failed.message());
        assertTrue(node.ops().metrics().loadWaitCompaction.sum() >= 6);
        assertEquals(2100, node.ops().metrics().loadWaitCompactionMs.sum());

        // The delay is a timer, not a held actor thread: while a load waits its 600 ms, the tablet
        // still answers (the meta read below would queue behind a blocked actor).
        node.ops().config().update("max_tablet_version_num", "13");
        CompletableFuture<LoadResult> delayed = node.loads().streamLoad(DB, "bp",
                "77\t7\ts7\n".getBytes(StandardCharsets.UTF_8), LoadOptions.DEFAULTS, "bp-delayed").toCompletableFuture();
        long tabletId = t.tabletIds().get(0);
        assertEquals(13, join(node.reads().tabletMeta(tabletId)).versionCount());
        assertFalse(delayed.isDone(), "the tablet answered while the load was still waiting");
        LoadResult r = join(delayed);
        assertEquals(LoadResult.SUCCESS, r.status(), r.toString());
        assertEquals(600L, r.waitCompactionMs());
        LoadResult over = load(node, "bp", "88\t8\ts8\n", "bp-over");
        assertTrue(over.message().contains("E-235"), "past the hard limit a load fails at once: " + over);
        assertNull(over.waitCompactionMs(), "it does not wait first");
    }
}
