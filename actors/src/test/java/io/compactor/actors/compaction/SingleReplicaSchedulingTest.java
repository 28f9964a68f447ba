package io.compactor.actors.compaction;

import io.compactor.storage.util.StatusCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.compactor.api.NodeMetrics;
import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.storage.util.ManualClock;
import io.compactor.storage.util.Status;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How the supervisor schedules single-replica followers (Doris's section 6): a follower gets fetch
 * tasks, never local cumulative/base compaction; a failed fetch waits 5 s and a CANCELLED one 10 s
 * (manual clock); fetches are bounded by {@code max_single_replica_compaction_threads}; asynchronous
 * submissions become fetches while a waiting manual run compacts locally; once the replica is no
 * longer a follower it compacts locally.
 */
class SingleReplicaSchedulingTest {
    private static final Duration NONE = Duration.ofMillis(700);
    private final ActorTestKit kit = ActorTestKit.create();
    private final ManualClock clock = new ManualClock(1_800_000_000_000L);
    private final NodeMetrics metrics = new NodeMetrics();
    private final Set<Long> followers = ConcurrentHashMap.newKeySet();
    private final AtomicReference<CompactionConfig> config = new AtomicReference<>(CompactionConfig.defaults());
    private final java.util.concurrent.atomic.AtomicBoolean autoDisabled = new java.util.concurrent.atomic.AtomicBoolean();
    private ActorRef<CompactionSupervisor.Command> supervisor;

    @BeforeEach
    void start() {
        supervisor = kit.spawn(CompactionSupervisor.create(config::get, autoDisabled::get, clock, metrics, List.of("/d"), 8,
                followers::contains, new RunningCompactions()));
    }

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private TestProbe<CompactionSupervisor.Task> tablet(long id, long cumu, long base, boolean singleReplica) {
        TestProbe<CompactionSupervisor.Task> probe = kit.createTestProbe();
        report(probe, id, cumu, base, singleReplica);
        return probe;
    }

    private void report(TestProbe<CompactionSupervisor.Task> probe, long id, long cumu, long base, boolean singleReplica) {
        supervisor.tell(new CompactionSupervisor.TabletReport(id, "/d", probe.getRef(), probe.getRef(),
                CompactionCandidate.ofScore(CompactionType.CUMULATIVE, cumu),
                CompactionCandidate.ofScore(CompactionType.BASE, base),
                CompactionCandidate.ofScore(CompactionType.FULL, cumu + base), true, singleReplica,
                new CompactionSupervisor.Table(1, 4, 0, (int) (cumu + base), cumu + base)));
    }

    /** Ends a task and waits until the supervisor took it back (before the test moves the clock). */
    private void finish(long taskId, Status status) {
        supervisor.tell(new CompactionSupervisor.TaskFinished(taskId, status, false));
        sync();
    }

    private TestProbe<List<io.compactor.scheduler.queue.FailureTracker.FailureState>> ack;

    /** A probe for a round trip through the supervisor's mailbox (messages are handled in order). */
    private TestProbe<List<io.compactor.scheduler.queue.FailureTracker.FailureState>> ackProbe() {
        if (ack == null) {
            ack = kit.createTestProbe();
        }
        return ack;
    }

    /** Waits until the supervisor handled everything sent so far. */
    private void sync() {
        supervisor.tell(new CompactionSupervisor.GetFailures(0, ackProbe().getRef()));
        ack.receiveMessage();
    }

    @Test
    void aFollowerFetchesAndNeverCompactsLocallyWithDorisBackOffs() {
        followers.add(1L);
        TestProbe<CompactionSupervisor.Task> t = tablet(1, 10, 6, true);
        var run = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, t.receiveMessage());
        t.expectNoMessage(NONE);
        assertEquals(1, metrics.running.get(NodeMetrics.Kind.SINGLE_REPLICA).get());
        assertEquals(0, metrics.running.get(NodeMetrics.Kind.CUMULATIVE).get());

        // No matching versions: CANCELLED skips 10 s, however often the score changes.
        finish(run.taskId(), new Status(StatusCode.CANCELLED, "no matched versions for single replica compaction"));
        report(t, 1, 11, 6, true);
        sync();
        clock.advance(Duration.ofSeconds(9));
        t.expectNoMessage(NONE);
        clock.advance(Duration.ofSeconds(2));
        run = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, t.receiveMessage());

        // A failure (peer unreachable) waits 5 s.
        finish(run.taskId(), new Status(StatusCode.INTERNAL_ERROR, "designated peer is unreachable"));
        clock.advance(Duration.ofSeconds(4));
        t.expectNoMessage(NONE);
        clock.advance(Duration.ofSeconds(2));
        run = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, t.receiveMessage());

        // The designated replica left: this one is designated now and compacts locally.
        followers.remove(1L);
        finish(run.taskId(), Status.OK);
        assertEquals(0, metrics.running.get(NodeMetrics.Kind.SINGLE_REPLICA).get());
        report(t, 1, 12, 6, true);
        var local = assertInstanceOf(CompactionSupervisor.RunCompaction.class, t.receiveMessage());
        assertEquals(CompactionType.CUMULATIVE, local.type());
    }

    @Test
    void fetchesAreBoundedByTheirOwnThreadLimit() {
        config.set(config.get().with("max_single_replica_compaction_threads", 2));
        autoDisabled.set(true);
        for (long id = 1; id <= 4; id++) {
            followers.add(id);
        }
        var probes = List.of(tablet(1, 5, 0, true), tablet(2, 6, 0, true), tablet(3, 7, 0, true),
                tablet(4, 8, 0, true));
        // A local tablet is not held up by them.
        TestProbe<CompactionSupervisor.Task> local = tablet(5, 3, 0, false);
        sync();
        autoDisabled.set(false);
        supervisor.tell(CompactionSupervisor.ConfigChanged.INSTANCE);
        assertInstanceOf(CompactionSupervisor.RunCompaction.class, local.receiveMessage());
        // Highest scores first: 4 and 3.
        var r4 = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, probes.get(3).receiveMessage());
        assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, probes.get(2).receiveMessage());
        probes.get(1).expectNoMessage(NONE);
        probes.get(0).expectNoMessage(Duration.ZERO);
        assertEquals(2, metrics.runningMax.get(NodeMetrics.Kind.SINGLE_REPLICA).get());
        finish(r4.taskId(), Status.OK);
        assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, probes.get(1).receiveMessage());
        assertEquals(2, metrics.runningMax.get(NodeMetrics.Kind.SINGLE_REPLICA).get());
    }

    @Test
    void asynchronousSubmissionsOfAFollowerFetchWhileAWaitingManualRunCompactsLocally() {
        followers.add(1L);
        TestProbe<CompactionSupervisor.Task> t = tablet(1, 0, 0, true);
        TestProbe<Status> reply = kit.createTestProbe();
        // A load near the version limit (or a table_id run) does not wait: on a follower it fetches.
        supervisor.tell(new CompactionSupervisor.Submit(1, CompactionType.CUMULATIVE, "LOAD_VERSION_LIMIT", false,
                reply.getRef()));
        assertEquals(Status.OK, reply.receiveMessage());
        var run = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, t.receiveMessage());
        assertEquals("LOAD_VERSION_LIMIT", run.trigger());
        finish(run.taskId(), Status.OK);
        // A manual tablet_id run waits for its result and compacts locally, as Doris's HTTP thread does.
        supervisor.tell(new CompactionSupervisor.Submit(1, CompactionType.BASE, "MANUAL", true, reply.getRef()));
        var local = assertInstanceOf(CompactionSupervisor.RunCompaction.class, t.receiveMessage());
        assertEquals(CompactionType.BASE, local.type());
        finish(local.taskId(), Status.OK);
        assertEquals(Status.OK, reply.receiveMessage());
        // remote=true: a fetch, through the same queue, answered with its status.
        supervisor.tell(new CompactionSupervisor.SubmitSingleReplica(1, "MANUAL", true, reply.getRef()));
        run = assertInstanceOf(CompactionSupervisor.RunSingleReplica.class, t.receiveMessage());
        Status cancelled = new Status(StatusCode.CANCELLED, "no matched versions for single replica compaction");
        finish(run.taskId(), cancelled);
        assertEquals(cancelled, reply.receiveMessage());
    }
}
