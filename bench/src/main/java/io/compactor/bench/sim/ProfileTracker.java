package io.compactor.bench.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sums the output bytes of compactions that finished during the run, from
 * {@code GET /api/compaction/profile} (newest first, bounded on the node). Each poll reads the
 * newest records and widens the page until it reaches records already seen, so no finished
 * compaction is missed or counted twice.
 */
final class ProfileTracker {
    private static final int MAX_PAGE = 10_000;
    /** The node's profile time text (local time of the node; the simulator assumes the same zone). */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    /** When one finished compaction ran, in epoch ms. */
    record Interval(String type, long startMs, long endMs) {
    }

    private final List<Interval> intervals = new ArrayList<>();

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
                    Long start = epochMs(p.path("start_time").asText());
                    Long end = epochMs(p.path("end_time").asText());
                    if (start != null && end != null) {
                        intervals.add(new Interval(p.path("compaction_type").asText(), start, Math.max(start, end)));
                    }
                }
            }
            return;
        }
    }

    private static Long epochMs(String text) {
        try {
            return LocalDateTime.parse(text, TIME).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The finished compactions seen so far. */
    synchronized List<Interval> intervals() {
        return List.copyOf(intervals);
    }

    /**
     * Most compactions of {@code type} that ran at the same moment within {@code (fromMs, toMs]},
     * from the finished ones' start and end times: the running gauge, sampled once a second, misses
     * compactions that take milliseconds.
     */
    static long peakConcurrency(List<Interval> intervals, String type, long fromMs, long toMs) {
        List<long[]> events = new ArrayList<>();
        for (Interval i : intervals) {
            if (i.type().equals(type) && i.endMs() >= fromMs && i.startMs() <= toMs) {
                events.add(new long[]{Math.max(i.startMs(), fromMs), 1});
                events.add(new long[]{Math.min(i.endMs(), toMs), -1});
            }
        }
        // At the same instant an end comes before a start: back-to-back tasks never overlap.
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        long now = 0;
        long peak = 0;
        for (long[] e : events) {
            now += e[1];
            peak = Math.max(peak, now);
        }
        return peak;
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
