package io.compactor.scheduler.policy;

import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.List;

/** Small sums over rowset lists used by every policy. */
final class Rowsets {
    private Rowsets() {
    }

    static long score(List<RowsetMeta> rs) {
        long s = 0;
        for (RowsetMeta r : rs) {
            s += r.compactionScore();
        }
        return s;
    }

    static long bytes(List<RowsetMeta> rs) {
        long s = 0;
        for (RowsetMeta r : rs) {
            s += r.totalBytes();
        }
        return s;
    }

    static Version span(List<RowsetMeta> rs) {
        return new Version(rs.get(0).startVersion(), rs.get(rs.size() - 1).endVersion());
    }

    /** An empty rowset in Doris's sense: it has no segment file. */
    static boolean isEmpty(RowsetMeta r) {
        return r.numSegments() == 0;
    }

    static boolean hasBaseRowset(List<RowsetMeta> rs) {
        for (RowsetMeta r : rs) {
            if (r.startVersion() == 0) {
                return true;
            }
        }
        return false;
    }

    /** Formats a double as fmt's {@code {}} does for the common cases ("0.5", "2", "1.25"). */
    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Formats a byte count for reasons, e.g. "65.00 MB". */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
