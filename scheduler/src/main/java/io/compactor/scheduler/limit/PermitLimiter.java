package io.compactor.scheduler.limit;

/**
 * Doris's compaction permit limiter ({@code total_permits_for_compaction_score}, default 1000000),
 * without the waiting: a compaction holds permits equal to its score while it runs, so the sum of
 * running scores (a proxy for merge memory) stays bounded. The caller (an actor) queues what
 * {@link #tryAcquire} refuses and retries after a {@link #release}.
 *
 * <p>A request larger than the total is granted only when nothing is in use, so a huge tablet
 * runs alone instead of starving forever. The total may change at runtime; permits already held
 * stay held. Methods are synchronized so gauges may read from another thread.
 */
public final class PermitLimiter {
    private long total;
    private long used;

    /** @param total {@code total_permits_for_compaction_score}, at least 0 */
    public PermitLimiter(long total) {
        setTotal(total);
    }

    /** Grants {@code permits} if they fit (see class doc); never blocks. */
    public synchronized boolean tryAcquire(long permits) {
        if (!canAcquire(permits)) {
            return false;
        }
        used += permits;
        return true;
    }

    /** Whether {@link #tryAcquire} would grant {@code permits} now. */
    public synchronized boolean canAcquire(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0 (got " + permits + ")");
        }
        if (permits > total) {
            return used == 0;
        }
        return used + permits <= total;
    }

    /**
     * Returns permits taken by {@link #tryAcquire}.
     *
     * @throws IllegalStateException if more are released than are in use (a bookkeeping bug)
     */
    public synchronized void release(long permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0 (got " + permits + ")");
        }
        if (permits > used) {
            throw new IllegalStateException("releasing " + permits + " compaction permits but only " + used
                    + " are in use");
        }
        used -= permits;
    }

    /** Permits held by running compactions (Doris gauge {@code compaction_used_permits}). */
    public synchronized long used() {
        return used;
    }

    public synchronized long total() {
        return total;
    }

    /** Permits still free (0 when over-committed after the total was lowered or by an oversized grant). */
    public synchronized long available() {
        return Math.max(0, total - used);
    }

    /** Changes {@code total_permits_for_compaction_score} at runtime. */
    public synchronized void setTotal(long total) {
        if (total < 0) {
            throw new IllegalArgumentException("total_permits_for_compaction_score must be >= 0 (got " + total + ")");
        }
        this.total = total;
    }

    @Override
    public synchronized String toString() {
        return "PermitLimiter{used=" + used + ", total=" + total + "}";
    }
}
