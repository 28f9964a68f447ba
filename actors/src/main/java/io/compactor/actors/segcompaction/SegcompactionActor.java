package io.compactor.actors.segcompaction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.compactor.api.NodeMetrics;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.segcompaction.LoadSegcompaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Segment compaction for the node's running loads (Doris's {@code SegCompactionTaskThreadPool}
 * plus the per-writer trigger). Loads tell it about each segment they flushed; once a load has
 * {@code segcompaction_batch_size} pending small segments the actor starts a task for it, which
 * merges them on the segment-compaction dispatcher ({@code segcompaction_num_threads} threads)
 * while the load keeps writing. At most one task per load is in flight; when one succeeds the
 * trigger is evaluated again at once (Doris waits for the next flush), so a load that flushes
 * faster than its merges does not fall further behind than necessary; and a load more than two
 * batches ahead of its merges waits for the one in flight ({@link LoadSegcompaction#awaitBacklogBelow}).
 *
 * <p>The per-load state ({@link LoadSegcompaction}) belongs to this actor from the load's first
 * flush until {@link Release}: the load asks for it back before it builds its rowset or aborts,
 * and gets it once no task of it runs any more (a task already started is waited for, as Doris's
 * writer waits for its in-flight segcompaction; see {@link #onRelease}). Task results come back through
 * {@code pipeToSelf}; the actor never blocks and never touches files itself.
 *
 * <p>Queues are bounded by the loads: each running load has at most one task queued or running.
 */
public final class SegcompactionActor extends AbstractBehavior<SegcompactionActor.Command> {
    /** Dispatcher (thread pool) the merges run on. */
    public static final String DISPATCHER = "compactor.segcompaction-dispatcher";

    /** Messages the actor accepts. */
    public interface Command {
    }

    /** A running load finished raw segment {@code segmentId}. */
    public record SegmentFlushed(LoadSegcompaction load, int segmentId, SegmentMeta meta, Path file)
            implements Command {
    }

    /**
     * The load stops writing (to build its rowset, or to abort): once no task of it runs, the actor
     * forgets it and completes {@code released}; the load then owns its state again.
     */
    public record Release(LoadSegcompaction load, CompletableFuture<Void> released) implements Command {
    }

    private record TaskEnded(LoadSegcompaction load, LoadSegcompaction.Task task, Throwable error)
            implements Command {
    }

    private static final class Entry {
        CompletableFuture<Void> released;
    }

    private final Executor pool;
    private final NodeMetrics metrics;
    private final Map<LoadSegcompaction, Entry> loads = new IdentityHashMap<>();

    /** The actor, resuming (keeping its loads) if a handler ever throws. */
    public static Behavior<Command> create(Executor pool, NodeMetrics metrics) {
        return Behaviors.<Command>supervise(Behaviors.setup(ctx -> new SegcompactionActor(ctx, pool, metrics)))
                .onFailure(SupervisorStrategy.resume());
    }

    /**
     * Configuration of {@link #DISPATCHER} with {@code threads} threads, to lay over the node's
     * configuration before the actor system starts ({@code segcompaction_num_threads} is not
     * runtime-mutable, as in Doris).
     */
    public static Config dispatcherConfig(int threads) {
        return ConfigFactory.parseString(DISPATCHER + " { type = Dispatcher, executor = \"thread-pool-executor\","
                + " thread-pool-executor { fixed-pool-size = " + threads + " }, throughput = 1 }");
    }

    private SegcompactionActor(ActorContext<Command> ctx, Executor pool, NodeMetrics metrics) {
        super(ctx);
        this.pool = pool;
        this.metrics = metrics;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(SegmentFlushed.class, this::onFlushed)
                .onMessage(TaskEnded.class, this::onTaskEnded)
                .onMessage(Release.class, this::onRelease)
                .onSignal(PostStop.class, s -> onStop())
                .build();
    }

    private Behavior<Command> onFlushed(SegmentFlushed m) {
        Entry e = loads.computeIfAbsent(m.load(), l -> new Entry());
        m.load().segmentFlushed(m.segmentId(), m.meta(), m.file());
        if (e.released == null) {
            maybeStart(m.load());
        }
        return this;
    }

    private void maybeStart(LoadSegcompaction load) {
        LoadSegcompaction.Task task = load.nextTask();
        if (task == null) {
            return;
        }
        if (task.merges()) {
            metrics.compactionStarted(NodeMetrics.Kind.SEGMENT);
        }
        CompletableFuture<Void> run;
        try {
            run = CompletableFuture.runAsync(() -> {
                try {
                    task.run();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool);
        } catch (RuntimeException rejected) {
            run = CompletableFuture.failedFuture(rejected);
        }
        getContext().pipeToSelf(run, (ok, err) -> new TaskEnded(load, task, err));
    }

    private Behavior<Command> onTaskEnded(TaskEnded m) {
        LoadSegcompaction.Task task = m.task();
        if (task.merges()) {
            metrics.compactionEnded(NodeMetrics.Kind.SEGMENT);
            if (m.error() == null) {
                metrics.segcompactionTotal.increment();
                metrics.compactionSuccess.get(NodeMetrics.Kind.SEGMENT).increment();
                metrics.compactionRows.get(NodeMetrics.Kind.SEGMENT).add(task.inputRows());
                metrics.compactionBytes.get(NodeMetrics.Kind.SEGMENT).add(task.inputBytes());
            } else {
                metrics.compactionFailed.get(NodeMetrics.Kind.SEGMENT).increment();
            }
        }
        boolean succeeded = m.load().taskEnded(task, m.error());
        Entry e = loads.get(m.load());
        if (succeeded) {
            maybeStart(m.load());
        }
        if (e != null && e.released != null && !m.load().inFlight()) {
            loads.remove(m.load());
            e.released.complete(null);
        }
        return this;
    }

    /**
     * Waits for the task in flight; after it (or at once if none runs) the trigger is evaluated one
     * last time, as it would have been at the load's last flush had the previous task already
     * ended, so a full batch pending at the end is still merged. A partial batch never is.
     */
    private Behavior<Command> onRelease(Release m) {
        Entry e = loads.get(m.load());
        if (e == null) {
            m.released().complete(null);
            return this;
        }
        e.released = m.released();
        if (!m.load().inFlight() && m.load().failure() == null) {
            maybeStart(m.load());
        }
        if (!m.load().inFlight()) {
            loads.remove(m.load());
            e.released.complete(null);
        }
        return this;
    }

    private Behavior<Command> onStop() {
        for (Entry e : loads.values()) {
            if (e.released != null) {
                e.released.completeExceptionally(new IllegalStateException("segment compaction stopped"));
            }
        }
        loads.clear();
        return this;
    }
}
