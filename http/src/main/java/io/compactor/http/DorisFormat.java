package io.compactor.http;

import io.compactor.storage.rowset.RowsetMeta;
import java.util.Locale;

/** Text forms Doris uses in its compaction endpoints. */
final class DorisFormat {
    private DorisFormat() {
    }

    /** Doris's PrettyPrinter for bytes: {@code 0}, {@code 12 B}, {@code 1.21 KB}, {@code 574.00 MB}. */
    static String prettyBytes(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** {@code "[0-5] 3 DATA NONOVERLAPPING <rowset_id> 1.21 KB"} (Rowset::get_rowset_info_str). */
    static String rowsetInfo(RowsetMeta r) {
        return r.version() + " " + r.numSegments() + " DATA " + r.overlap().name() + " " + r.rowsetId() + " "
                + prettyBytes(r.totalBytes());
    }
}
