package io.compactor.http;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeMetrics;
import io.compactor.api.TabletStats;
import java.util.Collection;

/**
 * Doris BE's own metric families ({@code be/src/util/doris_metrics.cpp}), under their Doris names
 * and labels, so a Doris BE Grafana dashboard shows Compactor's panels. Two deviations keep the
 * text valid for {@code promtool check metrics}: families whose Doris name lacks {@code _total}
 * ({@code load_rows}, {@code load_bytes}, {@code stream_load}) are gauges, and Doris's
 * {@code streaming_load_duration_ms} (an abbreviated unit promtool rejects) is
 * {@code doris_be_streaming_load_duration_seconds_total}. Doris's
 * {@code compaction_task_state_total} is the number of tasks in each state now, as in Doris.
 */
final class DorisMetrics {
    /** Upper bounds of {@code doris_be_tablet_version_num_distribution}'s buckets. */
    private static final long[] VERSION_BUCKETS = {1, 5, 10, 20, 50, 100, 200, 500, 1000, 2000};

    private DorisMetrics() {
    }

    static void render(Compactor node, StringBuilder sb) {
        NodeMetrics m = node.ops().metrics();
        Collection<TabletStats> tablets = node.compaction().stats().all();
        family(sb, "doris_be_compaction_deltas_total", "counter", "Input rowsets of finished compactions.");
        kinds(sb, "doris_be_compaction_deltas_total", m, m.compactionDeltas);
        family(sb, "doris_be_compaction_bytes_total", "counter", "Input bytes of finished compactions.");
        kinds(sb, "doris_be_compaction_bytes_total", m, m.compactionBytes);
        family(sb, "doris_be_compaction_rows_total", "counter", "Input rows of finished compactions.");
        kinds(sb, "doris_be_compaction_rows_total", m, m.compactionRows);
        family(sb, "doris_be_tablet_cumulative_max_compaction_score", "gauge", "Highest cumulative compaction score.");
        sample(sb, "doris_be_tablet_cumulative_max_compaction_score", node.compaction().stats().maxCumulativeScore());
        family(sb, "doris_be_tablet_base_max_compaction_score", "gauge", "Highest base compaction score.");
        sample(sb, "doris_be_tablet_base_max_compaction_score", node.compaction().stats().maxBaseScore());
        family(sb, "doris_be_compaction_used_permits", "gauge", "Permits held by running compactions.");
        sample(sb, "doris_be_compaction_used_permits", m.usedPermits.get());
        family(sb, "doris_be_compaction_waitting_permits", "gauge", "Permits the queued compactions would take.");
        sample(sb, "doris_be_compaction_waitting_permits", m.waitingPermits.get());
        family(sb, "doris_be_compaction_task_state_total", "counter", "Compaction tasks running and waiting now.");
        long running = 0;
        long pending = 0;
        for (NodeMetrics.Kind k : NodeMetrics.Kind.values()) {
            if (k != NodeMetrics.Kind.SEGMENT) {
                running += m.running.get(k).get();
                pending += m.queued.get(k).get();
            }
        }
        sample(sb, "doris_be_compaction_task_state_total{type=\"running\"}", running);
        sample(sb, "doris_be_compaction_task_state_total{type=\"pending\"}", pending);
        family(sb, "doris_be_engine_requests_total", "counter", "Compaction requests by kind and outcome.");
        requests(sb, "base_compaction", m, NodeMetrics.Kind.BASE);
        requests(sb, "cumulative_compaction", m, NodeMetrics.Kind.CUMULATIVE);
        requests(sb, "full_compaction", m, NodeMetrics.Kind.FULL);
        requests(sb, "single_compaction", m, NodeMetrics.Kind.SINGLE_REPLICA);
        versionDistribution(sb, tablets);
        long rowsets = 0;
        long segments = 0;
        for (TabletStats t : tablets) {
            rowsets += t.versionCount();
            segments += t.segments();
        }
        family(sb, "doris_be_all_rowsets_num", "gauge", "Visible rowsets of all tablets.");
        sample(sb, "doris_be_all_rowsets_num", rowsets);
        family(sb, "doris_be_all_segments_num", "gauge", "Segments of the visible rowsets of all tablets.");
        sample(sb, "doris_be_all_segments_num", segments);
        family(sb, "doris_be_load_rows", "gauge", "Rows made visible by loads (since start).");
        sample(sb, "doris_be_load_rows", m.loadRows.sum());
        family(sb, "doris_be_load_bytes", "gauge", "Bytes of the loads that made rows visible (since start).");
        sample(sb, "doris_be_load_bytes", m.loadBytes.sum());
        family(sb, "doris_be_stream_load", "gauge", "Stream load totals (since start).");
        sample(sb, "doris_be_stream_load{type=\"receive_bytes\"}", m.loadReceivedBytes.sum());
        sample(sb, "doris_be_stream_load{type=\"load_rows\"}", m.loadRows.sum());
        family(sb, "doris_be_streaming_load_requests_total", "counter", "Stream load requests answered.");
        sample(sb, "doris_be_streaming_load_requests_total", m.loadRequests.sum());
        family(sb, "doris_be_streaming_load_duration_seconds_total", "counter",
                "Time stream loads took (Doris's streaming_load_duration_ms, in seconds).");
        sb.append("doris_be_streaming_load_duration_seconds_total ")
                .append(String.format(java.util.Locale.ROOT, "%.3f", m.loadMillis.sum() / 1000.0)).append('\n');
        family(sb, "doris_be_streaming_load_current_processing", "gauge", "Stream loads being processed now.");
        sample(sb, "doris_be_streaming_load_current_processing", m.loadsInFlight.get());
    }

