package io.compactor.actors.segcompaction;

import io.compactor.storage.DataDir;
import io.compactor.storage.engine.StorageEngine;
import io.compactor.storage.RowsetId;
import io.compactor.storage.schema.Schema;
import io.compactor.storage.segcompaction.LoadSegcompaction;
import io.compactor.storage.segcompaction.SegcompactionSettings;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a load writer uses to have its segments compacted while it writes: {@link #begin} gives
 * the load's flush listener, reading the node's current settings. Thread-safe.
 */
public final class SegcompactionService {
    private final ActorRef<SegcompactionActor.Command> actor;
    private final StorageEngine engine;
    private final Supplier<Duration> releaseTimeout;

    /**
     * @param releaseTimeout how long a finishing load waits for its in-flight segment compaction
     */
    public SegcompactionService(ActorRef<SegcompactionActor.Command> actor, StorageEngine engine,
                             Supplier<Duration> releaseTimeout) {
        this.actor = actor;
        this.engine = engine;
        this.releaseTimeout = releaseTimeout;
    }

    /**
     * Segment compaction of one load's new rowset.
     *
     * @param maxSegments {@code max_segment_num_per_rowset} for this load
     * @param rows        rows of the load for this tablet (named in the E-238 message)
     */
    public LoadSegments begin(DataDir dir, long tabletId, RowsetId rowsetId, Schema schema, long maxSegments,
                              long rows) {
        SegcompactionSettings settings = SegcompactionSettings.from(engine.config()).withMaxSegments(maxSegments);
        LoadSegcompaction load = new LoadSegcompaction(dir, tabletId, rowsetId, schema, settings,
                engine.debugPoints());
        return new LoadSegments(load, settings.enabled() ? actor : null, rows, releaseTimeout.get());
    }
}
