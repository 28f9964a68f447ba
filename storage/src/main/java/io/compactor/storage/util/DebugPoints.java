package io.compactor.storage.util;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Named fault-injection points, as Doris's debug points: tests (over {@code /api/debug_point}) turn
 * a point on, optionally for a number of executions, a timeout and with parameters; the code at
 * that point asks {@link #hit} and fails (or behaves wrongly) on purpose. Off unless enabled by
 * {@code enable_debug_points}. Thread-safe.
 */
public final class DebugPoints {
    /** One active point. {@code remaining} < 0 means unlimited executions; {@code expiresAtMs} 0 means never. */
    public record Point(String name, int remaining, long expiresAtMs, Map<String, String> params) {
    }

    /** Never enabled: for storage objects created outside a node (tools, tests). */
    public static final DebugPoints NONE = new DebugPoints(() -> false, java.time.Clock.systemUTC());

    /** Parameter that limits a point to one tablet's steps. */
    public static final String TABLET_ID = "tablet_id";

    private final Map<String, Point> points = new ConcurrentHashMap<>();
    private final BooleanSupplier enabled;
    private final java.time.Clock clock;

    public DebugPoints(BooleanSupplier enabled, java.time.Clock clock) {
        this.enabled = enabled;
        this.clock = clock;
    }

    public boolean enabled() {
        return enabled.getAsBoolean();
    }

    /**
     * Activates a point.
     *
     * @param executions how many hits fire before it turns itself off; -1 for unlimited
     * @param timeoutSec seconds until it turns itself off; -1 for never
     */
    public void add(String name, int executions, long timeoutSec, Map<String, String> params) {
        if (!enabled()) {
            throw new IllegalStateException("debug points are disabled (set compactor.enable_debug_points = true)");
        }
        long expires = timeoutSec < 0 ? 0 : clock.millis() + timeoutSec * 1000;
        points.put(name, new Point(name, executions, expires, Map.copyOf(params)));
    }

    public void remove(String name) {
        points.remove(name);
    }

    public void clear() {
        points.clear();
    }

    /** Whether the point is active now; consumes one execution if it is. */
    public boolean hit(String name) {
        return take(name) != null;
    }

    /** The point's parameters if it fires now (consuming one execution), else {@code null}. */
    public Point take(String name) {
        return take(name, id -> true);
    }

    /**
     * As {@link #take(String)} for a step of the given tablets: a point added with a
     * {@code tablet_id} parameter fires only for that tablet (so a test can fail one tablet's
     * writes while the rest of the node keeps working); without it, for every tablet.
     */
    public Point take(String name, java.util.function.LongPredicate isTablet) {
        if (points.isEmpty() || !enabled()) {
            return null;
        }
        Point[] fired = new Point[1];
        points.computeIfPresent(name, (k, p) -> {
            if (p.expiresAtMs() != 0 && clock.millis() >= p.expiresAtMs()) {
                return null;
            }
            String scope = p.params().get(TABLET_ID);
            if (scope != null && !scope.isEmpty() && !matchesTablet(scope, isTablet)) {
                return p;
            }
            fired[0] = p;
            if (p.remaining() < 0) {
                return p;
            }
            return p.remaining() <= 1 ? null : new Point(p.name(), p.remaining() - 1, p.expiresAtMs(), p.params());
        });
        return fired[0];
    }

    /** Throws a {@link StatusException} naming the point if it fires. */
    public void failIfHit(String name, String what) {
        if (hit(name)) {
            throw new StatusException(StatusCode.INTERNAL_ERROR, "debug point " + name + ": injected failure in " + what);
        }
    }

    /**
     * Throws an {@link java.io.IOException} naming the point if it fires: for IO steps (segment
     * write, fsync, rename, file delete), so callers handle it exactly as a real IO failure.
     */
    public void ioFailIfHit(String name, String what) throws java.io.IOException {
        if (hit(name)) {
            throw new java.io.IOException("debug point " + name + ": injected failure in " + what);
        }
    }

    /** {@link #failIfHit(String, String)} for a step of one tablet (see {@link #take(String, java.util.function.LongPredicate)}). */
    public void failIfHit(String name, long tabletId, String what) {
        if (take(name, id -> id == tabletId) != null) {
            throw new StatusException(StatusCode.INTERNAL_ERROR, "debug point " + name + ": injected failure in " + what);
        }
    }

    /** {@link #ioFailIfHit(String, String)} for a step of one tablet. */
    public void ioFailIfHit(String name, long tabletId, String what) throws java.io.IOException {
        if (take(name, id -> id == tabletId) != null) {
            throw new java.io.IOException("debug point " + name + ": injected failure in " + what);
        }
    }

    private static boolean matchesTablet(String scope, java.util.function.LongPredicate isTablet) {
        try {
            return isTablet.test(Long.parseLong(scope.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    public Map<String, Point> active() {
        return Map.copyOf(points);
    }
}
