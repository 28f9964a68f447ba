package io.compactor.actors.compaction;

import io.compactor.actors.TestNode;
import static io.compactor.actors.TestNode.join;
import static io.compactor.actors.TestNode.loadScores;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pick is the scheduler's input: a compaction holds the permits of the pick it runs, not its
 * tablet's score. A time_series cumulative pick holds one permit (its goal size bounds its memory),
 * so it leaves {@code total_permits_for_compaction_score} to others.
 */
class CompactionPermitsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Compactor node;

    @AfterEach
    void stop() {
        if (node != null) {
            node.ops().debugPoints().clear();
            node.close();
        }
    }

    @Test
    void aTimeSeriesPickHoldingOnePermitLetsASecondTabletRunWhilePermitsAreNearlyUsedUp() {
        node = TestNode.start(dir, Map.of("total_permits_for_compaction_score", 15,
                "enable_debug_points", true));
        TableMeta ts = TestNode.createScoreTable(node, "ts", KeysType.DUPLICATE_KEYS, 1,
                Map.of("compaction_policy", "time_series", "time_series_compaction_file_count_threshold", "10",
                        "disable_auto_compaction", "true"));
        TableMeta sized = TestNode.createScoreTable(node, "sized", KeysType.DUPLICATE_KEYS, 1,
                Map.of("disable_auto_compaction", "true"));
        for (int i = 0; i < 12; i++) {
            loadScores(node, "ts", i * 10L, i * 10L + 10);
        }
        for (int i = 0; i < 6; i++) {
            loadScores(node, "sized", i * 10L, i * 10L + 10);
        }
        long tsTablet = ts.tabletIds().get(0);
        long sizedTablet = sized.tabletIds().get(0);
        // 12 + 6 permits would not fit under 15: only the time_series pick's single permit lets both run.
        // Stats are published by the tablets as they process the publish, which may follow the load's answer.
        await().atMost(WAIT).until(() -> node.compaction().stats().get(tsTablet).cumulativeScore() >= 12);
        await().atMost(WAIT).until(() -> node.compaction().stats().get(sizedTablet).cumulativeScore() >= 6);

        node.ops().debugPoints().add("compaction.merge.block", -1, -1, Map.of());
        assertEquals(Status.OK, join(node.compaction().submit(tsTablet, CompactionType.CUMULATIVE, "MANUAL")));
        await().atMost(WAIT).until(() -> join(node.compaction().status(tsTablet)).running()
                .contains(CompactionType.CUMULATIVE));

        assertEquals(Status.OK, join(node.compaction().submit(sizedTablet, CompactionType.CUMULATIVE, "MANUAL")));
        await().atMost(WAIT).until(() -> join(node.compaction().status(sizedTablet)).running()
                .contains(CompactionType.CUMULATIVE));
        assertEquals(Set.of(CompactionType.CUMULATIVE), join(node.compaction().status(tsTablet)).running(),
                "the time_series compaction still runs");
        long used = node.ops().metrics().usedPermits.get();
        assertTrue(used > 1 && used <= 1 + 7, "one permit for the time_series pick, one per input rowset of the"
                + " size_based pick (at most [0-1] to [7-7]); used " + used);

        node.ops().debugPoints().remove("compaction.merge.block");
        await().atMost(WAIT).until(() -> join(node.reads().tabletMeta(tsTablet)).rowsets().size() < 13
                && join(node.reads().tabletMeta(sizedTablet)).rowsets().size() < 7);
        await().atMost(WAIT).until(() -> node.ops().metrics().usedPermits.get() == 0);
        assertEquals(120, join(node.reads().count(TestNode.DB, "ts")));
        assertEquals(60, join(node.reads().count(TestNode.DB, "sized")));
    }
}
