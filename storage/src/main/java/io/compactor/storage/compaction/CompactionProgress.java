package io.compactor.storage.compaction;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The live state of one granted compaction, shared by the thread that merges (it counts), the
 * tablet actor (it commits) and anyone who looks or cancels (HTTP, the dashboard, an embedding
 * program), as ClickHouse's {@code system.merges} row is. Thread-safe and lock-free.
 *
 * <p><b>Work and percent.</b> The work of a merge is the rows it reads from its sources: the input
 * rows once for a horizontal merge, once per column group for a vertical one (every group pass
 * re-reads every input row), plus one unit for the commit. So the percent only grows (the rows
 * read only grow and the total is fixed when the merge starts), stays below 100 while anything is
 * left, and is 100 exactly when the commit is durable ({@link #committed()}).
 *
 * <p><b>Cancel against commit.</b> The state moves {@code GRANTED -> MERGING -> COMMITTING ->
 * COMMITTED}, or to {@code CANCELLED} or {@code FAILED}. {@link #cancel} and {@link #beginCommit}
 * are compare-and-set transitions: exactly one of them wins. A cancel that wins before the commit
 * began means nothing is committed (the merge stops at its next checkpoint, every few thousand
 * rows, and deletes its output, or the actor discards an output that was already complete); a
 * cancel that comes after {@code beginCommit} answers false and changes nothing.
 */
public final class CompactionProgress {

    /** Where a compaction is. */
    public enum State { GRANTED, MERGING, COMMITTING, COMMITTED, CANCELLED, FAILED }

    /**
     * What a compaction merges, known when its merge starts.
     *
     * @param rowsets  input rowsets
     * @param versions input version range, e.g. "[2-9]"
     * @param rows     input rows (as the rowsets' metadata promise; the merge checks it)
     * @param bytes    input bytes
     */
    public record Inputs(int rowsets, String versions, long rows, long bytes) {
    }

    /**
     * A consistent look at a compaction at one moment.
     *
     * @param percent      0..100, one decimal, rounded down; 100 only once committed
     * @param bytesRead    input bytes in proportion to the rows read (pages are not counted one by one)
     * @param bytesWritten bytes of output written so far, pages being filled included
     * @param rowsPerSecond rows read per second of merging
     * @param etaMs        time left at the rate so far, -1 while unknown
     * @param group        column group in progress (1 = the key group), 0 for a horizontal merge
     * @param groups       column groups of a vertical merge, 0 for a horizontal one
     */
    public record Snapshot(long taskId, long tabletId, long tableId, String type, String trigger, State state,
                           Inputs inputs, long rowsRead, long bytesRead, long rowsWritten, long bytesWritten,
                           double percent, double rowsPerSecond, long grantedAtMs, long startedAtMs,
                           long elapsedMs, long etaMs, int group, int groups, String thread, String cancelledBy,
                           long cancelledAtMs) {
    }

    private record Cancel(String by, long atMs) {
    }

    private final long taskId;
    private final long tabletId;
    private final long tableId;
    private final String type;
    private final String trigger;
    private final long grantedAtMs;
    private final LongSupplier clock;
    private final AtomicReference<State> state = new AtomicReference<>(State.GRANTED);
    private final AtomicLong rowsRead = new AtomicLong();
    private final AtomicLong rowsWritten = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private volatile Inputs inputs;
    private volatile int passes = 1;
    private volatile int groups;
    private volatile int group;
    private volatile long startedAtMs;
    private volatile String thread = "";
    private final AtomicReference<Cancel> cancel = new AtomicReference<>();
    private volatile BooleanSupplier hold = () -> false;

    /**
     * @param type  "cumulative", "base" or "full"
     * @param clock epoch milliseconds (the node's clock)
     */
    public CompactionProgress(long taskId, long tabletId, long tableId, String type, String trigger,
                              LongSupplier clock) {
        this.taskId = taskId;
        this.tabletId = tabletId;
        this.tableId = tableId;
        this.type = Objects.requireNonNull(type, "type");
        this.trigger = Objects.requireNonNull(trigger, "trigger");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.grantedAtMs = clock.getAsLong();
    }

    /** A progress nobody watches or cancels (tools, benchmarks, tests of the merge alone). */
    public static CompactionProgress untracked(long tabletId, String type) {
        return new CompactionProgress(0, tabletId, 0, type, "UNTRACKED", System::currentTimeMillis);
    }

    public long taskId() {
        return taskId;
    }

    public long tabletId() {
        return tabletId;
    }

    public String type() {
        return type;
    }

    public State state() {
        return state.get();
    }

    /** Input rows read so far, over all passes. */
    public long rowsRead() {
        return rowsRead.get();
    }

    /**
     * Makes the merge wait at its next checkpoint while {@code hold} answers true (debug point
     * {@code compaction.merge.hold}: a test holds a compaction in the middle of its merge). A
     * cancel still ends the wait.
     */
    public void holdWhile(BooleanSupplier hold) {
        this.hold = Objects.requireNonNull(hold, "hold");
    }

    /** The inputs are known: the merge starts, with {@code passes} reads of every input row. */
    public void mergeStarted(Inputs in, int passes) {
        if (passes < 1) {
            throw new IllegalArgumentException("tablet " + tabletId + ": a merge reads its input at least once, got "
                    + passes + " passes");
        }
        this.inputs = Objects.requireNonNull(in, "inputs");
        this.passes = passes;
        this.groups = passes > 1 ? passes : 0;
        this.startedAtMs = clock.getAsLong();
        this.thread = Thread.currentThread().getName();
        state.compareAndSet(State.GRANTED, State.MERGING);
    }

    /**
     * The merge read {@code rows} more input rows. Also the cancel checkpoint: throws a
     * {@link StatusException} with {@link StatusCode#CANCELLED} once the compaction is cancelled,
     * and waits here while the hold is on.
     */
    public void read(long rows) {
        rowsRead.addAndGet(rows);
        checkpoint();
    }

    /** Throws CANCELLED if the compaction was cancelled; waits while the hold is on. */
    public void checkpoint() {
        while (true) {
            if (state.get() == State.CANCELLED) {
                throw new StatusException(StatusCode.CANCELLED, "compaction of tablet " + tabletId
                        + " cancelled by " + cancelledBy());
            }
            if (!hold.getAsBoolean()) {
                return;
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }

    /** Output rows (the key group's, for a vertical merge) and bytes written so far. */
    public void wrote(long rowsSoFar, long bytesSoFar) {
        rowsWritten.accumulateAndGet(rowsSoFar, Math::max);
        bytesWritten.accumulateAndGet(bytesSoFar, Math::max);
    }

    /** A vertical merge began column group {@code oneBased} (1 = the key group). */
    public void groupStarted(int oneBased) {
        this.group = oneBased;
    }

    /** The inputs were linked, not merged (ordered data): all their rows count as read. */
    public void linked() {
        Inputs in = inputs;
        if (in != null) {
            rowsRead.accumulateAndGet(in.rows() * passes, Math::max);
        }
    }

    /**
     * The owner is about to commit: true unless a cancel won first. After this returns true a
     * cancel changes nothing.
     */
    public boolean beginCommit() {
        return state.compareAndSet(State.MERGING, State.COMMITTING)
                || state.compareAndSet(State.GRANTED, State.COMMITTING);
    }

    /** The commit is durable: 100 %. */
    public void committed() {
        state.set(State.COMMITTED);
    }

    /** The compaction ended without a commit (failure, refusal, commit refused). */
    public void failed() {
        state.updateAndGet(s -> s == State.CANCELLED || s == State.COMMITTED ? s : State.FAILED);
    }

    /**
     * Cancels unless the commit already began. Returns true if this call cancelled it (the first
     * cancel wins; later ones answer false).
     *
     * @param by who cancelled, for the profile
     */
    public boolean cancel(String by) {
        if (!cancel.compareAndSet(null, new Cancel(Objects.requireNonNull(by, "by"), clock.getAsLong()))) {
            return false;
        }
        while (true) {
            State s = state.get();
            if (s != State.GRANTED && s != State.MERGING) {
                cancel.set(null);
                return false;
            }
            if (state.compareAndSet(s, State.CANCELLED)) {
                return true;
            }
        }
    }

    public boolean isCancelled() {
        return state.get() == State.CANCELLED;
    }

    /** Who cancelled, or null. */
    public String cancelledBy() {
        Cancel c = cancel.get();
        return c == null ? null : c.by();
    }

    /** When it was cancelled, epoch ms, or 0. */
    public long cancelledAtMs() {
        Cancel c = cancel.get();
        return c == null ? 0 : c.atMs();
    }

    /** Everything at once, now. */
    public Snapshot snapshot() {
        long now = clock.getAsLong();
        State st = state.get();
        Inputs in = inputs;
        long read = rowsRead.get();
        long readWork = in == null ? 0 : in.rows() * passes;
        long done = Math.min(read, readWork);
        double percent;
        if (st == State.COMMITTED) {
            percent = 100.0;
        } else {
            // One unit for the commit keeps it under 100 until then; rounding down keeps 99.99 at 99.9.
            percent = Math.floor(1000.0 * done / (readWork + 1)) / 10.0;
        }
        long started = startedAtMs;
        long elapsed = started == 0 ? 0 : Math.max(0, now - started);
        double rate = elapsed == 0 ? 0 : done * 1000.0 / elapsed;
        long eta = st == State.COMMITTED ? 0 : done == 0 || elapsed == 0 ? -1
                : (long) ((readWork - done) * (double) elapsed / done);
        long bytesRead = in == null || readWork == 0 ? 0 : (long) ((double) in.bytes() * done / readWork);
        return new Snapshot(taskId, tabletId, tableId, type, trigger, st, in, done, bytesRead, rowsWritten.get(),
                bytesWritten.get(), percent, rate, grantedAtMs, started, elapsed, eta, group, groups, thread,
                cancelledBy(), cancelledAtMs());
    }
}
