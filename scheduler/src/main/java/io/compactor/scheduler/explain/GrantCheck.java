package io.compactor.scheduler.explain;

import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.limit.CompactionExclusion;
import io.compactor.scheduler.limit.ConcurrencyLimits;
import io.compactor.scheduler.limit.DataDirSlots;
import io.compactor.scheduler.limit.PermitLimiter;
import io.compactor.scheduler.queue.CandidateQueue;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.scheduler.queue.FairShare;
import java.util.Locale;
import java.util.Set;

/**
 * The one rule that says whether a waiting (local) compaction request may be granted now and, if
 * not, what holds it. The supervisor grants by it and explain answers by it, so an explanation can
 * never disagree with what the scheduler does. Checks run in a fixed order and the first that holds
 * is the answer: for automatic requests node-wide and table auto compaction, quarantine, back-off
 * and single-replica followership; then for every request the tablet's own running compactions
 * ({@link CompactionExclusion}), the kind's thread limit, the data dir's slots and the permits; last,
 * for automatic requests, the table's cap.
 */
public final class GrantCheck {
    private GrantCheck() {
    }

    /** What holds a request (NONE: nothing, it can start). */
    public enum Hold {
        NONE, NODE_AUTO_COMPACTION_DISABLED, TABLE_AUTO_COMPACTION_DISABLED, QUARANTINED, BACK_OFF,
        SINGLE_REPLICA_FOLLOWER, TABLET_BUSY, KIND_THREAD_LIMIT, DATA_DIR_SLOTS, PERMITS, TABLE_CAP;

        /** The JSON name, e.g. "data_dir_slots". */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The answer: what holds the request and why, in words with the numbers.
     *
     * @param waitLeftMs time until the hold ends by itself (a back-off), else 0
     */
    public record Verdict(Hold hold, String reason, long waitLeftMs) {
        public boolean grantable() {
            return hold == Hold.NONE;
        }

        static Verdict of(Hold hold, String reason) {
            return new Verdict(hold, reason, 0);
        }
    }

    /** The node's ledgers, owned by the supervisor. */
    public record Ledgers(ConcurrencyLimits limits, DataDirSlots slots, PermitLimiter permits, FailureTracker failures,
                          FairShare shares) {
    }

    /**
     * The request's tablet as the supervisor knows it.
     *
     * @param running     local compaction kinds running on it now
     * @param fetching    whether a single-replica fetch of it runs
     * @param tableAuto   its table's auto compaction (not {@code disable_auto_compaction})
     * @param follower    its replica is a single-replica follower (it fetches, never merges itself)
     */
    public record Tablet(String dataDir, Set<CompactionType> running, boolean fetching, boolean tableAuto,
                         boolean follower) {
    }

    /** Whether {@code req} can be granted now, else what holds it. */
    public static Verdict check(CandidateQueue.Request req, Tablet t, boolean nodeAuto, Ledgers l, long nowMs) {
        CompactionType type = req.type();
        if (!req.manual()) {
            if (!nodeAuto) {
                return Verdict.of(Hold.NODE_AUTO_COMPACTION_DISABLED,
                        "auto compaction is disabled on this node (disable_auto_compaction = true)");
            }
            if (!t.tableAuto()) {
                return Verdict.of(Hold.TABLE_AUTO_COMPACTION_DISABLED,
                        "auto compaction is disabled for table " + req.tableId()
                                + " (table property disable_auto_compaction = true)");
            }
            var failure = l.failures().state(req.tabletId(), type);
            if (failure.isPresent() && failure.get().quarantined()) {
                var f = failure.get();
                return Verdict.of(Hold.QUARANTINED, "quarantined after " + f.consecutiveFailures()
                        + " consecutive failures (last: " + f.lastStatus()
                        + "); only a manual compaction that succeeds releases it");
            }
            if (failure.isPresent() && nowMs <= failure.get().backoffUntilMs()) {
                var f = failure.get();
                long left = f.backoffUntilMs() - nowMs + 1;
                return new Verdict(Hold.BACK_OFF, "backing off after " + f.consecutiveFailures()
                        + " consecutive failure(s) (last: " + f.lastStatus() + "), " + left + " ms left", left);
            }
            if (t.follower()) {
                return Verdict.of(Hold.SINGLE_REPLICA_FOLLOWER, "a single-replica follower: it fetches the designated"
                        + " replica's output instead of compacting locally");
            }
        }
        if (!CompactionExclusion.allows(type, t.running(), t.fetching())) {
            return Verdict.of(Hold.TABLET_BUSY, "the tablet runs " + (t.fetching() ? "a single-replica fetch"
                    : kinds(t.running()) + " compaction") + ", which excludes " + type.dorisName());
        }
        if (!l.limits().canStart(type)) {
            String key = type == CompactionType.CUMULATIVE ? "max_cumu_compaction_threads"
                    : "max_base_compaction_threads";
            int busy = type.usesBasePool()
                    ? l.limits().running(CompactionType.BASE) + l.limits().running(CompactionType.FULL)
                    : l.limits().running(type);
            return Verdict.of(Hold.KIND_THREAD_LIMIT, type.dorisName() + " threads all busy: " + busy + " of "
                    + l.limits().limit(type) + " running (" + key + (type.usesBasePool() ? ", base and full share it)" : ")"));
        }
        if (!l.slots().canStart(t.dataDir(), type)) {
            int used = l.slots().executing(t.dataDir());
            int all = l.slots().slots(t.dataDir());
            return Verdict.of(Hold.DATA_DIR_SLOTS, "data dir " + t.dataDir() + " has " + used + " of " + all
                    + " compaction slots in use (compaction_task_num_per_disk"
                    + (used < all ? "; the last slot is kept for cumulative)" : ")"));
        }
        if (!l.permits().canAcquire(req.permits())) {
            return Verdict.of(Hold.PERMITS, "needs " + req.permits() + " permits, " + l.permits().available() + " of "
                    + l.permits().total() + " free (total_permits_for_compaction_score)");
        }
        if (!req.manual() && !l.shares().underCap(req.tableId())) {
            return Verdict.of(Hold.TABLE_CAP, "table " + req.tableId() + " already runs " + l.shares().running(req.tableId())
                    + " compaction(s), its cap (table property compaction_concurrency_limit = "
                    + l.shares().cap(req.tableId()) + ")");
        }
        return Verdict.of(Hold.NONE, "nothing holds it: it starts at the next dispatch");
    }

    private static String kinds(Set<CompactionType> running) {
        StringBuilder sb = new StringBuilder();
        for (CompactionType k : running) {
            sb.append(sb.length() == 0 ? "" : " and ").append(k.dorisName());
        }
        return sb.toString();
    }
}
