package io.compactor.scheduler.queue;

import io.compactor.scheduler.CompactionConfig;
import io.compactor.scheduler.CompactionType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Consecutive compaction failures per (tablet, kind), going beyond Doris's fixed 5 s back-off
 * (apache/doris#66299): the n-th consecutive failure keeps the pair out of automatic scheduling
 * for {@code tablet_sched_delay_time_ms} x 2^(n-1) (5 s, 10 s, 20 s ...) up to
 * {@code compaction_failure_backoff_max_ms} (10 min), and after
 * {@code compaction_quarantine_failures} (10) consecutive failures the pair is quarantined: never
 * picked automatically, reported, and released only by a success (a manual trigger is still
 * allowed) or an operator.
 *
 * <p>"Nothing suitable" refusals (E-2000, E-808, E-2008, E-2010) are not failures: they keep the
 * pair out for the plain {@code tablet_sched_delay_time_ms}, as Doris does, without counting.
 * As in Doris a pair is eligible again strictly after its back-off has passed. Not thread safe:
 * one actor owns it.
 */
public final class FailureTracker {

    /**
     * What is known about one (tablet, kind).
     *
     * @param consecutiveFailures failures since the last success
     * @param lastFailureMs       time of the last failure or refusal, epoch ms
     * @param backoffUntilMs      automatic scheduling waits until strictly after this time
     * @param quarantined         whether automatic scheduling skips it until a success
     * @param lastStatus          the last error, e.g. "[E-2009]..." or an exception message
     */
    public record FailureState(long tabletId, CompactionType type, int consecutiveFailures, long lastFailureMs,
                               long backoffUntilMs, boolean quarantined, String lastStatus) {
    }

    private record Key(long tabletId, CompactionType type) {
    }

    private final Clock clock;
    private CompactionConfig config;
    private final Map<Key, FailureState> states = new HashMap<>();

    public FailureTracker(CompactionConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Applies changed settings to later decisions. */
    public void setConfig(CompactionConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /** The back-off after the n-th consecutive failure (n >= 1). */
    public long backoffMs(int consecutiveFailures) {
        long base = config.tabletSchedDelayTimeMs();
        long cap = Math.max(base, config.compactionFailureBackoffMaxMs());
        int shift = Math.max(0, consecutiveFailures - 1);
        if (shift >= 62 || base > (cap >> shift)) {
            return cap;
        }
        return Math.min(cap, base << shift);
    }

    /** Records a failed compaction (prepare or execute); returns the new state. */
    public FailureState recordFailure(long tabletId, CompactionType type, String status) {
        long now = clock.millis();
        Key k = new Key(tabletId, type);
        FailureState prev = states.get(k);
        int n = (prev == null ? 0 : prev.consecutiveFailures()) + 1;
        boolean quarantined = n >= config.compactionQuarantineFailures();
        FailureState s = new FailureState(tabletId, type, n, now, now + backoffMs(n), quarantined, status);
        states.put(k, s);
        return s;
    }

    /** Records a "nothing suitable" refusal: the plain delay, no failure counted. */
    public FailureState recordNoSuitableVersion(long tabletId, CompactionType type, String status) {
        long now = clock.millis();
        Key k = new Key(tabletId, type);
        FailureState prev = states.get(k);
        int n = prev == null ? 0 : prev.consecutiveFailures();
        boolean quarantined = prev != null && prev.quarantined();
        long until = Math.max(now + config.tabletSchedDelayTimeMs(), prev == null ? 0 : prev.backoffUntilMs());
        FailureState s = new FailureState(tabletId, type, n, now, until, quarantined,
                prev == null ? status : prev.lastStatus());
        states.put(k, s);
        return s;
    }

    /** A success clears everything, quarantine included. */
    public void recordSuccess(long tabletId, CompactionType type) {
        states.remove(new Key(tabletId, type));
    }

    /** Whether automatic scheduling may pick the pair now. */
    public boolean isEligible(long tabletId, CompactionType type) {
        FailureState s = states.get(new Key(tabletId, type));
        return s == null || !s.quarantined() && clock.millis() > s.backoffUntilMs();
    }

    public boolean isQuarantined(long tabletId, CompactionType type) {
        FailureState s = states.get(new Key(tabletId, type));
        return s != null && s.quarantined();
    }

    /** Lets an operator release a quarantined pair; its failure count starts again from zero. */
    public boolean releaseQuarantine(long tabletId, CompactionType type) {
        return states.remove(new Key(tabletId, type)) != null;
    }

    public Optional<FailureState> state(long tabletId, CompactionType type) {
        return Optional.ofNullable(states.get(new Key(tabletId, type)));
    }

    /** Everything known about a tablet, for /api/compaction/show. */
    public List<FailureState> states(long tabletId) {
        List<FailureState> out = new ArrayList<>();
        for (CompactionType t : CompactionType.values()) {
            FailureState s = states.get(new Key(tabletId, t));
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    /** Quarantined pairs, by tablet then kind. */
    public List<FailureState> quarantined() {
        List<FailureState> out = new ArrayList<>();
        for (FailureState s : states.values()) {
            if (s.quarantined()) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparingLong(FailureState::tabletId).thenComparing(FailureState::type));
        return out;
    }

    /** The metric: how many (tablet, kind) pairs are quarantined. */
    public int quarantinedCount() {
        int n = 0;
        for (FailureState s : states.values()) {
            if (s.quarantined()) {
                n++;
            }
        }
        return n;
    }

    /** Forgets a dropped tablet. */
    public void removeTablet(long tabletId) {
        states.keySet().removeIf(k -> k.tabletId() == tabletId);
    }
}