    private static void kinds(StringBuilder sb, String name, NodeMetrics m,
                              java.util.Map<NodeMetrics.Kind, java.util.concurrent.atomic.LongAdder> values) {
        for (NodeMetrics.Kind k : new NodeMetrics.Kind[] {NodeMetrics.Kind.BASE, NodeMetrics.Kind.CUMULATIVE,
                NodeMetrics.Kind.FULL}) {
            sample(sb, name + "{type=\"" + k.label() + "\"}", values.get(k).sum());
        }
    }

    private static void requests(StringBuilder sb, String type, NodeMetrics m, NodeMetrics.Kind k) {
        long failed = m.compactionFailed.get(k).sum();
        long total = failed + m.compactionSuccess.get(k).sum();
        sample(sb, "doris_be_engine_requests_total{type=\"" + type + "\",status=\"total\"}", total);
        sample(sb, "doris_be_engine_requests_total{type=\"" + type + "\",status=\"failed\"}", failed);
    }

    private static void versionDistribution(StringBuilder sb, Collection<TabletStats> tablets) {
        String name = "doris_be_tablet_version_num_distribution";
        family(sb, name, "histogram", "Visible rowsets (versions) per tablet.");
        long[] counts = new long[VERSION_BUCKETS.length];
        long sum = 0;
        for (TabletStats t : tablets) {
            sum += t.versionCount();
            for (int i = 0; i < VERSION_BUCKETS.length; i++) {
                if (t.versionCount() <= VERSION_BUCKETS[i]) {
                    counts[i]++;
                }
            }
        }
        for (int i = 0; i < VERSION_BUCKETS.length; i++) {
            sample(sb, name + "_bucket{le=\"" + VERSION_BUCKETS[i] + "\"}", counts[i]);
        }
        sample(sb, name + "_bucket{le=\"+Inf\"}", tablets.size());
        sample(sb, name + "_sum", sum);
        sample(sb, name + "_count", tablets.size());
    }

    private static void family(StringBuilder sb, String name, String type, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder sb, String name, long value) {
        sb.append(name).append(' ').append(value).append('\n');
    }
}
