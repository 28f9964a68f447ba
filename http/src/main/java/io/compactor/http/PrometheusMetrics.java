package io.compactor.http;

import io.compactor.actors.Compactor;
import io.compactor.api.NodeMetrics;
import io.compactor.api.TabletStatsView;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Renders the node's metrics in the Prometheus text format. */
final class PrometheusMetrics {
    private PrometheusMetrics() {
    }

    static String render(Compactor node) {
        NodeMetrics m = node.ops().metrics();
        TabletStatsView stats = node.compaction().stats();
        StringBuilder sb = new StringBuilder(4096);
        counter(sb, "compactor_load_total", "Stream loads by outcome.");
        sample(sb, "compactor_load_total{status=\"success\"}", m.loadSuccess.sum());
        sample(sb, "compactor_load_total{status=\"fail\"}", m.loadFail.sum());
        sample(sb, "compactor_load_total{status=\"label_already_exists\"}", m.loadLabelExists.sum());
        counter(sb, "compactor_load_rows_total", "Rows made visible by loads.");
        sample(sb, "compactor_load_rows_total", m.loadRows.sum());
        counter(sb, "compactor_load_bytes_total", "Bytes received by successful loads.");
        sample(sb, "compactor_load_bytes_total", m.loadBytes.sum());
        counter(sb, "compactor_load_disk_bytes_total", "Bytes of segment files made visible by loads.");
        sample(sb, "compactor_load_disk_bytes_total", m.loadDiskBytes.sum());
        counter(sb, "compactor_exceed_version_limit_total", "Loads refused with E-235 (too many versions).");
        sample(sb, "compactor_exceed_version_limit_total", m.exceedVersionLimit.sum());
        counter(sb, "compactor_group_commit_loads_total", "Loads appended to a group commit internal load.");
        sample(sb, "compactor_group_commit_loads_total", m.groupCommitLoads.sum());
        counter(sb, "compactor_group_commit_internal_commits_total", "Group commit internal loads committed.");
        sample(sb, "compactor_group_commit_internal_commits_total", m.groupCommitInternalCommits.sum());
        sb.append("# HELP compactor_group_commit_wal_bytes Bytes of async-mode WAL files whose internal load has not "
                + "committed yet.\n# TYPE compactor_group_commit_wal_bytes gauge\n");
        sample(sb, "compactor_group_commit_wal_bytes", m.groupCommitWalBytes.get());
        counter(sb, "compactor_load_wait_compaction_total",
                "Loads delayed by graded back-pressure (a tablet past the soft version threshold).");
        sample(sb, "compactor_load_wait_compaction_total", m.loadWaitCompaction.sum());
        // seconds: promtool refuses the abbreviated unit of a _ms name
        counter(sb, "compactor_load_wait_compaction_seconds_total", "Seconds loads were delayed by back-pressure.");
        sb.append("compactor_load_wait_compaction_seconds_total ").append(String.format(java.util.Locale.ROOT, "%.3f",
                m.loadWaitCompactionMs.sum() / 1000.0)).append('\n');
        counter(sb, "compactor_segcompaction_total", "Segment compactions run during loads.");
        sample(sb, "compactor_segcompaction_total", m.segcompactionTotal.sum());
        perKind(sb, "compactor_compaction_deltas_total", "counter", "Input rowsets of finished compactions.", m.compactionDeltas);
        perKind(sb, "compactor_compaction_bytes_total", "counter", "Input bytes of finished compactions.", m.compactionBytes);
        perKind(sb, "compactor_compaction_rows_total", "counter", "Input rows of finished compactions.", m.compactionRows);
        perKind(sb, "compactor_compaction_success_total", "counter", "Compactions that committed.", m.compactionSuccess);
        perKind(sb, "compactor_compaction_failed_total", "counter", "Compactions that failed.", m.compactionFailed);
        perKind(sb, "compactor_compaction_cancelled_total", "counter",
                "Compactions cancelled by an operator, queued or running.", m.compactionCancelled);
        sb.append("# HELP compactor_compaction_cpu_seconds_total Thread CPU time spent in compaction merges and "
                + "single-replica fetches.\n");
        sb.append("# TYPE compactor_compaction_cpu_seconds_total counter\n");
        for (var e : m.compactionCpuNanos.entrySet()) {
            sb.append("compactor_compaction_cpu_seconds_total{type=\"").append(e.getKey().label()).append("\"} ")
                    .append(String.format(java.util.Locale.ROOT, "%.6f", e.getValue().sum() / 1e9)).append('\n');
        }
        counter(sb, "compactor_single_replica_compaction_total",
                "Single-replica compaction fetches by outcome (cancelled: no matching versions on the peer).");
        sample(sb, "compactor_single_replica_compaction_total{status=\"success\"}", m.singleReplicaSuccess.sum());
        sample(sb, "compactor_single_replica_compaction_total{status=\"failed\"}", m.singleReplicaFailed.sum());
        sample(sb, "compactor_single_replica_compaction_total{status=\"cancelled\"}", m.singleReplicaCancelled.sum());
        counter(sb, "compactor_single_replica_fetched_bytes_total",
                "Bytes of segment files downloaded from peer replicas (single-replica compaction and catch-up).");
        sample(sb, "compactor_single_replica_fetched_bytes_total", m.singleReplicaFetchedBytes.sum());
        peerFetch(sb, m.peerFetch);
        perKindGauge(sb, "compactor_compaction_running", "Compactions running now.", m.running);
        perKindGauge(sb, "compactor_compaction_queued", "Compactions waiting for a slot.", m.queued);
        perKindGauge(sb, "compactor_compaction_running_max", "Most compactions ever running at once (since start).",
                m.runningMax);
        sb.append("# HELP compactor_compaction_pool_running_max Most compactions ever running at once in a thread pool "
                + "(base and full share the base pool; since start).\n");
        sb.append("# TYPE compactor_compaction_pool_running_max gauge\n");
        sample(sb, "compactor_compaction_pool_running_max{pool=\"base\"}", m.basePoolRunningMax.get());
        sample(sb, "compactor_compaction_pool_running_max{pool=\"cumulative\"}",
                m.runningMax.get(NodeMetrics.Kind.CUMULATIVE).get());
        gauge(sb, "compactor_compaction_used_permits", "Permits (sum of input scores) held by running compactions.",
                m.usedPermits.get());
        gauge(sb, "compactor_compaction_quarantined_tablets", "Tablets not auto-compacted after repeated failures.",
                m.quarantinedTablets.get());
        gauge(sb, "compactor_compaction_stuck_tablets", "Tablets the stuck-tablet watchdog reports now.",
                m.stuckTablets.get());
        counter(sb, "compactor_compaction_stuck_reported_total", "Times a tablet became stuck (watchdog reports).");
        sample(sb, "compactor_compaction_stuck_reported_total", m.stuckReported.sum());
        long inputRows = 0;
        long rowsRead = 0;
        long rowsWritten = 0;
        long bytesWritten = 0;
        for (var r : node.compaction().running()) {
            inputRows += r.inputs() == null ? 0 : r.inputs().rows();
            rowsRead += r.rowsRead();
            rowsWritten += r.rowsWritten();
            bytesWritten += r.bytesWritten();
        }
        gauge(sb, "compactor_compaction_running_input_rows", "Input rows of the compactions running now.", inputRows);
        gauge(sb, "compactor_compaction_running_rows_read",
                "Rows the running compactions have read so far (every pass of a vertical merge counts).", rowsRead);
        gauge(sb, "compactor_compaction_running_rows_written", "Rows the running compactions have written so far.",
                rowsWritten);
        gauge(sb, "compactor_compaction_running_bytes_written", "Bytes the running compactions have written so far.",
                bytesWritten);
        gauge(sb, "compactor_tablet_cumulative_max_compaction_score", "Highest cumulative compaction score.",
                stats.maxCumulativeScore());
        gauge(sb, "compactor_tablet_base_max_compaction_score", "Highest base compaction score.", stats.maxBaseScore());
        gauge(sb, "compactor_tablet_max_versions", "Most visible rowsets of any tablet.", stats.maxVersionCount());
        gauge(sb, "compactor_tablet_num", "Tablets on this node.", stats.all().size());
        gauge(sb, "compactor_tablet_bad_num", "Tablets marked bad (a segment file lost or corrupt).",
                node.ops().badTablets().count());
        DorisMetrics.render(node, sb);
        return sb.toString();
    }

