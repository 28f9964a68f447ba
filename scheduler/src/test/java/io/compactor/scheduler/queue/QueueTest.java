package io.compactor.scheduler.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.queue.CandidateQueue.Request;
import io.compactor.storage.util.ManualClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failure back-off and quarantine with a manual clock; candidate ordering and dedupe. */
class QueueTest {
    private static final CompactionType CUMU = CompactionType.CUMULATIVE;
    private final ManualClock clock = new ManualClock(1_000_000);
    private final FailureTracker tracker = new FailureTracker(CompactionConfig.defaults(), clock);

    @Test
    void firstFailureBacksOffForTheSchedDelay() {
        tracker.recordFailure(1, CUMU, "[INTERNAL_ERROR]boom");
        assertFalse(tracker.isEligible(1, CUMU));
        clock.advance(Duration.ofMillis(5000));
        assertFalse(tracker.isEligible(1, CUMU), "eligible only strictly after the delay, as Doris");
        clock.advance(Duration.ofMillis(1));
        assertTrue(tracker.isEligible(1, CUMU));
        assertTrue(tracker.isEligible(1, CompactionType.BASE), "kinds are tracked separately");
    }

    @Test
    void backOffDoublesUpToTheCap() {
        assertEquals(5000, tracker.backoffMs(1));
        assertEquals(10000, tracker.backoffMs(2));
        assertEquals(20000, tracker.backoffMs(3));
        assertEquals(320_000, tracker.backoffMs(7));
        assertEquals(600_000, tracker.backoffMs(8));
        assertEquals(600_000, tracker.backoffMs(100));
        for (int i = 1; i <= 3; i++) {
            FailureTracker.FailureState s = tracker.recordFailure(1, CUMU, "[E-2009]x");
            assertEquals(i, s.consecutiveFailures());
            assertEquals(clock.millis() + tracker.backoffMs(i), s.backoffUntilMs());
        }
    }

    @Test
    void successResetsTheCount() {
        tracker.recordFailure(1, CUMU, "x");
        tracker.recordFailure(1, CUMU, "x");
        tracker.recordSuccess(1, CUMU);
        assertTrue(tracker.isEligible(1, CUMU));
        assertEquals(1, tracker.recordFailure(1, CUMU, "x").consecutiveFailures());
    }

    @Test
    void repeatedFailuresQuarantineUntilASuccess() {
        for (int i = 0; i < 10; i++) {
            tracker.recordFailure(7, CUMU, "[INTERNAL_ERROR]corrupt segment");
        }
        assertTrue(tracker.isQuarantined(7, CUMU));
        clock.advance(Duration.ofDays(1));
        assertFalse(tracker.isEligible(7, CUMU), "a quarantined tablet is never auto-picked");
        assertEquals(1, tracker.quarantinedCount());
        assertEquals(7, tracker.quarantined().get(0).tabletId());
        assertEquals("[INTERNAL_ERROR]corrupt segment", tracker.states(7).get(0).lastStatus());
        tracker.recordSuccess(7, CUMU);
        assertEquals(0, tracker.quarantinedCount());
        assertTrue(tracker.isEligible(7, CUMU));
    }

    @Test
    void quarantineThresholdIsConfigurable() {
        tracker.setConfig(CompactionConfig.defaults().with("compaction_quarantine_failures", 2));
        tracker.recordFailure(3, CUMU, "x");
        assertFalse(tracker.isQuarantined(3, CUMU));
        tracker.recordFailure(3, CUMU, "x");
        assertTrue(tracker.isQuarantined(3, CUMU));
        assertTrue(tracker.releaseQuarantine(3, CUMU));
        assertTrue(tracker.isEligible(3, CUMU));
    }

    @Test
    void noSuitableVersionDelaysWithoutCounting() {
        FailureTracker.FailureState s = tracker.recordNoSuitableVersion(2, CUMU, "[E-2000]_input_rowsets is empty");
        assertEquals(0, s.consecutiveFailures());
        assertFalse(tracker.isEligible(2, CUMU));
        clock.advance(Duration.ofMillis(5001));
        assertTrue(tracker.isEligible(2, CUMU));
        tracker.removeTablet(2);
        assertTrue(tracker.state(2, CUMU).isEmpty());
    }

    private static Request req(long tablet, CompactionType type, long score, boolean manual, long at) {
        return new Request(tablet, type, score, score, manual, at);
    }

    @Test
    void queueOrdersManualThenScoreThenAge() {
        CandidateQueue q = new CandidateQueue();
        q.offer(req(1, CUMU, 10, false, 100));
        q.offer(req(2, CUMU, 50, false, 300));
        q.offer(req(3, CUMU, 50, false, 200));
        q.offer(req(4, CompactionType.FULL, 1, true, 400));
        List<Long> order = q.snapshot().stream().map(Request::tabletId).toList();
        assertEquals(List.of(4L, 3L, 2L, 1L), order);
    }

