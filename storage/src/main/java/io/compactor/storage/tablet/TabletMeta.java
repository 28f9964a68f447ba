package io.compactor.storage.tablet;

import io.compactor.storage.RowsetId;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Immutable meta of one tablet: its visible rowsets (sorted by version), stale rowsets and
 * cumulative point. Every change returns a new instance, so a snapshot handed to a reader or a
 * policy never changes under it.
 *
 * @param tabletId        the tablet
 * @param tableId         its table
 * @param bucket          bucket number within the table (0-based)
 * @param dataDir         root path of the data dir holding its files
 * @param cumulativePoint -1 until computed; never moves backwards
 * @param rowsets         visible rowsets sorted by version
 * @param staleRowsets    rowsets replaced by compaction, oldest first
 */
public record TabletMeta(long tabletId, long tableId, int bucket, String dataDir, long cumulativePoint,
                         List<RowsetMeta> rowsets, List<StaleRowset> staleRowsets) {

    /** The cumulative point of a tablet that has not computed one yet. */
    public static final long INVALID_CUMULATIVE_POINT = -1;

    private static final Comparator<RowsetMeta> BY_VERSION = Comparator.comparing(RowsetMeta::version);

    public TabletMeta {
        Objects.requireNonNull(dataDir, "dataDir");
        List<RowsetMeta> sorted = new ArrayList<>(rowsets);
        sorted.sort(BY_VERSION);
        rowsets = List.copyOf(sorted);
        staleRowsets = List.copyOf(staleRowsets);
    }

    /** A new tablet with no rowsets; the caller adds the initial empty rowset {@code [0-1]}. */
    public static TabletMeta create(long tabletId, long tableId, int bucket, String dataDir) {
        return new TabletMeta(tabletId, tableId, bucket, dataDir, INVALID_CUMULATIVE_POINT, List.of(), List.of());
    }

    /** Highest end version among visible rowsets, or -1 if none. */
    public long maxVersion() {
        return rowsets.isEmpty() ? -1 : rowsets.get(rowsets.size() - 1).endVersion();
    }

    /** Doris's version count: the number of visible rowsets. */
    public int versionCount() {
        return rowsets.size();
    }

    /** Sum of the visible rowsets' compaction scores. */
    public long compactionScore() {
        long s = 0;
        for (RowsetMeta r : rowsets) {
            s += r.compactionScore();
        }
        return s;
    }

    public long totalRows() {
        long n = 0;
        for (RowsetMeta r : rowsets) {
            n += r.numRows();
        }
        return n;
    }

    public long totalBytes() {
        long n = 0;
        for (RowsetMeta r : rowsets) {
            n += r.totalBytes();
        }
        return n;
    }

    /** Gaps between consecutive visible rowsets, as {@code [a-b]} versions. */
    public List<Version> missingVersions() {
        List<Version> gaps = new ArrayList<>();
        long expected = 0;
        for (RowsetMeta r : rowsets) {
            if (r.startVersion() > expected) {
                gaps.add(new Version(expected, r.startVersion() - 1));
            }
            expected = Math.max(expected, r.endVersion() + 1);
        }
        return gaps;
    }

    public RowsetMeta findRowset(RowsetId id) {
        for (RowsetMeta r : rowsets) {
            if (r.rowsetId().equals(id)) {
                return r;
            }
        }
        return null;
    }

    /** The same tablet showing only {@code visible} (a reader's view as of an earlier version). */
    public TabletMeta withVisibleRowsets(List<RowsetMeta> visible) {
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cumulativePoint, visible, List.of());
    }

    public TabletMeta withCumulativePoint(long cp) {
        if (cp != INVALID_CUMULATIVE_POINT && cp < cumulativePoint) {
            throw new IllegalArgumentException("tablet " + tabletId + ": cumulative point can not move backwards from "
                    + cumulativePoint + " to " + cp);
        }
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cp, rowsets, staleRowsets);
    }

    /** Adds a newly loaded rowset, which must start right after {@link #maxVersion()}. */
    public TabletMeta addRowset(RowsetMeta rs) {
        if (rs.startVersion() != maxVersion() + 1) {
            throw new IllegalArgumentException("tablet " + tabletId + ": rowset " + rs.version()
                    + " does not follow max version " + maxVersion());
        }
        List<RowsetMeta> next = new ArrayList<>(rowsets);
        next.add(rs);
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cumulativePoint, next, staleRowsets);
    }

    /**
     * Whether every input is still a visible rowset (same id) — the optimistic-concurrency check
     * a compaction makes before committing.
     */
    public boolean allVisible(List<RowsetMeta> inputs) {
        Set<RowsetId> ids = new HashSet<>();
        for (RowsetMeta r : rowsets) {
            ids.add(r.rowsetId());
        }
        for (RowsetMeta in : inputs) {
            if (!ids.contains(in.rowsetId())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Replaces compaction inputs with the output. Inputs become stale at {@code nowMs} unless the
     * output covers exactly the same single version (then they are dropped, as Doris does).
     *
     * @throws IllegalStateException if an input is no longer visible
     */
    public TabletMeta replaceRowsets(List<RowsetMeta> inputs, RowsetMeta output, long nowMs) {
        if (!allVisible(inputs)) {
            throw new IllegalStateException("tablet " + tabletId + ": compaction inputs are no longer current: "
                    + inputs.stream().map(r -> r.version().toString()).toList());
        }
        Set<RowsetId> inIds = new HashSet<>();
        for (RowsetMeta r : inputs) {
            inIds.add(r.rowsetId());
        }
        List<RowsetMeta> next = new ArrayList<>(rowsets.size() - inputs.size() + 1);
        for (RowsetMeta r : rowsets) {
            if (!inIds.contains(r.rowsetId())) {
                next.add(r);
            }
        }
        next.add(output);
        List<StaleRowset> stale = new ArrayList<>(staleRowsets);
        for (RowsetMeta r : inputs) {
            stale.add(new StaleRowset(r, nowMs));
        }
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cumulativePoint, next, stale);
    }

    /**
     * Replaces visible rowsets with rowsets copied from a peer replica (single-replica compaction,
     * catch-up): {@code replaced} become stale at {@code nowMs} as compaction inputs do, and the
     * result must again be one contiguous chain from version 0 (the installed rowsets may extend
     * it past {@link #maxVersion()}).
     *
     * @throws IllegalStateException if a replaced rowset is no longer visible, or the chain would
     *                               have a gap or an overlap
     */
    public TabletMeta installRowsets(List<RowsetMeta> replaced, List<RowsetMeta> installed, long nowMs) {
        if (!allVisible(replaced)) {
            throw new IllegalStateException("tablet " + tabletId + ": rowsets to replace are no longer current: "
                    + replaced.stream().map(r -> r.version().toString()).toList());
        }
        Set<RowsetId> gone = new HashSet<>();
        for (RowsetMeta r : replaced) {
            gone.add(r.rowsetId());
        }
        List<RowsetMeta> next = new ArrayList<>();
        for (RowsetMeta r : rowsets) {
            if (!gone.contains(r.rowsetId())) {
                next.add(r);
            }
        }
        next.addAll(installed);
        next.sort(BY_VERSION);
        long expected = 0;
        for (RowsetMeta r : next) {
            if (r.startVersion() != expected) {
                throw new IllegalStateException("tablet " + tabletId + ": installing "
                        + installed.stream().map(x -> x.version().toString()).toList() + " in place of "
                        + replaced.stream().map(x -> x.version().toString()).toList()
                        + " would break the version chain at " + r.version() + " (expected start " + expected + ")");
            }
            expected = r.endVersion() + 1;
        }
        List<StaleRowset> stale = new ArrayList<>(staleRowsets);
        for (RowsetMeta r : replaced) {
            stale.add(new StaleRowset(r, nowMs));
        }
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cumulativePoint, next, stale);
    }

    /** Removes stale rowsets (after their files were deleted). */
    public TabletMeta withoutStale(Set<RowsetId> removed) {
        List<StaleRowset> stale = new ArrayList<>();
        for (StaleRowset s : staleRowsets) {
            if (!removed.contains(s.rowset().rowsetId())) {
                stale.add(s);
            }
        }
        return new TabletMeta(tabletId, tableId, bucket, dataDir, cumulativePoint, rowsets, stale);
    }

    /** Visible rowsets whose start version is at or after the cumulative point. */
    public List<RowsetMeta> cumulativeRowsets() {
        List<RowsetMeta> out = new ArrayList<>();
        for (RowsetMeta r : rowsets) {
            if (r.startVersion() >= cumulativePoint) {
                out.add(r);
            }
        }
        return out;
    }

    /** Visible rowsets whose start version is before the cumulative point. */
    public List<RowsetMeta> baseRowsets() {
        List<RowsetMeta> out = new ArrayList<>();
        for (RowsetMeta r : rowsets) {
            if (r.startVersion() < cumulativePoint) {
                out.add(r);
            }
        }
        return out;
    }
}
