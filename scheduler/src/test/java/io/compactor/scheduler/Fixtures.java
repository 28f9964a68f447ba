package io.compactor.scheduler;

import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.segment.SegmentMeta;
import io.compactor.storage.rowset.SegmentsOverlap;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.TabletMeta;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concise rowset fixtures: {@code rowsets("0-1:1GB", "2-5:100MB", "6-6:1MB:3seg")}.
 *
 * <p>Spec: {@code start-end:size[:token]...}. Size is {@code 41B}, {@code 100KB}, {@code 65MB},
 * {@code 1GB} or a plain byte count. Tokens: {@code Nseg} segment count (default 1, or 0 for
 * size 0), {@code ovl} / {@code nonovl} / {@code unk} overlap flag (default: OVERLAPPING for a
 * singleton version, as loads write; NONOVERLAPPING for a range, as compaction writes),
 * {@code lvl=N} compaction level, {@code age=N[s|m|h|d]} created that long before {@link #NOW}
 * (default: at {@link #NOW}).
 */
public final class Fixtures {
    public static final long NOW = 1_700_000_000_000L;
    public static final long TABLET_ID = 10001;
    public static final long KB = 1024;
    public static final long MB = 1024 * KB;
    public static final long GB = 1024 * MB;

    private static final AtomicLong IDS = new AtomicLong(1);

    private Fixtures() {
    }

    public static List<RowsetMeta> rowsets(String... specs) {
        List<RowsetMeta> out = new ArrayList<>();
        for (String s : specs) {
            out.add(rowset(s));
        }
        return out;
    }

    public static RowsetMeta rowset(String spec) {
        String[] parts = spec.split(":");
        String[] vs = parts[0].split("-");
        Version v = new Version(Long.parseLong(vs[0]), Long.parseLong(vs[vs.length - 1]));
        long bytes = parts.length > 1 ? parseSize(parts[1]) : 1024;
        int segments = bytes == 0 ? 0 : 1;
        SegmentsOverlap overlap = v.isSingleton() ? SegmentsOverlap.OVERLAPPING : SegmentsOverlap.NONOVERLAPPING;
        int level = 0;
        long created = NOW;
        for (int i = 2; i < parts.length; i++) {
            String t = parts[i].toLowerCase(Locale.ROOT);
            if (t.endsWith("seg")) {
                segments = Integer.parseInt(t.substring(0, t.length() - 3));
            } else if (t.equals("ovl")) {
                overlap = SegmentsOverlap.OVERLAPPING;
            } else if (t.equals("nonovl")) {
                overlap = SegmentsOverlap.NONOVERLAPPING;
            } else if (t.equals("unk")) {
                overlap = SegmentsOverlap.OVERLAP_UNKNOWN;
            } else if (t.startsWith("lvl=")) {
                level = Integer.parseInt(t.substring(4));
            } else if (t.startsWith("age=")) {
                created = NOW - parseDuration(t.substring(4));
            } else {
                throw new IllegalArgumentException("unknown fixture token '" + t + "' in " + spec);
            }
        }
        return make(v, bytes, segments, overlap, level, created);
    }

    public static RowsetMeta make(Version v, long bytes, int segments, SegmentsOverlap overlap, int level,
                                  long createdMs) {
        List<SegmentMeta> segs = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            long b = bytes / segments + (i < bytes % segments ? 1 : 0);
            segs.add(new SegmentMeta(b == 0 ? 0 : Math.max(1, b / 100), b, null, null, i));
        }
        return new RowsetMeta(new RowsetId(IDS.getAndIncrement()), TABLET_ID, v, segs, overlap, createdMs, level, 0);
    }

    public static TabletMeta tablet(long cumulativePoint, List<RowsetMeta> rowsets) {
        return new TabletMeta(TABLET_ID, 1, 0, "/data/0", cumulativePoint, rowsets, List.of());
    }

    public static TabletMeta tablet(long cumulativePoint, String... specs) {
        return tablet(cumulativePoint, rowsets(specs));
    }

    /** A tablet without a cumulative point yet (-1). */
    public static TabletMeta fresh(String... specs) {
        return tablet(TabletMeta.INVALID_CUMULATIVE_POINT, specs);
    }

    /** {@code n} singleton loads starting at {@code from}, each {@code size} with one segment. */
    public static List<String> loads(long from, int n, String sizeAndTokens) {
        List<String> out = new ArrayList<>();
        for (long v = from; v < from + n; v++) {
            out.add(v + "-" + v + ":" + sizeAndTokens);
        }
        return out;
    }

    public static String[] concat(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    public static String[] concat(String[] head, String... more) {
        return concat(List.of(head), more);
    }

    public static String[] concat(String[] head, List<String> tail) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(tail);
        return all.toArray(new String[0]);
    }

    static long parseSize(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (u.endsWith("GB")) {
            return (long) (Double.parseDouble(u.substring(0, u.length() - 2)) * GB);
        }
        if (u.endsWith("MB")) {
            return (long) (Double.parseDouble(u.substring(0, u.length() - 2)) * MB);
        }
        if (u.endsWith("KB")) {
            return (long) (Double.parseDouble(u.substring(0, u.length() - 2)) * KB);
        }
        if (u.endsWith("B")) {
            return Long.parseLong(u.substring(0, u.length() - 1));
        }
        return Long.parseLong(u);
    }

    static long parseDuration(String s) {
        char unit = s.charAt(s.length() - 1);
        long mult = switch (unit) {
            case 's' -> 1000L;
            case 'm' -> 60_000L;
            case 'h' -> 3_600_000L;
            case 'd' -> 86_400_000L;
            default -> 0L;
        };
        if (mult == 0) {
            return Long.parseLong(s);
        }
        return Long.parseLong(s.substring(0, s.length() - 1)) * mult;
    }
}
