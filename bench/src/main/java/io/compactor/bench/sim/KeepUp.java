package io.compactor.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether the node kept up with the offered load: it achieved at least {@link #MIN_ACHIEVED_SHARE}
 * of the offered loads per second, and its version counts were not still growing when offering
 * stopped (a node that answers every load but lets versions pile up is falling behind on
 * compaction, and would hit E-235 in a longer run).
 *
 * <p>"Still growing": the mean of the per-tablet maximum version count over the last quarter of the
 * offering window exceeds the mean over the quarter before it by more than
 * {@link #GROWTH_TOLERANCE_VERSIONS} versions and {@link #GROWTH_TOLERANCE_SHARE} of that mean (so
 * the usual sawtooth of cumulative compaction does not count). With fewer than two samples in
 * either quarter growth can not be told and is not assumed.
 *
 * @param offeredPerSec  loads that came due per second of offering
 * @param achievedPerSec loads that answered Success by the deadline, per second of offering
 * @param growing        versions were still growing at the end of offering
 * @param keptUp         the verdict
 * @param reason         why, in words, for the report
 */
public record KeepUp(double offeredPerSec, double achievedPerSec, boolean growing, boolean keptUp, String reason) {
    public static final double MIN_ACHIEVED_SHARE = 0.95;
    public static final double GROWTH_TOLERANCE_VERSIONS = 2;
    public static final double GROWTH_TOLERANCE_SHARE = 0.10;

    /**
     * @param phases        the driver's offering phases (growth is judged over the last one)
     * @param samples       the run's samples (times from the run start)
     * @param runStartNanos the run start, by the driver's ticker
     */
    public static KeepUp judge(List<LoadDriver.Phase> phases, List<Sample> samples, long runStartNanos) {
        long offered = 0;
        long achieved = 0;
        double seconds = 0;
        for (LoadDriver.Phase p : phases) {
            offered += p.offered();
            achieved += p.achieved();
            seconds += p.seconds();
        }
        double offeredRate = seconds > 0 ? offered / seconds : 0;
        double achievedRate = seconds > 0 ? achieved / seconds : 0;
        boolean growing = false;
        if (!phases.isEmpty()) {
            LoadDriver.Phase lastPhase = phases.get(phases.size() - 1);
            double from = (lastPhase.startNanos() - runStartNanos) / 1e9;
            growing = growing(samples, from, from + lastPhase.seconds());
        }
        boolean rateOk = offered == 0 || achievedRate >= MIN_ACHIEVED_SHARE * offeredRate;
        String reason;
        if (!rateOk) {
            reason = String.format(Locale.ROOT, "achieved %.2f loads/s of %.2f offered (%.0f%%, below %.0f%%)",
                    achievedRate, offeredRate, 100 * achievedRate / offeredRate, 100 * MIN_ACHIEVED_SHARE);
        } else if (growing) {
            reason = "version counts were still growing when offering stopped";
        } else {
            reason = String.format(Locale.ROOT, "achieved %.2f loads/s of %.2f offered; version counts level",
                    achievedRate, offeredRate);
        }
        return new KeepUp(offeredRate, achievedRate, growing, rateOk && !growing, reason);
    }

    /** Whether max versions rose from the third to the last quarter of [from, to] (seconds). */
    static boolean growing(List<Sample> samples, double from, double to) {
        double q = (to - from) / 4;
        List<Double> previous = new ArrayList<>();
        List<Double> last = new ArrayList<>();
        for (Sample s : samples) {
            if (s.tSec() >= from + 2 * q && s.tSec() < from + 3 * q) {
                previous.add((double) s.maxVersions());
            } else if (s.tSec() >= from + 3 * q && s.tSec() <= to) {
                last.add((double) s.maxVersions());
            }
        }
        if (previous.size() < 2 || last.size() < 2) {
            return false;
        }
        double before = mean(previous);
        double after = mean(last);
        return after - before > Math.max(GROWTH_TOLERANCE_VERSIONS, GROWTH_TOLERANCE_SHARE * before);
    }

    private static double mean(List<Double> v) {
        double s = 0;
        for (double d : v) {
            s += d;
        }
        return s / v.size();
    }

    /** The summary-line fields. */
    public String fields() {
        return String.format(Locale.ROOT, "offered_loads_per_s=%.2f achieved_loads_per_s=%.2f kept_up=%s",
                offeredPerSec, achievedPerSec, keptUp ? "yes" : "no");
    }
}
