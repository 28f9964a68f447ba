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
        if (points.isEmpty() || !enabled()) {
            return null;
        }
        Point[] fired = new Point[1];
        points.computeIfPresent(name, (k, p) -> {
            if (p.expiresAtMs() != 0 && clock.millis() >= p.expiresAtMs()) {
                return null;
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
            throw new StatusException(Status.INTERNAL_ERROR, "debug point " + name + ": injected failure in " + what);
        }
    }

    public Map<String, Point> active() {
        return Map.copyOf(points);
    }
}
