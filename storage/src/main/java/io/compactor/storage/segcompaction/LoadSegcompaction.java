package io.compactor.storage.segcompaction;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.DataDir;
import io.compactor.storage.merge.MergeStats;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.RowsetId;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Segment compaction of one load's rowset (Doris's segcompaction state in
 * {@code BetaRowsetWriter}): the raw segments the writer flushed ({@code {rowsetId}_{n}.dat}, n =
 * 0, 1, ...), the compacted point (the first raw segment not yet merged or renamed) and the
 * compacted sequence (final segments 0, 1, ...: merge outputs and renamed segments).
 *
 * <h2>Life cycle and threads</h2>
 * <ol>
 *   <li>{@link #segmentFlushed} records each raw segment, in id order.</li>
 *   <li>{@link #nextTask} decides whether a task should run now (at most one in flight). It
 *       moves the compacted point over the segments the task renames at once; the task itself
 *       (renames, then the merge) runs on a segment-compaction thread, in parallel with the load,
 *       which keeps flushing higher raw ids. Every rename target is a final id no larger than the
 *       compacted point, whose raw file has already been consumed, so the load's new files and
 *       the task's files never collide.</li>
 *   <li>{@link #taskEnded} applies the outcome: a merge advances the compacted point over its
 *       inputs; a {@linkplain SegmentBatchMerger.Retryable retryable} failure leaves them pending
 *       for the next trigger; any other failure is fatal and fails the load with E-3119.</li>
 *   <li>{@link #finish} (no task in flight) renames the remaining raw segments into the compacted
 *       sequence, checks {@code max_segment_num_per_rowset} (E-238) and returns the rowset with
 *       dense segment ids; or {@link #abort} deletes every file.</li>
 * </ol>
 * These methods must be called by one thread at a time, each call happening-before the next (the
 * segment-compaction actor calls the first three, the load thread the last two after the actor
 * let go of the load). {@link #checkAfterFlush} and {@link #awaitBacklogBelow} are the exception:
 * the load thread calls them at any time; they read only what {@code publish()} made visible.
 */
public final class LoadSegcompaction {
    private static final Logger log = LoggerFactory.getLogger(LoadSegcompaction.class);

    private final DataDir dir;
    private final long tabletId;
    private final RowsetId rowsetId;
    private final SegcompactionSettings settings;
    private final SegmentBatchMerger merger;
    private final List<SegmentMeta> flushed = new ArrayList<>();
    private final List<Path> flushedFiles = new ArrayList<>();
    private final List<SegmentMeta> compacted = new ArrayList<>();
    private final Set<Path> tempOutputs = new LinkedHashSet<>();
    private int compactedPoint;
    private Task inFlight;
    private int merges;
    private volatile Status failure;
    private volatile int publishedPoint;
    private volatile int publishedCompacted;
    private final Object progress = new Object();
    private int publishedSeen;
    private boolean publishedInFlight;

    public LoadSegcompaction(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema,
                             SegcompactionSettings settings, DebugPoints debugPoints) {
        this.dir = dir;
        this.tabletId = tabletId;
        this.rowsetId = rowsetId;
        this.settings = settings;
        this.merger = new SegmentBatchMerger(tabletId, schema, settings, debugPoints, dir.tabletPath(tabletId));
    }

    public long tabletId() {
        return tabletId;
    }

    public RowsetId rowsetId() {
        return rowsetId;
    }

    public SegcompactionSettings settings() {
        return settings;
    }

    /** Records a finished raw segment; ids must arrive in order 0, 1, ... */
    public void segmentFlushed(int segmentId, SegmentMeta meta, Path file) {
        if (segmentId != flushed.size()) {
            throw new IllegalStateException(describe() + ": segment " + segmentId + " flushed, expected "
                    + flushed.size());
        }
        flushed.add(meta);
        flushedFiles.add(file);
        publish();
    }

    /**
     * Backpressure (beyond Doris, in the manner of Lucene's merge scheduler stalling indexing
     * threads): called by the load thread after it flushed raw segment {@code numSegment - 1},
     * waits while at least {@code limit} raw segments are not yet compacted and segment compaction
     * is still at work on them (a segment not yet seen, or a task in flight). Returns as soon as
     * the backlog drops below the limit, compaction is idle with every segment seen (no task will
     * start before the next flush, so waiting could never end), a fatal failure happened, or the
     * timeout passed. Bounds a load's pending segments when its merges are slower than its flushes.
     */
    public void awaitBacklogBelow(int numSegment, int limit, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        synchronized (progress) {
            while (failure == null && numSegment - publishedPoint >= limit
                    && (publishedSeen < numSegment || publishedInFlight)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
        }
    }

    /**
     * Called by the load thread after it flushed raw segment {@code numSegment - 1}: throws E-3119
     * if a segment compaction failed fatally, or E-238 as soon as the rowset is sure to end with
     * more than {@code max_segment_num_per_rowset} segments. With segment compaction the count that
     * can no longer shrink is the compacted sequence (a task in flight counted as done) plus one
     * for the pending raw segments, however many (Doris checks {@code _num_segcompacted} early and
     * the full count at build); without it, every raw segment stays.
     */
    public void checkAfterFlush(int numSegment, long rowsAdded) {
        Status f = failure;
        if (f != null) {
            throw new StatusException(new Status(StatusCode.SEGCOMPACTION_FAILED, f.msg()));
        }
        int point = publishedPoint;
        int done = publishedCompacted;
        long atLeast = settings.enabled() ? done + (numSegment > point ? 1 : 0) : numSegment;
        if (atLeast > settings.maxSegments()) {
            throw new StatusException(StatusCode.TOO_MANY_SEGMENTS, tooManySegments(numSegment, point, done, rowsAdded));
        }
    }

    /**
     * The task to run now, or {@code null}: none runs while another is in flight, after a fatal
     * failure, when segment compaction is off, or with fewer than {@code batch_size} pending
     * segments (Doris's {@code _segcompaction_if_necessary}).
     */
    public Task nextTask() {
        if (!settings.enabled() || inFlight != null || failure != null
                || flushed.size() - compactedPoint < settings.batchSize()) {
            return null;
        }
        SegcompactionPick pick = SegcompactionPick.of(flushed, compactedPoint, settings);
        if (pick.isEmpty()) {
            return null;
        }
        List<Path[]> renames = new ArrayList<>(pick.renames());
        for (int i = 0; i < pick.renames(); i++) {
            renames.add(new Path[]{flushedFiles.get(compactedPoint), finalPath(compacted.size())});
            compacted.add(flushed.get(compactedPoint));
            compactedPoint++;
        }
        int from = compactedPoint;
        int to = compactedPoint + pick.merges();
        Task task = new Task(renames, from, to, compacted.size());
        if (pick.merges() > 0) {
            tempOutputs.add(task.tempOutput);
        }
        inFlight = task;
        publish();
        return task;
    }

    /** Whether a task is running. */
    public boolean inFlight() {
        return inFlight != null;
    }

    /** Merge tasks that succeeded. */
    public int merges() {
        return merges;
    }

    /** The fatal failure, or {@code null}. */
    public Status failure() {
        return failure;
    }

    /**
     * Applies the outcome of the task in flight ({@code error == null}: it succeeded).
     *
     * @return {@code true} if the task succeeded (a new trigger may be evaluated now); {@code false}
     *         after a failure, which for a retryable one means waiting for the next flush
     */
    public boolean taskEnded(Task task, Throwable error) {
        if (task != inFlight) {
            throw new IllegalStateException(describe() + ": the ended task is not the one in flight");
        }
        inFlight = null;
        Throwable cause = unwrap(error);
        if (cause == null) {
            if (task.merged != null) {
                compacted.add(task.merged);
                compactedPoint = task.to;
                merges++;
            }
            publish();
            return true;
        }
        if (cause instanceof SegmentBatchMerger.Retryable r) {
            tempOutputs.remove(task.tempOutput);
            log.warn("{}: segcompaction of segments {}-{} failed, retrying at the next trigger: {}", describe(),
                    task.from, task.to - 1, r.getMessage());
        } else {
            failure = new Status(StatusCode.SEGCOMPACTION_FAILED, "segcompaction failed: tablet_id:" + tabletId
                    + ", rowset_id:" + rowsetId + ", segments " + task.from + "-" + (task.to - 1) + ": "
                    + StatusException.statusOf(cause));
            log.error("{}", failure.msg(), cause);
        }
        publish();
        return false;
    }

    /**
     * Completes the rowset once no task is in flight: renames the raw segments still pending into
     * the compacted sequence (no final merge, as Doris) and checks the segment limit.
     *
     * @param raw what the writer built: one entry per raw segment flushed
     * @throws StatusException E-3119 after a fatal segment-compaction failure, E-238 for too many
     *                         segments; the caller then {@linkplain #abort() aborts}
     */
    public PendingRowset finish(PendingRowset raw) throws IOException {
        if (inFlight != null) {
            throw new IllegalStateException(describe() + ": finish while a segment compaction is running");
        }
        if (failure != null) {
            throw new StatusException(failure);
        }
        if (raw.segments().size() != flushed.size()) {
            throw new IllegalStateException(describe() + ": the writer built " + raw.segments().size()
                    + " segments but " + flushed.size() + " were reported flushed");
        }
        int numSegment = flushed.size();
        long total = (long) compacted.size() + numSegment - compactedPoint;
        if (total > settings.maxSegments()) {
            throw new StatusException(StatusCode.TOO_MANY_SEGMENTS, tooManySegments(numSegment, compactedPoint,
                    compacted.size(), raw.numRows()));
        }
        if (compactedPoint == 0) {
            return raw;
        }
        while (compactedPoint < numSegment) {
            DataDir.renameSegment(flushedFiles.get(compactedPoint), finalPath(compacted.size()));
            compacted.add(flushed.get(compactedPoint));
            compactedPoint++;
        }
        List<Path> files = new ArrayList<>(compacted.size());
        for (int i = 0; i < compacted.size(); i++) {
            files.add(finalPath(i));
        }
        publish();
        return new PendingRowset(rowsetId, tabletId, compacted,
                compacted.size() > 1 ? SegmentsOverlap.OVERLAPPING : SegmentsOverlap.NONOVERLAPPING, files);
    }

    /**
     * Deletes every file of the load: raw segments, merge outputs, renamed segments. Call it only
     * when no task is in flight. Never throws.
     */
    public void abort() {
        Set<Path> all = new LinkedHashSet<>(flushedFiles);
        all.addAll(tempOutputs);
        for (int i = 0; i < Math.max(compacted.size(), flushed.size()); i++) {
            all.add(finalPath(i));
        }
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
                Files.deleteIfExists(p.resolveSibling(p.getFileName() + io.compactor.storage.segment.SegmentWriter.TEMP_SUFFIX));
            } catch (IOException | RuntimeException ignored) {
                // best effort: the start-up sweep removes what no meta references
            }
        }
    }

    /** Doris's TOO_MANY_SEGMENTS message. */
    public String tooManySegments(long numSegment, long point, long numCompacted, long rows) {
        return "too many segments in rowset. tablet_id:" + tabletId + ", rowset_id:" + rowsetId + ", max:"
                + settings.maxSegments() + ", _num_segment:" + numSegment + ", _segcompacted_point:" + point
                + ", _num_segcompacted:" + numCompacted + ", rowset_num_rows:" + rows
                + ". Please check if the bucket number is too small or if the data is skewed.";
    }

    private void publish() {
        Task t = inFlight;
        boolean merging = t != null && t.to > t.from;
        synchronized (progress) {
            publishedPoint = merging ? t.to : compactedPoint;
            publishedCompacted = compacted.size() + (merging ? 1 : 0);
            publishedSeen = flushed.size();
            publishedInFlight = t != null;
            progress.notifyAll();
        }
    }

    private Path finalPath(int id) {
        return dir.segmentPath(tabletId, rowsetId, id);
    }

    private String describe() {
        return "tablet " + tabletId + " rowset " + rowsetId;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * One segment-compaction task: plain renames into the compacted sequence, then (if any) the
     * merge of raw segments {@code [from, to)} into final segment {@code target}. {@link #run} is
     * the only method called off the owner's thread.
     */
    public final class Task {
        private final List<Path[]> renames;
        private final int from;
        private final int to;
        private final int target;
        private final Path tempOutput;
        private final List<Path> inputs;
        private final List<SegmentMeta> inputMetas;
        private SegmentMeta merged;
        private MergeStats stats;

        private Task(List<Path[]> renames, int from, int to, int target) {
            this.renames = List.copyOf(renames);
            this.from = from;
            this.to = to;
            this.target = target;
            this.tempOutput = to > from ? dir.segcompactedPath(tabletId, rowsetId, from, to - 1) : null;
            this.inputs = List.copyOf(flushedFiles.subList(from, to));
            this.inputMetas = List.copyOf(flushed.subList(from, to));
        }

        /** Whether this task merges (rather than only renames). */
        public boolean merges() {
            return to > from;
        }

        /** Rows the merge reads (0 for a rename-only task). */
        public long inputRows() {
            long n = 0;
            for (SegmentMeta m : inputMetas) {
                n += m.rows();
            }
            return n;
        }

        /** Bytes the merge reads (0 for a rename-only task). */
        public long inputBytes() {
            long n = 0;
            for (SegmentMeta m : inputMetas) {
                n += m.bytes();
            }
            return n;
        }

        /** What the merge did, once it succeeded; else {@code null}. */
        public MergeStats stats() {
            return stats;
        }

        /**
         * Runs the renames, then the merge: writes the output under its temporary name, deletes
         * the inputs, renames the output to its final id. The result is visible to the owner once
         * it sees the completion (e.g. through a future).
         */
        public void run() throws IOException {
            for (Path[] r : renames) {
                DataDir.renameSegment(r[0], r[1]);
            }
            if (!merges()) {
                return;
            }
            SegmentBatchMerger.Output out = merger.merge(inputs, inputMetas, from, tempOutput);
            for (Path p : inputs) {
                Files.delete(p);
            }
            DataDir.renameSegment(tempOutput, finalPath(target));
            stats = out.stats();
            merged = out.meta();
        }

        @Override
        public String toString() {
            return "segcompaction[" + describe() + ", renames=" + renames.size() + ", merge=" + from + "-"
                    + (to - 1) + " -> " + target + "]";
        }
    }
}
