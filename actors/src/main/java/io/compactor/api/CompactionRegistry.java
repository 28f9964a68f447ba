package io.compactor.api;

import io.compactor.scheduler.CompactionType;
import java.util.List;
import java.util.Map;

/** Queued and running compactions of a node: kind -> data dir -> tablet ids (run_status without a tablet). */
public record CompactionRegistry(Map<CompactionType, Map<String, List<Long>>> tasks) {
}