    @Test
    void queueDeduplicatesPerTabletAndKind() {
        CandidateQueue q = new CandidateQueue();
        assertTrue(q.offer(req(1, CUMU, 10, false, 100)));
        assertFalse(q.offer(req(1, CUMU, 99, true, 200)), "ALREADY_EXIST");
        assertTrue(q.offer(req(1, CompactionType.BASE, 10, false, 100)));
        assertEquals(2, q.size());
        assertEquals(2, q.removeTablet(1));
        assertTrue(q.isEmpty());
        assertTrue(q.offer(req(1, CUMU, 10, false, 100)), "may be queued again once removed");
    }

    @Test
    void pollEligibleSkipsIneligibleRequests() {
        CandidateQueue q = new CandidateQueue();
        q.offer(req(1, CUMU, 90, false, 100));
        q.offer(req(2, CompactionType.BASE, 50, false, 100));
        q.offer(req(3, CUMU, 10, false, 100));
        assertEquals(2, q.pollEligible(r -> r.type() == CompactionType.BASE).orElseThrow().tabletId());
        assertEquals(1, q.pollEligible(r -> true).orElseThrow().tabletId());
        assertTrue(q.pollEligible(r -> r.tabletId() == 9).isEmpty());
        assertEquals(1, q.size());
        assertFalse(q.contains(1, CUMU));
    }

    @Test
    void updatedScoreReordersTheQueue() {
        CandidateQueue q = new CandidateQueue();
        q.offer(req(1, CUMU, 10, false, 100));
        q.offer(req(2, CUMU, 20, false, 100));
        assertTrue(q.update(1, CUMU, 30, 30));
        assertEquals(1, q.peek().orElseThrow().tabletId());
        assertEquals(30, q.peek().orElseThrow().score());
        assertFalse(q.update(5, CUMU, 1, 1));
    }

    @Test
    void closedLanesAreNotWalkedAndTheAnswerIsTheWholeQueuesAnswer() {
        java.util.Random rnd = new java.util.Random(42);
        CandidateQueue q = new CandidateQueue();
        for (int i = 0; i < 2000; i++) {
            CompactionType type = rnd.nextBoolean() ? CUMU : CompactionType.BASE;
            q.offer(new Request(i, rnd.nextInt(5), type, rnd.nextInt(50), 1, rnd.nextInt(20) == 0,
                    rnd.nextInt(1000), rnd.nextInt(10) == 0));
        }
        FairShare shares = new FairShare();
        CandidateQueue.LaneGate baseOnly = (type, manual) -> type == CompactionType.BASE;
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        while (!q.isEmpty()) {
            // Eligible: a base request of an even tablet. The gate closes the cumulative lanes, which hold none.
            java.util.function.Predicate<Request> eligible = r -> r.type() == CompactionType.BASE && r.tabletId() % 2 == 0;
            var expected = walkWholeQueue(q, eligible, shares);
            var got = q.pollEligible(r -> {
                asked.incrementAndGet();
                assertEquals(CompactionType.BASE, r.type(), "a closed lane was walked");
                return eligible.test(r);
            }, shares, baseOnly);
            assertEquals(expected, got);
            if (got.isEmpty()) {
                break;
            }
            shares.started(got.get().tableId());
            shares.finished(got.get().tableId());
        }
        assertEquals(0, q.snapshot().stream().filter(r -> r.type() == CompactionType.BASE && r.tabletId() % 2 == 0)
                .count(), "every eligible request was granted");
        assertTrue(q.size(CUMU) > 0);
        assertEquals(q.size(), q.size(CUMU) + q.size(CompactionType.BASE));
        assertTrue(asked.get() > 0);
    }

    /** The rule written as a walk of the whole queue: manual or urgent first, then tables by fair share. */
    private static java.util.Optional<Request> walkWholeQueue(CandidateQueue q,
                                                              java.util.function.Predicate<Request> eligible,
                                                              FairShare shares) {
        java.util.Map<Long, List<Request>> byTable = new java.util.LinkedHashMap<>();
        for (Request r : q.snapshot()) {
            if (r.manual() || r.urgent()) {
                if (eligible.test(r)) {
                    return java.util.Optional.of(r);
                }
            } else {
                byTable.computeIfAbsent(r.tableId(), t -> new java.util.ArrayList<>()).add(r);
            }
        }
        for (long table : shares.order(byTable.keySet())) {
            if (shares.underCap(table)) {
                for (Request r : byTable.get(table)) {
                    if (eligible.test(r)) {
                        return java.util.Optional.of(r);
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }
}
