package io.compactor.actors.compaction;

import io.compactor.scheduler.CompactionType;

/** A (tablet, kind) pair: what the supervisor queues, runs, parks and holds requests for. */
record TaskKey(long tabletId, CompactionType type) {
}