    private static void counter(StringBuilder sb, String name, String help) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
    }

    private static void gauge(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sample(sb, name, value);
    }

    private static void sample(StringBuilder sb, String name, long value) {
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void perKind(StringBuilder sb, String name, String type, String help,
                                Map<NodeMetrics.Kind, LongAdder> values) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (var e : values.entrySet()) {
            sample(sb, name + "{type=\"" + e.getKey().label() + "\"}", e.getValue().sum());
        }
    }

    private static void peerFetch(StringBuilder sb, io.compactor.storage.peer.PeerFetchTimings t) {
        counter(sb, "compactor_peer_fetch_total", "Peer fetches that downloaded and verified their rowsets.");
        sample(sb, "compactor_peer_fetch_total", t.fetches());
        counter(sb, "compactor_peer_fetch_requests_total", "HTTP requests sent to peers by fetches (listings, files).");
        sample(sb, "compactor_peer_fetch_requests_total", t.requests());
        counter(sb, "compactor_peer_fetch_seconds_total",
                "Time peer fetches spent per phase (list, transfer, verify, sync), wall clock and thread CPU.");
        for (var p : io.compactor.storage.peer.PeerFetchTimings.Phase.values()) {
            sb.append("compactor_peer_fetch_seconds_total{phase=\"").append(p.label()).append("\",clock=\"wall\"} ")
                    .append(String.format(java.util.Locale.ROOT, "%.6f", t.wallNanos(p) / 1e9)).append('\n');
            sb.append("compactor_peer_fetch_seconds_total{phase=\"").append(p.label()).append("\",clock=\"cpu\"} ")
                    .append(String.format(java.util.Locale.ROOT, "%.6f", t.cpuNanos(p) / 1e9)).append('\n');
        }
    }

    private static void perKindGauge(StringBuilder sb, String name, String help, Map<NodeMetrics.Kind, AtomicLong> values) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        for (var e : values.entrySet()) {
            sample(sb, name + "{type=\"" + e.getKey().label() + "\"}", e.getValue().get());
        }
    }
}
