package io.compactor.actors.compaction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.compactor.api.NodeMetrics;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.storage.util.ManualClock;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A compaction requested for a tablet whose actor has not reported yet (its table was just
 * created) waits for the tablet's first report instead of answering "Tablet not found"
 * (CompactionApiTest saw it under load); a tablet that never reports is answered not found once
 * {@link EarlySubmits#WAIT_MS} passed (manual clock).
 */
class EarlySubmitTest {
    private final ActorTestKit kit = ActorTestKit.create();
    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final ActorRef<CompactionSupervisor.Command> supervisor = kit.spawn(CompactionSupervisor.create(
            CompactionConfig::defaults, () -> false, clock, new NodeMetrics(), List.of("/d"), 8, id -> false,
            new RunningCompactions()));

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private void report(TestProbe<CompactionSupervisor.Task> probe, long id) {
        supervisor.tell(new CompactionSupervisor.TabletReport(id, "/d", probe.getRef(), probe.getRef(),
                CompactionCandidate.ofScore(CompactionType.CUMULATIVE, 0),
                CompactionCandidate.ofScore(CompactionType.BASE, 0),
                CompactionCandidate.ofScore(CompactionType.FULL, 1), true, false,
                new CompactionSupervisor.Table(1, 4, 0, 1, 1)));
    }

    @Test
    void aRunForATabletThatHasNotReportedYetWaitsForItsFirstReport() {
        TestProbe<Status> reply = kit.createTestProbe();
        supervisor.tell(new CompactionSupervisor.Submit(7, CompactionType.FULL, "MANUAL", true, reply.getRef()));
        reply.expectNoMessage(Duration.ofMillis(300));
        TestProbe<CompactionSupervisor.Task> tablet = kit.createTestProbe();
        report(tablet, 7);
        var run = assertInstanceOf(CompactionSupervisor.RunCompaction.class, tablet.receiveMessage());
        assertEquals(CompactionType.FULL, run.type());
        assertEquals("MANUAL", run.trigger());
        supervisor.tell(new CompactionSupervisor.TaskFinished(run.taskId(), Status.OK, false));
        assertEquals(Status.OK, reply.receiveMessage());
    }

    @Test
    void aTabletThatNeverReportsIsAnsweredNotFoundAfterTheWait() {
        TestProbe<Status> reply = kit.createTestProbe();
        supervisor.tell(new CompactionSupervisor.Submit(8, CompactionType.FULL, "MANUAL", true, reply.getRef()));
        supervisor.tell(new CompactionSupervisor.SubmitSingleReplica(8, "MANUAL", true, reply.getRef()));
        // Both held at the start time before the clock moves (the mailbox is handled in order).
        TestProbe<List<io.compactor.scheduler.queue.FailureTracker.FailureState>> ack = kit.createTestProbe();
        supervisor.tell(new CompactionSupervisor.GetFailures(0, ack.getRef()));
        ack.receiveMessage();
        clock.advance(Duration.ofMillis(EarlySubmits.WAIT_MS - 1));
        reply.expectNoMessage(Duration.ofMillis(1200)); // two ticks: not due yet
        clock.advance(Duration.ofMillis(1));
        for (int i = 0; i < 2; i++) {
            Status s = reply.receiveMessage(Duration.ofSeconds(10));
            assertEquals(StatusCode.NOT_FOUND, s.code(), s::toString);
        }
    }
}
