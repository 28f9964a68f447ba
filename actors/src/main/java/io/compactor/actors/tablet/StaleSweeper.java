package io.compactor.actors.tablet;

import io.compactor.storage.RowsetId;
import io.compactor.storage.meta.MetaBatch;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.config.StorageKeys;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Removes a tablet's stale rowsets (replaced by a compaction or a peer install) once their sweep
 * time ({@code tablet_rowset_stale_sweep_time_sec}) has passed and no reader holds them
 * (consistency rule 5 of docs/DESIGN.md): meta first, so a crash leaves at worst an orphan file
 * that the start-up sweep removes, then files.
 */
final class StaleSweeper {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StaleSweeper.class);

    private StaleSweeper() {
    }

    /** How often a tablet with stale rowsets (or a dropped one still read) looks again. */
    static final Duration INTERVAL = Duration.ofSeconds(10);

    /**
     * Starts the tablet's sweep timer if it has something to sweep and the timer is not running: a
     * tablet without stale rowsets has no timer, so 100,000 idle tablets send no sweep messages.
     */
    static void arm(TabletState s, TimerScheduler<TabletProtocol.Command> timers) {
        if ((s.dropped || !s.meta.staleRowsets().isEmpty()) && !timers.isTimerActive(TabletProtocol.SweepStale.INSTANCE)) {
            timers.startSingleTimer(TabletProtocol.SweepStale.INSTANCE, INTERVAL);
        }
    }

    /**
     * The sweep timer fired (or an operator asked): sweeps what is due, or removes a dropped tablet's
     * files; re-arms while something is left. True when the (dropped) tablet may stop.
     */
    static boolean sweepDue(TabletState s, TimerScheduler<TabletProtocol.Command> timers) {
        if (s.dropped) {
            if (removeDroppedTablet(s)) {
                return true;
            }
        } else if (!s.meta.staleRowsets().isEmpty()) {
            sweep(s, s.now(), s.engine.config().get(StorageKeys.TABLET_ROWSET_STALE_SWEEP_TIME_SEC) * 1000);
        }
        arm(s, timers);
        return false;
    }

    /** Sweeps what is due at {@code nowMs}; returns the ids removed. */
    static Set<RowsetId> sweep(TabletState s, long nowMs, long keepMs) {
        Set<RowsetId> removable = new HashSet<>();
        MetaBatch batch = new MetaBatch();
        for (StaleRowset stale : s.meta.staleRowsets()) {
            RowsetId id = stale.rowset().rowsetId();
            if (nowMs - stale.staleAtMs() >= keepMs && !s.readers.isHeld(id)) {
                removable.add(id);
                batch.deleteRowset(s.tabletId(), id);
                batch.add(new MetaBatch.DeleteDeleteBitmap(s.tabletId(), id));
            }
        }
        if (removable.isEmpty()) {
            return removable;
        }
        s.engine.meta().write(batch);
        for (StaleRowset stale : s.meta.staleRowsets()) {
            if (removable.contains(stale.rowset().rowsetId())) {
                s.deleteFiles(stale.rowset().rowsetId(), stale.rowset().numSegments());
            }
        }
        s.meta = s.meta.withoutStale(removable);
        return removable;
    }

    /**
     * A dropped tablet's files go once no reader holds them; true when they went (or could not be
     * removed, which the start-up sweep finishes) and the tablet may stop.
     */
    static boolean removeDroppedTablet(TabletState s) {
        if (!s.readers.isEmpty()) {
            return false;
        }
        try {
            s.dir.deleteTabletDir(s.tabletId());
        } catch (java.io.IOException e) {
            LOG.warn("tablet {}: could not remove the dropped tablet's files (swept at next start): {}", s.tabletId(),
                    e.toString());
        }
        return true;
    }
}
