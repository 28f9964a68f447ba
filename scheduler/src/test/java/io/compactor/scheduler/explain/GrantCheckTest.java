package io.compactor.scheduler.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.ConcurrencyLimits;
import io.compactor.scheduler.limit.DataDirSlots;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.policy.CompactionCandidate;
import io.compactor.scheduler.policy.Refusal;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.scheduler.queue.FairShare;
import io.compactor.storage.util.StatusCode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each thing that can hold a request is named, with its numbers, in the order the supervisor checks them. */
class GrantCheckTest {
    private static final String DIR = "/data/1";
    private static final long NOW = 1_000_000;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private final CompactionConfig config = CompactionConfig.defaults().with("compaction_quarantine_failures", 3);
    private final ConcurrencyLimits limits = new ConcurrencyLimits(1, 2);
    private final DataDirSlots slots = new DataDirSlots();
    private final PermitLimiter permits = new PermitLimiter(100);
    private final FailureTracker failures = new FailureTracker(config, clock);
    private final FairShare shares = new FairShare();
    private final GrantCheck.Ledgers ledgers = new GrantCheck.Ledgers(limits, slots, permits, failures, shares);

    GrantCheckTest() {
        slots.setSlots(DIR, 3);
    }

    private static CandidateQueue.Request req(long permits) {
        return new CandidateQueue.Request(7, 70, CompactionType.CUMULATIVE, 10, permits, false, 0);
    }

    private static GrantCheck.Tablet tablet(Set<CompactionType> running, boolean tableAuto) {
        return new GrantCheck.Tablet(DIR, running, false, tableAuto, false);
    }

    private GrantCheck.Verdict check(CandidateQueue.Request r) {
        return GrantCheck.check(r, tablet(Set.of(), true), true, ledgers, NOW);
    }

    @Test
    void nothingHoldsAFreshRequest() {
        assertTrue(check(req(10)).grantable());
    }

    @Test
    void disabledAutoCompactionHoldsAutomaticRequestsOnly() {
        var node = GrantCheck.check(req(1), tablet(Set.of(), true), false, ledgers, NOW);
        assertEquals(GrantCheck.Hold.NODE_AUTO_COMPACTION_DISABLED, node.hold());
        var table = GrantCheck.check(req(1), tablet(Set.of(), false), true, ledgers, NOW);
        assertEquals(GrantCheck.Hold.TABLE_AUTO_COMPACTION_DISABLED, table.hold());
        assertEquals("auto compaction is disabled for table 70 (table property disable_auto_compaction = true)",
                table.reason());
        var manual = new CandidateQueue.Request(7, 70, CompactionType.CUMULATIVE, 10, 1, true, 0);
        assertTrue(GrantCheck.check(manual, tablet(Set.of(), false), false, ledgers, NOW).grantable());
    }

    @Test
    void backOffThenQuarantineWithTheTimeLeft() {
        failures.recordFailure(7, CompactionType.CUMULATIVE, "[INTERNAL_ERROR]disk on fire");
        var v = check(req(1));
        assertEquals(GrantCheck.Hold.BACK_OFF, v.hold());
        assertEquals(5001, v.waitLeftMs());
        assertEquals("backing off after 1 consecutive failure(s) (last: [INTERNAL_ERROR]disk on fire), 5001 ms left",
                v.reason());
        failures.recordFailure(7, CompactionType.CUMULATIVE, "x");
        failures.recordFailure(7, CompactionType.CUMULATIVE, "[INTERNAL_ERROR]third");
        var q = check(req(1));
        assertEquals(GrantCheck.Hold.QUARANTINED, q.hold());
        assertTrue(q.reason().startsWith("quarantined after 3 consecutive failures (last: [INTERNAL_ERROR]third)"));
    }

