package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * Doris's {@code find_longest_consecutive_version}: of rowsets sorted by version, keep the longest
 * run whose versions follow one another without a gap (the first such run on a tie), and report
 * each gap as the pair of versions around it.
 */
public final class ConsecutiveVersions {

    /**
     * @param rowsets the longest run
     * @param missing for every gap, the version before it and the version after it
     */
    public record Run(List<RowsetMeta> rowsets, List<Version> missing) {
        public Run {
            rowsets = List.copyOf(rowsets);
            missing = List.copyOf(missing);
        }
    }

    private ConsecutiveVersions() {
    }

    /** The longest consecutive run of {@code sorted} (which must be sorted by version). */
    public static Run longestRun(List<RowsetMeta> sorted) {
        if (sorted.isEmpty()) {
            return new Run(List.of(), List.of());
        }
        List<Version> missing = new ArrayList<>();
        int bestStart = 0;
        int bestLen = 1;
        int runStart = 0;
        for (int i = 1; i < sorted.size(); i++) {
            RowsetMeta prev = sorted.get(i - 1);
            RowsetMeta cur = sorted.get(i);
            if (cur.startVersion() != prev.endVersion() + 1) {
                missing.add(prev.version());
                missing.add(cur.version());
                runStart = i;
            }
            int len = i - runStart + 1;
            if (len > bestLen) {
                bestLen = len;
                bestStart = runStart;
            }
        }
        return new Run(sorted.subList(bestStart, bestStart + bestLen), missing);
    }

    /**
     * The first gap in {@code sorted}, as Doris's {@code check_version_continuity} reports it, or
     * null when the versions are continuous.
     */
    static String firstGap(List<RowsetMeta> sorted) {
        for (int i = 1; i < sorted.size(); i++) {
            RowsetMeta prev = sorted.get(i - 1);
            RowsetMeta cur = sorted.get(i);
            if (prev.endVersion() + 1 != cur.startVersion()) {
                return "versions are not continuity: prev=" + prev.version() + " cur=" + cur.version();
            }
        }
        return null;
    }
}
