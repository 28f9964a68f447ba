package io.compactor.http;

import io.compactor.storage.util.StatusCode;
import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.storage.util.DebugPoints;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Merge-on-write verification ({@code check_tablet}, {@code delete_bitmap/count_local}) and debug points. */
final class MowRoutes {
    private final Compactor node;

    MowRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("check_tablet"), () -> get(() -> parameterMap(this::checkTablet))),
                path(segment("api").slash("delete_bitmap").slash("count_local"),
                        () -> get(() -> parameterMap(this::countLocal))),
                path(segment("api").slash("debug_point").slash("add").slash(segment()),
                        name -> post(() -> parameterMap(p -> debugAdd(name, p)))),
                path(segment("api").slash("debug_point").slash("remove").slash(segment()),
                        name -> post(() -> debug(() -> node.ops().debugPoints().remove(name)))),
                path(segment("api").slash("debug_point").slash("clear"),
                        () -> post(() -> debug(() -> node.ops().debugPoints().clear()))));
    }

    private Route checkTablet(Map<String, String> p) {
        Long id = CompactionRoutes.parseId(p.get("tablet_id"));
        if (id == null) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST, "tablet_id must be a tablet id (got '"
                    + p.getOrDefault("tablet_id", "") + "')"));
        }
        return completeWithFuture(node.reads().checkTablet(id).handle((r, err) -> {
            if (err != null) {
                Status s = StatusException.statusOf(err);
                return switch (s.code()) {
                    case NOT_FOUND -> Json.fail(StatusCodes.NOT_FOUND, s.msg());
                    case SERVICE_UNAVAILABLE -> Json.fail(StatusCodes.TOO_MANY_REQUESTS, s.msg());
                    default -> Json.fail(StatusCodes.INTERNAL_SERVER_ERROR, s.msg());
                };
            }
            return Json.ok(Json.obj("status", "Success", "tablet_id", id, "rows", r.rows(), "duplicate_keys",
                    r.duplicateKeys(), "delete_bitmap_consistent", r.bitmapConsistent()));
        }));
    }

    /** Doris's DeleteBitmapAction COUNT_LOCAL, with its error messages. */
    private Route countLocal(Map<String, String> p) {
        return withLocalTablet(node, p, id -> countLocal(id, p));
    }

    /**
     * Doris's DeleteBitmapAction checks of {@code tablet_id}, with its messages: present, a number, a
     * tablet of this node; then {@code then} with the id.
     */
    static Route withLocalTablet(Compactor node, Map<String, String> p, java.util.function.LongFunction<Route> then) {
        String text = p.get("tablet_id");
        if (text == null || text.isEmpty()) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR, "tablet id is empty!"));
        }
        Long id = CompactionRoutes.parseId(text);
        if (id == null) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR, "convert tablet_id failed, stoull"));
        }
        if (!node.tables().isLocal(id)) {
            return complete(Json.doris(Status.tabletNotFound(id)));
        }
        return then.apply(id);
    }

    private Route countLocal(long id, Map<String, String> p) {
        boolean verbose = "true".equals(p.get("verbose"));
        return completeWithFuture(node.reads().deleteBitmap(id).thenApply(info -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("delete_bitmap_count", info.count());
            m.put("cardinality", info.cardinality());
            m.put("size", info.sizeBytes());
            if (verbose) {
                Map<String, List<String>> detail = new LinkedHashMap<>();
                info.entries().forEach((k, v) -> detail.computeIfAbsent(
                        "rowset: " + k.rowsetId() + ", segment: " + k.segmentId(), x -> new java.util.ArrayList<>())
                        .add("v: " + k.version() + ", c: " + v[0] + ", s: " + v[1]));
                m.put("delete_bitmap", detail);
            }
            return Json.ok(m);
        }));
    }

    private Route debugAdd(String name, Map<String, String> p) {
        int execute;
        long timeout;
        try {
            execute = p.containsKey("execute") ? Integer.parseInt(p.get("execute")) : -1;
            timeout = p.containsKey("timeout") ? Long.parseLong(p.get("timeout")) : -1;
        } catch (NumberFormatException e) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR, "invalid execute or timeout: must be integers"));
        }
        Map<String, String> params = new LinkedHashMap<>(p);
        params.remove("execute");
        params.remove("timeout");
        return debug(() -> node.ops().debugPoints().add(name, execute, timeout, params));
    }

    private Route debug(Runnable action) {
        DebugPoints points = node.ops().debugPoints();
        if (!points.enabled()) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR,
                    "Disable debug points. please check config enable_debug_points"));
        }
        action.run();
        return complete(Json.ok(Json.obj("status", "OK", "msg", "")));
    }
}