    @Test
    void limitsInTheOrderTheyAreChecked() {
        var busy = GrantCheck.check(req(1), tablet(EnumSet.of(CompactionType.FULL), true), true, ledgers, NOW);
        assertEquals(GrantCheck.Hold.TABLET_BUSY, busy.hold());

        limits.started(CompactionType.CUMULATIVE);
        slots.started(DIR, CompactionType.CUMULATIVE);
        permits.tryAcquire(95);
        var perm = check(req(10));
        assertEquals(GrantCheck.Hold.PERMITS, perm.hold());
        assertEquals("needs 10 permits, 5 of 100 free (total_permits_for_compaction_score)", perm.reason());

        var base = new CandidateQueue.Request(8, 70, CompactionType.BASE, 10, 1, false, 0);
        slots.finished(DIR, CompactionType.CUMULATIVE);
        slots.started(DIR, CompactionType.BASE);
        slots.started(DIR, CompactionType.BASE);
        var reserved = GrantCheck.check(base, tablet(Set.of(), true), true, ledgers, NOW);
        assertEquals(GrantCheck.Hold.DATA_DIR_SLOTS, reserved.hold());
        assertEquals("data dir /data/1 has 2 of 3 compaction slots in use (compaction_task_num_per_disk; the last slot"
                + " is kept for cumulative)", reserved.reason());
        slots.started(DIR, CompactionType.CUMULATIVE);
        var full = check(req(1));
        assertEquals(GrantCheck.Hold.DATA_DIR_SLOTS, full.hold());
        assertEquals("data dir /data/1 has 3 of 3 compaction slots in use (compaction_task_num_per_disk)", full.reason());

        limits.started(CompactionType.CUMULATIVE);
        var threads = check(req(1));
        assertEquals(GrantCheck.Hold.KIND_THREAD_LIMIT, threads.hold());
        assertEquals("cumulative threads all busy: 2 of 2 running (max_cumu_compaction_threads)", threads.reason());
    }

    @Test
    void aTableAtItsCap() {
        shares.configure(70, FairShare.LOW, 1);
        shares.started(70);
        var v = check(req(1));
        assertEquals(GrantCheck.Hold.TABLE_CAP, v.hold());
        assertEquals("table 70 already runs 1 compaction(s), its cap (table property compaction_concurrency_limit = 1)",
                v.reason());
    }

    @Test
    void explainNamesANoSuitableVersionRefusalAndAParkedPick() {
        Refusal e808 = new Refusal(CompactionType.BASE, "base", 7, StatusCode.BE_NO_SUITABLE_VERSION,
                "base compaction no suitable version", "2 rowsets below the cumulative point", 5, false);
        var facts = new ExplainReasons.Facts(CompactionType.BASE, new CompactionCandidate(CompactionType.BASE, 3, 1,
                e808), 0, 0, 0, false, "[E-808]base compaction no suitable version", 42_000,
                check(new CandidateQueue.Request(7, 70, CompactionType.BASE, 3, 1, false, 0)));
        KindExplain k = ExplainReasons.kind(facts);
        assertEquals("parked", k.state());
        assertEquals("refusal", k.decision());
        assertEquals("E-808", k.decisionCode());
        assertEquals(42_000, k.waitLeftMs());
        assertTrue(k.why().startsWith("its last pick found nothing to compact: [E-808]base compaction no suitable"
                + " version; it is picked again when its score changes, or in 42000 ms"), k.why());
    }

    @Test
    void explainOfAQueuedRequestNamesItsPlaceAndItsHold() {
        permits.tryAcquire(100);
        var facts = new ExplainReasons.Facts(CompactionType.CUMULATIVE,
                CompactionCandidate.ofScore(CompactionType.CUMULATIVE, 10), 0, 2, 5, false, null, 0, check(req(10)));
        KindExplain k = ExplainReasons.kind(facts);
        assertEquals("queued", k.state());
        assertEquals("permits", k.hold());
        assertEquals("queued 2nd of 5; waiting: needs 10 permits, 0 of 100 free (total_permits_for_compaction_score)",
                k.why());
    }
}
