package io.compactor.actors.compaction;

import io.compactor.actors.TestNode;
import static io.compactor.actors.TestNode.DB;
import static io.compactor.actors.TestNode.join;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeMetrics;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steady state with the default configuration: 20 tablets receive a small load every few
 * milliseconds for {@code compactor.test.steadyStateSeconds} (default 60) while automatic
 * compaction keeps up. The highest version count of any tablet, sampled throughout, must never
 * reach 100, and every row must be readable and correct at the end.
 */
class CompactionSteadyStateTest {
    private static final int TABLETS = 20;
    private static final int ROWS_PER_LOAD = 40;
    private static final int LOADERS = 2;

    @TempDir
    Path dir;

    private Compactor node;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() throws InterruptedException {
        sampler.shutdownNow();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
        if (node != null) {
            node.close();
        }
    }

    @Test
    void automaticCompactionKeepsVersionCountsBelowOneHundredUnderContinuousLoads() throws Exception {
        long seconds = Long.getLong("compactor.test.steadyStateSeconds", 60);
        node = TestNode.start(dir, Map.of());
        TestNode.createScoreTable(node, "steady", KeysType.DUPLICATE_KEYS, TABLETS, Map.of());

        AtomicInteger maxVersions = new AtomicInteger();
        List<Integer> perSecond = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger ticks = new AtomicInteger();
        sampler.scheduleAtFixedRate(() -> {
            int v = node.compaction().stats().maxVersionCount();
            maxVersions.accumulateAndGet(v, Math::max);
            if (ticks.incrementAndGet() % 200 == 0) {
                perSecond.add(v);
            }
        }, 0, 5, TimeUnit.MILLISECONDS);

        // Loaders run back to back until the duration is over; each load gets a disjoint id range.
        long begin = System.nanoTime();
        long deadline = begin + TimeUnit.SECONDS.toNanos(seconds);
        AtomicLong nextLoad = new AtomicLong();
        List<Thread> loaders = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < LOADERS; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < deadline) {
                        long load = nextLoad.getAndIncrement();
                        TestNode.loadScores(node, "steady", load * ROWS_PER_LOAD, (load + 1) * ROWS_PER_LOAD);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }, "steady-loader-" + i);
            loaders.add(t);
            t.start();
        }
        for (Thread t : loaders) {
            t.join(TimeUnit.SECONDS.toMillis(seconds + 120));
        }
        sampler.shutdown();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
        assertTrue(errors.isEmpty(), () -> "loads failed: " + errors);

        long loads = nextLoad.get();
        NodeMetrics m = node.ops().metrics();
        String summary = "loadPhaseMs=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " loads=" + loads + " maxVersionCount=" + maxVersions.get() + " perSecond=" + perSecond
                + " cumulativeSuccess=" + m.compactionSuccess.get(NodeMetrics.Kind.CUMULATIVE).sum()
                + " cumulativeFailed=" + m.compactionFailed.get(NodeMetrics.Kind.CUMULATIVE).sum()
                + " baseSuccess=" + m.compactionSuccess.get(NodeMetrics.Kind.BASE).sum()
                + " exceedVersionLimit=" + m.exceedVersionLimit.sum();
        System.out.println("steady state: " + summary);
        assertTrue(loads > 10L * seconds, "the loads kept coming: " + summary);
        assertTrue(maxVersions.get() < 100, "version count reached 100: " + summary);
        assertEquals(0, m.exceedVersionLimit.sum(), summary);
        assertEquals(0, m.compactionFailed.get(NodeMetrics.Kind.CUMULATIVE).sum(), summary);

        long expected = loads * ROWS_PER_LOAD;
        assertEquals(expected, join(node.reads().count(DB, "steady")));
        RowBatch rows = join(node.reads().scan(DB, "steady", Long.MAX_VALUE));
        assertEquals(expected, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            long id = rows.getLong(r, 0);
            assertEquals(r, id, "ids in key order without gaps or duplicates");
            assertEquals("name" + id, rows.text(r, 1));
            assertEquals(id % 1000, rows.getLong(r, 2));
        }
    }
}
