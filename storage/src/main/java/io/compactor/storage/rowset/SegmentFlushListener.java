package io.compactor.storage.rowset;

import io.compactor.storage.segment.SegmentMeta;
import java.nio.file.Path;

/**
 * Told about every segment a rowset writer finished (fsynced, final name), on the writer's
 * thread, in segment-id order. The hook for segment compaction during a load. An exception
 * thrown here fails the write.
 */
@FunctionalInterface
public interface SegmentFlushListener {
    void onSegmentFlushed(int segmentId, SegmentMeta meta, Path file);
}
