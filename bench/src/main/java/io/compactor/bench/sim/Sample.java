package io.compactor.bench.sim;

/**
 * The node and the load as seen at one sampling instant. Counters ({@code loads*}, {@code *Bytes},
 * {@code compactions}, {@code segcompactions}) count from the start of the run; latencies and the
 * load rates are over the sampling window that ended here ({@code NaN} latency when no load ended):
 * {@code loadsPerSec} all loads that ended, {@code offeredPerSec} loads that came due in the driver's
 * schedule (sent or not), {@code achievedPerSec} loads that answered Success.
 */
public record Sample(double tSec,
                     long loads, long loadsFailed, long loadsE235, double loadsPerSec,
                     double offeredPerSec, double achievedPerSec,
                     double latencyP50Ms, double latencyP99Ms,
                     long maxVersions, long p99Versions, long topScore, long cumuMaxScore,
                     long runningCumu, long runningBase, long runningFull, long runningSegment,
                     long queuedCumu, long queuedBase, long queuedFull,
                     long allowedCumu, long allowedBaseFull,
                     long loadBytes, long compactionInputBytes, long compactionOutputBytes,
                     long compactions, long segcompactions) {

    /** The same sample with the running counts raised to at least these (peaks between samples). */
    public Sample withRunningAtLeast(long cumu, long base, long full) {
        return new Sample(tSec, loads, loadsFailed, loadsE235, loadsPerSec, offeredPerSec, achievedPerSec, latencyP50Ms,
                latencyP99Ms, maxVersions, p99Versions, topScore, cumuMaxScore, Math.max(runningCumu, cumu), Math.max(runningBase, base),
                Math.max(runningFull, full), runningSegment, queuedCumu, queuedBase, queuedFull, allowedCumu,
                allowedBaseFull, loadBytes, compactionInputBytes, compactionOutputBytes, compactions, segcompactions);
    }

    public static final String CSV_HEADER = "t_sec,loads,loads_failed,loads_e235,loads_per_sec,offered_per_sec,"
            + "achieved_per_sec,latency_p50_ms,latency_p99_ms,max_versions,p99_versions,top_score,cumu_max_score,running_cumulative,running_base,"
            + "running_full,running_segment,queued_cumulative,queued_base,queued_full,allowed_cumulative,"
            + "allowed_base_full,load_bytes,compaction_input_bytes,compaction_output_bytes,compactions,segcompactions";

    public String csv() {
        return String.join(",", num(tSec), Long.toString(loads), Long.toString(loadsFailed), Long.toString(loadsE235),
                num(loadsPerSec), num(offeredPerSec), num(achievedPerSec), num(latencyP50Ms), num(latencyP99Ms),
                Long.toString(maxVersions),
                Long.toString(p99Versions), Long.toString(topScore), Long.toString(cumuMaxScore),
                Long.toString(runningCumu), Long.toString(runningBase), Long.toString(runningFull),
                Long.toString(runningSegment), Long.toString(queuedCumu), Long.toString(queuedBase),
                Long.toString(queuedFull), Long.toString(allowedCumu), Long.toString(allowedBaseFull),
                Long.toString(loadBytes), Long.toString(compactionInputBytes), Long.toString(compactionOutputBytes),
                Long.toString(compactions), Long.toString(segcompactions));
    }

    /** Empty for NaN (no data in the window), at most 3 decimals otherwise. */
    static String num(double d) {
        if (Double.isNaN(d)) {
            return "";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return String.format(java.util.Locale.ROOT, "%.3f", d);
    }
}
