package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;

/**
 * Sums the output bytes of compactions that finished during the run, from
 * {@code GET /api/compaction/profile} (newest first, bounded on the node). Each poll reads the
 * newest records and widens the page until it reaches records already seen, so no finished
 * compaction is missed or counted twice.
 */
final class ProfileTracker {
    private static final int MAX_PAGE = 10_000;

    private final NodeClient client;
    private final Set<Long> seen = new HashSet<>();
    private boolean available = true;
    private String unavailableReason;
    private long outputBytes;
    private long count;
    private int page = 256;

    ProfileTracker(NodeClient client) {
        this.client = client;
    }

    /** Marks every profile already on the node as seen: the run counts only its own compactions. */
    synchronized void baseline() {
        scan(true);
    }

    synchronized void poll() {
        scan(false);
    }

    private void scan(boolean baseline) {
        if (!available) {
            return;
        }
        while (true) {
            int size = baseline ? MAX_PAGE : page;
            NodeClient.Response r = client.get("/api/compaction/profile?success=true&top_n=" + size);
            if (r.status() == 404 || r.status() == 400) {
                available = false;
                unavailableReason = "GET /api/compaction/profile answered HTTP " + r.status() + ": " + r.message();
                return;
            }
            JsonNode profiles = NodeClient.ok(r, "GET /api/compaction/profile").json().path("compaction_profiles");
            int fresh = 0;
            for (JsonNode p : profiles) {
                if (!seen.contains(p.path("compaction_id").asLong())) {
                    fresh++;
                }
            }
            boolean complete = profiles.size() < size || fresh < profiles.size() || size >= MAX_PAGE;
            if (!complete) {
                page = Math.min(MAX_PAGE, page * 4);
                continue;
            }
            for (JsonNode p : profiles) {
                if (seen.add(p.path("compaction_id").asLong()) && !baseline) {
                    outputBytes += p.path("output_total_size").asLong();
                    count++;
                }
            }
            return;
        }
    }

    synchronized boolean available() {
        return available;
    }

    synchronized String unavailableReason() {
        return unavailableReason;
    }

    synchronized long outputBytes() {
        return outputBytes;
    }

    synchronized long count() {
        return count;
    }
}
