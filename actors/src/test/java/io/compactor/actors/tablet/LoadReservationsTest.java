package io.compactor.actors.tablet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.util.StatusCode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load reservation protocol on its own, with the races its essay names. No actor system. */
class LoadReservationsTest {
    private final LoadReservations r = new LoadReservations();
    private final List<String> ran = new ArrayList<>();

    private void runAll() {
        r.takeRunnable().forEach(Runnable::run);
    }

    @Test
    void aSecondLoadIsRefusedWhileOneHoldsTheReservationAndMayReserveAfterPublish() {
        assertTrue(r.refusal(7, 100).isEmpty());
        r.reserve(7, 100);
        var refused = r.refusal(7, 101).orElseThrow();
        assertEquals(StatusCode.INTERNAL_ERROR, refused.code());
        assertEquals("tablet 7 is committing txn 100", refused.msg());
        r.publish(7, 100);
        assertTrue(r.refusal(7, 101).isEmpty());
    }

    @Test
    void aCompactionCommitThatArrivesDuringAReservationWaitsForThePublish() {
        r.reserve(7, 100);
        assertTrue(r.deferCompactionCommit(() -> ran.add("commit")), "deferred: the load's marks are not applied yet");
        runAll();
        assertEquals(List.of(), ran, "nothing runs while the load holds the version");
        r.publish(7, 100);
        runAll();
        assertEquals(List.of("commit"), ran);
        assertEquals(0, r.deferred());
    }

    @Test
    void aCompactionCommitWithoutAReservationRunsAtOnce() {
        assertFalse(r.deferCompactionCommit(() -> ran.add("commit")));
        assertEquals(0, r.deferred());
    }

    @Test
    void aPeerInstallDuringAReservationWaitsAndRunsBeforeDeferredCompactionCommits() {
        r.reserve(7, 100);
        assertTrue(r.deferCompactionCommit(() -> ran.add("commit-1")));
        assertTrue(r.deferInstall(() -> ran.add("install")));
        assertTrue(r.deferCompactionCommit(() -> ran.add("commit-2")));
        r.publish(7, 100);
        runAll();
        assertEquals(List.of("install", "commit-1", "commit-2"), ran,
                "installs first, then compaction commits, each in arrival order");
    }

    @Test
    void anAbortOfTheHolderReleasesTheReservationAndRunsDeferredWork() {
        r.reserve(7, 100);
        r.deferInstall(() -> ran.add("install"));
        r.abort(100);
        assertFalse(r.isReserved());
        runAll();
        assertEquals(List.of("install"), ran);
    }

    @Test
    void aLateAbortOfAnotherLoadNeverFreesTheHoldersReservation() {
        r.reserve(7, 100);
        r.publish(7, 100);
        r.reserve(7, 101);
        r.deferInstall(() -> ran.add("install"));
        r.abort(100); // the earlier load, already published: its abort arrives late
        r.abort(-1); // a staged load that never reserved
        assertTrue(r.isReserved());
        assertEquals(101, r.holder());
        runAll();
        assertEquals(List.of(), ran, "the install still waits for txn 101");
        r.publish(7, 101);
        runAll();
        assertEquals(List.of("install"), ran);
    }

    @Test
    void aPublishWithoutItsReservationFailsLoudly() {
        r.reserve(7, 100);
        var e = assertThrows(IllegalStateException.class, () -> r.publish(7, 101));
        assertEquals("tablet 7: publish of txn 101 without its reservation (reserved: 100)", e.getMessage());
        assertTrue(r.isReserved(), "the holder keeps its reservation");
        r.abort(100);
        assertThrows(IllegalStateException.class, () -> r.publish(7, 100), "an abort followed by a publish is a bug");
    }

    @Test
    void deferredWorkThatRunsAfterANewReservationWaitsAgain() {
        r.reserve(7, 100);
        r.deferCompactionCommit(() -> ran.add("commit"));
        r.publish(7, 100);
        r.reserve(7, 101); // the next load reserved before the deferred work was taken
        assertEquals(List.of(), r.takeRunnable());
        r.publish(7, 101);
        runAll();
        assertEquals(List.of("commit"), ran);
    }
}
