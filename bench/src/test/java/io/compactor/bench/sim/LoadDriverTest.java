package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The driver's schedule under a fake clock: it stops offering at the deadline whatever the node does. */
class LoadDriverTest {
    private static final long MS = 1_000_000L;

    /** A clock that only moves when the driver sleeps or the fake node "works". */
    static final class FakeTicker implements Ticker {
        final AtomicLong now = new AtomicLong(1_000 * MS);

        @Override
        public long nanoTime() {
            return now.get();
        }

        @Override
        public void sleepNanos(long nanos) {
            if (nanos > 0) {
                now.addAndGet(nanos);
            }
        }
    }

    private static Workload.Load load(long n) {
        return new Workload.Load("t", ("" + n).getBytes(StandardCharsets.US_ASCII), 1, null);
    }

    /** A node that takes {@code latencyMs} of fake time per load and answers Success. */
    private static LoadTransport node(FakeTicker clock, long latencyMs, List<Long> sentAt) {
        return (table, body, headers) -> {
            sentAt.add(clock.nanoTime());
            clock.now.addAndGet(latencyMs * MS);
            return new LoadTransport.Answer(LoadStats.Outcome.SUCCESS, "OK");
        };
    }

    @Test
    void aNodeSlowerThanTheRateGetsNoLoadAfterTheDeadlineAndDidNotKeepUp() throws Exception {
        FakeTicker clock = new FakeTicker();
        List<Long> sentAt = new ArrayList<>();
        LoadStats stats = new LoadStats();
        long start = clock.nanoTime();
        LoadDriver driver = new LoadDriver(node(clock, 100, sentAt), "l", stats, start, clock, Duration.ofSeconds(30));

        // 50 loads/s offered for 2 s; the node needs 100 ms per load, so one client manages 10/s.
        LoadDriver.Phase phase = driver.run(1, 50, 2_000 * MS, LoadDriverTest::load);

        assertEquals(100, phase.offered(), "rate x duration loads came due");
        assertEquals(20, phase.sent(), "one load per 100 ms of the 2 s, then offering stops");
        assertEquals(20, sentAt.size());
        for (long t : sentAt) {
            assertTrue(t < start + 2_000 * MS, "a load was sent after the deadline, at +" + (t - start) / MS + " ms");
        }
        assertEquals(20, phase.achieved());
        assertEquals(0, phase.abandoned());
        assertEquals(100, driver.offeredSoFar());
        KeepUp verdict = KeepUp.judge(driver.phases(), List.of(), start);
        assertFalse(verdict.keptUp());
        assertEquals("offered_loads_per_s=50.00 achieved_loads_per_s=10.00 kept_up=no", verdict.fields());
    }

    @Test
    void aNodeFasterThanTheRateGetsEveryOfferedLoadAndKeptUp() throws Exception {
        FakeTicker clock = new FakeTicker();
        List<Long> sentAt = new ArrayList<>();
        long start = clock.nanoTime();
        LoadDriver driver = new LoadDriver(node(clock, 5, sentAt), "l", new LoadStats(), start, clock,
                Duration.ofSeconds(30));

        LoadDriver.Phase phase = driver.run(1, 50, 2_000 * MS, LoadDriverTest::load);

        assertEquals(100, phase.offered());
        assertEquals(100, phase.sent());
        assertEquals(100, phase.achieved());
        for (int i = 0; i < sentAt.size(); i++) {
            assertEquals(start + i * 20 * MS, sentAt.get(i), "load " + i + " goes out when it is due");
        }
        KeepUp verdict = KeepUp.judge(driver.phases(), List.of(), start);
        assertTrue(verdict.keptUp(), verdict.reason());
        assertEquals("offered_loads_per_s=50.00 achieved_loads_per_s=50.00 kept_up=yes", verdict.fields());
    }

    @Test
    void aLoadStillInFlightAfterTheDrainIsAbandonedAndNotRecorded() throws Exception {
        FakeTicker clock = new FakeTicker();
        LoadStats stats = new LoadStats();
        CountDownLatch never = new CountDownLatch(1);
        AtomicLong calls = new AtomicLong();
        LoadTransport stuck = (table, body, headers) -> {
            calls.incrementAndGet();
            // the node hangs: fake time runs past the deadline and the whole drain
            clock.now.addAndGet(60_000 * MS);
            try {
                never.await();
            } catch (InterruptedException e) {
                return new LoadTransport.Answer(LoadStats.Outcome.ERROR, "interrupted");
            }
            return new LoadTransport.Answer(LoadStats.Outcome.SUCCESS, "OK");
        };
        LoadDriver driver = new LoadDriver(stuck, "l", stats, clock.nanoTime(), clock, Duration.ofSeconds(30));

        LoadDriver.Phase phase = driver.run(1, 10, 1_000 * MS, LoadDriverTest::load);

        assertEquals(1, calls.get());
        assertEquals(1, phase.sent());
        assertEquals(1, phase.abandoned());
        assertEquals(0, phase.achieved());
        assertEquals(0, stats.total(), "an abandoned load's outcome is unknown, so it is not recorded");
    }

    @Test
    void aCountedPhaseSendsEveryLoadHoweverSlowTheNode() throws Exception {
        FakeTicker clock = new FakeTicker();
        List<Long> sentAt = new ArrayList<>();
        LoadStats stats = new LoadStats();
        long start = clock.nanoTime();
        LoadDriver driver = new LoadDriver(node(clock, 100, sentAt), "l", stats, start, clock, Duration.ofSeconds(30));

        // 50 loads/s offered, the node needs 100 ms per load: by count, no load is skipped.
        LoadDriver.Phase phase = driver.runCount(1, 50, 30, LoadDriverTest::load);

        assertEquals(30, phase.offered());
        assertEquals(30, phase.sent());
        assertEquals(30, phase.achieved());
        assertEquals(0, phase.abandoned());
        assertEquals(30, stats.total());
        assertEquals(3.0, phase.seconds(), 1e-9, "30 loads of 100 ms each");
        assertEquals(30, driver.offeredSoFar());
    }

    @Test
    void dueCountIsTheLoadsScheduledBeforeTheDeadline() {
        assertEquals(100, LoadDriver.dueCount(2_000 * MS, 1e9 / 50));
        assertEquals(1, LoadDriver.dueCount(1, 1e9));
        assertEquals(24_000, LoadDriver.dueCount(120_000 * MS, 1e9 / 200));
        assertEquals(4, LoadDriver.dueCount(1_000 * MS, 1e9 / 3.5));
    }

    @Test
    void versionsRisingInTheLastQuarterCountAsGrowing() {
        List<Sample> flat = new ArrayList<>();
        List<Sample> rising = new ArrayList<>();
        for (int t = 0; t <= 40; t++) {
            flat.add(sample(t, 10 + t % 3));
            rising.add(sample(t, 10 + t));
        }
        assertFalse(KeepUp.growing(flat, 0, 40));
        assertTrue(KeepUp.growing(rising, 0, 40));
        assertFalse(KeepUp.growing(rising.subList(0, 2), 0, 40), "too few samples to tell");
    }

    private static Sample sample(double t, long maxVersions) {
        return new Sample(t, 0, 0, 0, 0, 0, 0, 0, 0, maxVersions, maxVersions, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0);
    }
}
