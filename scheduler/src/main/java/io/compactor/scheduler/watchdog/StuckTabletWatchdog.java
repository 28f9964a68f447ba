package io.compactor.scheduler.watchdog;

import io.compactor.scheduler.CompactionConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Finds tablets that compaction is not keeping up with, before an operator has to (StarRocks 78506:
 * a tablet "RUNNING" for hours while its rowsets grew from 10 to 1,452). Two rules:
 * <ul>
 *   <li><b>Rising.</b> A tablet's version count (or score) is above what it was when a compaction of
 *       it last finished (or when it was first seen), it first rose at least
 *       {@code compaction_stuck_rising_seconds} ago and it is still rising (it rose again within the
 *       last such period), and no compaction of it finished since. A tablet that stopped growing is
 *       not reported: idle below the policy's threshold is not stuck.</li>
 *   <li><b>Overdue.</b> A compaction has run longer than both {@code compaction_stuck_min_seconds} and
 *       the time its input rows take at {@code compaction_stuck_min_rows_per_second}.</li>
 * </ul>
 * The caller feeds observations (after every tablet report or on a timer) and finished compactions,
 * and evaluates on a timer; time is always passed in, so tests move it. Not thread safe: the
 * supervisor actor owns it.
 */
public final class StuckTabletWatchdog {

    /** Why a tablet is reported. */
    public enum Reason { VERSIONS_RISING, SCORE_RISING, COMPACTION_OVERDUE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A stuck tablet.
     *
     * @param sinceMs when the condition began (first rise, or the compaction's start)
     * @param detail  what was seen, with the numbers
     */
    public record Stuck(long tabletId, Reason reason, long sinceMs, String detail) {
    }

    /** A compaction running now, as the watchdog needs it. */
    public record Running(long taskId, long tabletId, String type, long startedAtMs, long inputRows) {
    }

    /** The watchdog's thresholds (from {@link CompactionConfig}). */
    public record Settings(long risingMs, long overdueMinMs, long minRowsPerSecond) {
        public Settings {
            if (risingMs < 1 || overdueMinMs < 1 || minRowsPerSecond < 1) {
                throw new IllegalArgumentException("watchdog settings must be positive (got rising " + risingMs
                        + " ms, overdue min " + overdueMinMs + " ms, " + minRowsPerSecond + " rows/s)");
            }
        }

        public static Settings of(CompactionConfig c) {
            return new Settings(c.compactionStuckRisingSeconds() * 1000, c.compactionStuckMinSeconds() * 1000,
                    c.compactionStuckMinRowsPerSecond());
        }
    }

    /** One figure of a tablet (versions or score) since its last finished compaction. */
    private static final class Trend {
        long base;
        long last;
        long firstRiseMs = -1;
        long lastRiseMs = -1;

        void reset(long value) {
            base = value;
            last = value;
            firstRiseMs = -1;
            lastRiseMs = -1;
        }

        void observe(long value, long now) {
            if (value > last) {
                if (firstRiseMs < 0) {
                    firstRiseMs = now;
                }
                lastRiseMs = now;
            }
            if (value <= base) {
                reset(value); // back at or below where it started: nothing is piling up
            }
            last = value;
        }

        boolean rising(long now, long window) {
            return last > base && firstRiseMs >= 0 && now - firstRiseMs >= window && now - lastRiseMs <= window;
        }
    }

    private static final class Watch {
        final Trend versions = new Trend();
        final Trend score = new Trend();
        boolean resetPending = true;
    }

    private Settings settings;
    private final Map<Long, Watch> watches = new HashMap<>();
    private final Map<Long, Stuck> stuck = new HashMap<>();

    public StuckTabletWatchdog(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public void setSettings(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The tablet's version count and score now. */
    public void observe(long tabletId, long versions, long score, long nowMs) {
        Watch w = watches.computeIfAbsent(tabletId, t -> new Watch());
        if (w.resetPending) {
            w.versions.reset(versions);
            w.score.reset(score);
            w.resetPending = false;
            return;
        }
        w.versions.observe(versions, nowMs);
        w.score.observe(score, nowMs);
    }

    /** A compaction of the tablet finished (committed): its figures start again from the next observation. */
    public void compactionFinished(long tabletId) {
        Watch w = watches.get(tabletId);
        if (w != null) {
            w.resetPending = true;
        }
    }

    public void forget(long tabletId) {
        watches.remove(tabletId);
        stuck.remove(tabletId);
    }

    /**
     * Applies both rules at {@code nowMs}; returns the tablets that became stuck with this call (to
     * log them once). {@link #stuck()} has all of them.
     */
    public List<Stuck> evaluate(long nowMs, Collection<Running> running) {
        Map<Long, Stuck> now = new HashMap<>();
        for (var e : watches.entrySet()) {
            Watch w = e.getValue();
            if (w.resetPending) {
                continue;
            }
            if (w.versions.rising(nowMs, settings.risingMs())) {
                now.put(e.getKey(), new Stuck(e.getKey(), Reason.VERSIONS_RISING, w.versions.firstRiseMs,
                        "version count rose from " + w.versions.base + " to " + w.versions.last + " over "
                                + seconds(nowMs - w.versions.firstRiseMs) + " with no compaction of it finishing"));
            } else if (w.score.rising(nowMs, settings.risingMs())) {
                now.put(e.getKey(), new Stuck(e.getKey(), Reason.SCORE_RISING, w.score.firstRiseMs,
                        "compaction score rose from " + w.score.base + " to " + w.score.last + " over "
                                + seconds(nowMs - w.score.firstRiseMs) + " with no compaction of it finishing"));
            }
        }
        for (Running r : running) {
            if (r.startedAtMs() <= 0) {
                continue;
            }
            long predicted = r.inputRows() * 1000 / settings.minRowsPerSecond();
            long limit = Math.max(settings.overdueMinMs(), predicted);
            long elapsed = nowMs - r.startedAtMs();
            if (elapsed > limit) {
                now.put(r.tabletId(), new Stuck(r.tabletId(), Reason.COMPACTION_OVERDUE, r.startedAtMs(),
                        r.type() + " compaction (task " + r.taskId() + ") of " + r.inputRows() + " input rows has run "
                                + seconds(elapsed) + ", over the " + seconds(limit) + " its size allows"));
            }
        }
        List<Stuck> fresh = new ArrayList<>();
        Set<Long> before = new HashSet<>(stuck.keySet());
        for (Stuck s : now.values()) {
            Stuck old = stuck.get(s.tabletId());
            if (!before.contains(s.tabletId()) || old.reason() != s.reason()) {
                fresh.add(s);
            }
        }
        stuck.clear();
        stuck.putAll(now);
        fresh.sort(Comparator.comparingLong(Stuck::tabletId));
        return fresh;
    }

    /** Every tablet reported by the last evaluation, by tablet id. */
    public List<Stuck> stuck() {
        List<Stuck> out = new ArrayList<>(stuck.values());
        out.sort(Comparator.comparingLong(Stuck::tabletId));
        return out;
    }

    public Optional<Stuck> stuck(long tabletId) {
        return Optional.ofNullable(stuck.get(tabletId));
    }

    private static String seconds(long ms) {
        return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
