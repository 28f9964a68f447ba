package io.compactor.scheduler.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.scheduler.CompactionType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Weighted fair shares between tables in the candidate queue, and per-table caps. */
class FairShareTest {
    private static final long FLOOD = 1;
    private static final long QUIET = 2;

    private static CandidateQueue.Request auto(long tablet, long table, long score) {
        return new CandidateQueue.Request(tablet, table, CompactionType.CUMULATIVE, score, 1, false, tablet);
    }

    /** Grants n requests the way the supervisor does: poll, record the grant, the task ends at once. */
    private static List<Long> grant(CandidateQueue q, FairShare shares, int n) {
        List<Long> tables = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var r = q.pollEligible(x -> true, shares).orElseThrow();
            shares.started(r.tableId());
            shares.finished(r.tableId());
            tables.add(r.tableId());
        }
        return tables;
    }

    @Test
    void aFloodingTableWithHigherScoresCanNotStarveAnotherTable() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        for (long t = 100; t < 200; t++) {
            q.offer(auto(t, FLOOD, 500)); // 100 tablets, all scoring far above the quiet one
        }
        q.offer(auto(900, QUIET, 6));
        List<Long> order = grant(q, shares, 3);
        assertTrue(order.contains(QUIET), "the quiet table is served within its share, not after 100 flood grants: "
                + order);
        // without shares the queue is score order: the quiet table's request would come 101st
        CandidateQueue byScore = new CandidateQueue();
        for (long t = 100; t < 200; t++) {
            byScore.offer(auto(t, FLOOD, 500));
        }
        byScore.offer(auto(900, QUIET, 6));
        assertEquals(900, byScore.snapshot().get(100).tabletId());
    }

    @Test
    void sharesFollowTheWeights() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        shares.configure(FLOOD, FairShare.weightOf("low"), 0);
        shares.configure(QUIET, FairShare.weightOf("high"), 0);
        for (long t = 0; t < 200; t++) {
            q.offer(auto(1000 + t, FLOOD, 50));
            q.offer(auto(5000 + t, QUIET, 5));
        }
        List<Long> order = grant(q, shares, 170);
        long high = order.stream().filter(t -> t == QUIET).count();
        long low = order.size() - high;
        assertEquals(16.0, (double) high / low, 1.0, "high (16) against low (1): " + high + " vs " + low);
    }

    @Test
    void manualRequestsGoFirstWhateverTheShares() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        q.offer(auto(1, FLOOD, 100));
        q.offer(new CandidateQueue.Request(2, QUIET, CompactionType.CUMULATIVE, 1, 1, true, 5));
        assertEquals(2, q.pollEligible(x -> true, shares).orElseThrow().tabletId());
    }

    @Test
    void aTabletNearItsVersionLimitGoesFirstWhateverItsTablesShare() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        shares.configure(FLOOD, FairShare.LOW, 1);
        shares.started(FLOOD); // its share is used up and it is at its cap
        q.offer(auto(1, QUIET, 100));
        q.offer(new CandidateQueue.Request(2, FLOOD, CompactionType.CUMULATIVE, 3, 1, false, 5, true));
        assertEquals(2, q.pollEligible(x -> true, shares).orElseThrow().tabletId());
    }

    @Test
    void aTableAtItsCapWaitsAndTheOthersGoOn() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        shares.configure(FLOOD, FairShare.NORMAL, 2);
        for (long t = 0; t < 5; t++) {
            q.offer(auto(10 + t, FLOOD, 100));
        }
        q.offer(auto(99, QUIET, 1));
        List<Long> tables = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            q.pollEligible(x -> true, shares).ifPresent(r -> {
                shares.started(r.tableId()); // none finishes
                tables.add(r.tableId());
            });
        }
        assertEquals(List.of(FLOOD, QUIET, FLOOD), tables, "two of the capped table, then nothing more of it");
        assertEquals(2, shares.running(FLOOD));
        shares.finished(FLOOD);
        assertEquals(FLOOD, q.pollEligible(x -> true, shares).orElseThrow().tableId());
    }

    @Test
    void anIdleTableBanksNoCredit() {
        CandidateQueue q = new CandidateQueue();
        FairShare shares = new FairShare();
        for (long t = 0; t < 50; t++) {
            q.offer(auto(t, FLOOD, 10));
        }
        grant(q, shares, 40); // the quiet table had nothing to do meanwhile
        for (long t = 0; t < 10; t++) {
            q.offer(auto(1000 + t, QUIET, 10));
        }
        List<Long> order = grant(q, shares, 10);
        long quiet = order.stream().filter(t -> t == QUIET).count();
        assertTrue(quiet >= 4 && quiet <= 6, "back from idle it gets its share, not 40 grants in a row: " + order);
    }

    @Test
    void priorityValuesAreValidated() {
        assertEquals(1, FairShare.weightOf("LOW"));
        assertEquals(4, FairShare.weightOf("normal"));
        assertEquals(16, FairShare.weightOf("high"));
        assertEquals(37, FairShare.weightOf("37"));
        var e = assertThrows(IllegalArgumentException.class, () -> FairShare.weightOf("urgent"));
        assertEquals("compaction_priority must be low, normal, high or a weight from 1 to 100: urgent", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FairShare.weightOf("0"));
        assertThrows(IllegalArgumentException.class, () -> FairShare.weightOf("101"));
    }
}
