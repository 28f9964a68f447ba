package io.compactor.actors.segcompaction;

import io.compactor.storage.util.StatusCode;
import io.compactor.storage.rowset.PendingRowset;
import io.compactor.storage.rowset.SegmentFlushListener;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.segcompaction.LoadSegcompaction;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One load's side of segment compaction, used on the load's thread: the rowset writer's flush
 * listener (hands each segment to the {@link SegcompactionActor}, waits while it is more than
 * {@value #BACKLOG_BATCHES} batches behind, and fails the write early with E-3119 or E-238), then {@link #finish} or {@link #abort}, which first take the load's
 * state back from the actor, waiting for a task in flight. With segment compaction off the state
 * stays on the load thread and only the segment limit is checked.
 */
public final class LoadSegments implements SegmentFlushListener {
    /** A load waits for its merge in flight once this many batches of its segments are pending. */
    static final int BACKLOG_BATCHES = 2;

    private final LoadSegcompaction load;
    private final org.apache.pekko.actor.typed.ActorRef<SegcompactionActor.Command> actor;
    private final long rows;
    private final Duration releaseTimeout;
    private boolean released;

    LoadSegments(LoadSegcompaction load, org.apache.pekko.actor.typed.ActorRef<SegcompactionActor.Command> actor,
                 long rows, Duration releaseTimeout) {
        this.load = load;
        this.actor = actor;
        this.rows = rows;
        this.releaseTimeout = releaseTimeout;
        this.released = actor == null;
    }

    @Override
    public void onSegmentFlushed(int segmentId, SegmentMeta meta, Path file) {
        if (actor != null) {
            actor.tell(new SegcompactionActor.SegmentFlushed(load, segmentId, meta, file));
            try {
                load.awaitBacklogBelow(segmentId + 1, BACKLOG_BATCHES * load.settings().batchSize(),
                        releaseTimeout.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StatusException(StatusCode.INTERNAL_ERROR, "interrupted while waiting for the segcompaction of "
                        + "tablet " + load.tabletId() + " rowset " + load.rowsetId());
            }
        } else {
            load.segmentFlushed(segmentId, meta, file);
        }
        load.checkAfterFlush(segmentId + 1, rows);
    }

    /**
     * Waits for the segment compaction in flight, then returns the rowset with its final, dense
     * segment ids. Throws E-3119 if a segment compaction failed fatally, E-238 for too many
     * segments; the caller then calls {@link #abort}.
     */
    public PendingRowset finish(PendingRowset raw) throws IOException {
        release();
        return load.finish(raw);
    }

    /** Waits for the segment compaction in flight, then deletes every file of the load. Never throws. */
    public void abort() {
        try {
            release();
        } catch (RuntimeException e) {
            // the actor is gone or too slow: delete what can be deleted; the start-up sweep does the rest
        }
        load.abort();
    }

    private void release() {
        if (released) {
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        actor.tell(new SegcompactionActor.Release(load, done));
        try {
            done.get(releaseTimeout.toMillis(), TimeUnit.MILLISECONDS);
            released = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StatusException(StatusCode.INTERNAL_ERROR, "interrupted while waiting for the segcompaction of "
                    + "tablet " + load.tabletId() + " rowset " + load.rowsetId());
        } catch (ExecutionException | TimeoutException e) {
            throw new StatusException(StatusCode.INTERNAL_ERROR, "segcompaction of tablet " + load.tabletId()
                    + " rowset " + load.rowsetId() + " did not finish: " + e);
        }
    }
}
