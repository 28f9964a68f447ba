package io.compactor.storage.engine;

import io.compactor.storage.segment.CorruptSegmentException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tablets found damaged (a segment file missing or failing its checksums), as Doris marks a
 * tablet bad: kept in memory only, so a restart re-checks from scratch. A bad tablet still
 * answers reads, but those fail naming the file (readers verify every page), and compaction is
 * refused so the damaged inputs are never replaced by a merge of what could still be read.
 *
 * <p>Marked by the compaction or read that hit the corruption and by
 * {@code /api/check_tablet_segment_lost?repair=true}; cleared only by a repair check that finds
 * the tablet whole again. Thread-safe.
 */
public final class BadTablets {
    private final Map<Long, String> reasons = new ConcurrentHashMap<>();

    /** Marks {@code tabletId} bad; the first reason is kept. */
    public void mark(long tabletId, String reason) {
        reasons.putIfAbsent(tabletId, reason);
    }

    public void clear(long tabletId) {
        reasons.remove(tabletId);
    }

    public boolean isBad(long tabletId) {
        return reasons.containsKey(tabletId);
    }

    /** Why the tablet is bad, if it is. */
    public Optional<String> reason(long tabletId) {
        return Optional.ofNullable(reasons.get(tabletId));
    }

    public int count() {
        return reasons.size();
    }

    /** Every bad tablet and its reason, by id. */
    public Map<Long, String> all() {
        return new TreeMap<>(reasons);
    }

    /**
     * If {@code error} is (or was caused by) a corrupt segment, marks the tablet that owns the
     * file (the file lives in {@code {root}/data/{tabletId}/}) and returns true.
     */
    public boolean markIfCorrupt(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CorruptSegmentException c) {
                Long id = tabletOf(c.file());
                if (id != null) {
                    mark(id, c.getMessage());
                }
                return id != null;
            }
        }
        return false;
    }

    private static Long tabletOf(Path file) {
        Path dir = file == null ? null : file.getParent();
        if (dir == null || dir.getFileName() == null) {
            return null;
        }
        try {
            return Long.parseLong(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
