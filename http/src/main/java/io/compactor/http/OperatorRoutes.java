package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.compactor.actors.Compactor;
import io.compactor.api.CancelResult;
import io.compactor.api.TimeFormat;
import io.compactor.scheduler.CompactionType;
import io.compactor.storage.compaction.CompactionProgress;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operator's compaction endpoints, beyond Doris: cancel, live progress of running compactions,
 * "why (not) compacting" for a tablet, and the scheduler overview the dashboard polls. Ours, so bad
 * input is a 4xx with {@code {"status":"Fail","msg":...}}.
 */
final class OperatorRoutes {
    /** Records as JSON with snake_case keys (explain, overview). */
    static final ObjectMapper SNAKE = Json.MAPPER.copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final Compactor node;

    OperatorRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("compaction").slash("cancel"),
                        () -> post(() -> parameterMap(p -> optionalHeaderValueByName("Authorization",
                                auth -> cancel(p, auth))))),
                path(segment("api").slash("compaction").slash("running"), () -> get(() -> complete(running()))),
                path(segment("api").slash("compaction").slash("explain"),
                        () -> get(() -> parameterMap(this::explain))),
                path(segment("api").slash("compaction").slash("overview"), () -> get(() -> completeWithFuture(
                        node.compaction().overview().thenApply(this::overview)))));
    }

    /** The scheduler overview plus the 20 tablets with the highest scores (the dashboard's list). */
    @SuppressWarnings("unchecked")
    private HttpResponse overview(io.compactor.api.SchedulerOverview o) {
        Map<String, Object> m = SNAKE.convertValue(o, LinkedHashMap.class);
        m.remove("tablets");
        m.put("tablets_total", o.tablets());
        List<Map<String, Object>> top = new ArrayList<>();
        for (var t : node.compaction().stats().topByScore(20)) {
            top.add(Json.obj("tablet_id", t.tabletId(), "table_id", t.tableId(), "version_count", t.versionCount(),
                    "score", t.totalScore(), "cumulative_score", t.cumulativeScore(), "base_score", t.baseScore()));
        }
        m.put("tablets", top);
        return snake(m);
    }

    private static HttpResponse snake(Object body) {
        try {
            return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, SNAKE.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("can not serialize " + body.getClass().getSimpleName(), e);
        }
    }

    private static Route bad(String msg) {
        return complete(Json.fail(StatusCodes.BAD_REQUEST, msg));
    }

    private static HttpResponse failure(Throwable err) {
        Status s = StatusException.statusOf(err);
        return Json.fail(s.is(StatusCode.NOT_FOUND) ? StatusCodes.NOT_FOUND : StatusCodes.INTERNAL_SERVER_ERROR,
                s.msg());
    }

    /** Who cancels: the Basic-auth user when auth is on, else "anonymous"; an optional {@code by} is added. */
    static String who(Optional<String> authorization, String by) {
        String user = "anonymous";
        if (authorization.isPresent() && authorization.get().startsWith("Basic ")) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.get().substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                user = colon > 0 ? decoded.substring(0, colon) : user;
            } catch (IllegalArgumentException e) {
                // not Base64: auth already let it through only when no password is set
            }
        }
        return "http:" + user + (by == null || by.isBlank() ? "" : " (" + by.strip() + ")");
    }

    private Route cancel(Map<String, String> p, Optional<String> auth) {
        String tabletText = p.getOrDefault("tablet_id", "");
        String tableText = p.getOrDefault("table_id", "");
        if (tabletText.isEmpty() == tableText.isEmpty()) {
            return bad("give exactly one of tablet_id and table_id");
        }
        Long id = CompactionRoutes.parseId(tabletText.isEmpty() ? tableText : tabletText);
        if (id == null) {
            return bad("invalid " + (tabletText.isEmpty() ? "table_id: " + tableText : "tablet_id: " + tabletText));
        }
        String typeText = p.getOrDefault("compact_type", "").trim().toLowerCase(Locale.ROOT);
        CompactionType type = null;
        if (typeText.equals("segment") || typeText.equals("segcompaction") || typeText.equals("segment_compaction")) {
            return complete(Json.fail(StatusCodes.CONFLICT, "segment compaction runs inside a load and can not be"
                    + " cancelled on its own: cancelling it would leave the load with too many segments; the load"
                    + " ends it (a load that fails or times out removes its segments)"));
        }
        if (!typeText.isEmpty()) {
            try {
                type = CompactionType.fromDorisName(typeText);
            } catch (IllegalArgumentException e) {
                return bad("invalid compact_type: " + typeText + " (base, cumulative or full; omit it for every kind)");
            }
        }
        String by = who(auth, p.get("by"));
        if (!tabletText.isEmpty() && !node.tables().isLocal(id)) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, Status.tabletNotFound(id).msg()));
        }
        CompletionStage<CancelResult> result = tabletText.isEmpty() ? node.compaction().cancelTable(id, type, by)
                : node.compaction().cancel(id, type, by);
        return completeWithFuture(result.thenApply(r -> {
            List<Map<String, Object>> list = new ArrayList<>();
            for (CancelResult.Cancelled c : r.cancelled()) {
                list.add(Json.obj("tablet_id", c.tabletId(), "compact_type", c.type(), "state", c.state(),
                        "compaction_id", c.taskId(), "stopped", c.stopped()));
            }
            return Json.ok(Json.obj("status", "Success", "msg", r.msg(), "cancelled_by", by, "cancelled", list));
        }).exceptionally(OperatorRoutes::failure));
    }

    private HttpResponse running() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CompactionProgress.Snapshot s : node.compaction().running()) {
            out.add(runningJson(s));
        }
        return Json.ok(Json.obj("status", "Success", "running", out));
    }

    /** One running compaction as {@code /api/compaction/running} and the dashboard show it. */
    static Map<String, Object> runningJson(CompactionProgress.Snapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("compaction_id", s.taskId());
        m.put("tablet_id", s.tabletId());
        m.put("table_id", s.tableId());
        m.put("compact_type", s.type());
        m.put("trigger_method", s.trigger());
        m.put("state", s.state().name().toLowerCase(Locale.ROOT));
        m.put("input_rowsets", s.inputs() == null ? 0 : s.inputs().rowsets());
        m.put("input_versions", s.inputs() == null ? "" : s.inputs().versions());
        m.put("input_rows", s.inputs() == null ? 0 : s.inputs().rows());
        m.put("input_bytes", s.inputs() == null ? 0 : s.inputs().bytes());
        m.put("rows_read", s.rowsRead());
        m.put("bytes_read", s.bytesRead());
        m.put("rows_written", s.rowsWritten());
        m.put("bytes_written", s.bytesWritten());
        m.put("percent", s.percent());
        m.put("rows_per_second", Math.round(s.rowsPerSecond()));
        m.put("elapsed_ms", s.elapsedMs());
        m.put("eta_ms", s.etaMs());
        m.put("vertical_group", s.group());
        m.put("vertical_groups", s.groups());
        m.put("thread", s.thread());
        m.put("granted_time", TimeFormat.millis(s.grantedAtMs()));
        m.put("start_time", TimeFormat.millis(s.startedAtMs()));
        if (s.cancelledBy() != null) {
            m.put("cancelled_by", s.cancelledBy());
            m.put("cancelled_at", TimeFormat.millis(s.cancelledAtMs()));
        }
        return m;
    }

    private Route explain(Map<String, String> p) {
        String text = p.get("tablet_id");
        if (text == null || text.isEmpty()) {
            return bad("missing tablet_id");
        }
        Long id = CompactionRoutes.parseId(text);
        if (id == null) {
            return bad("invalid tablet_id: " + text);
        }
        if (!node.tables().isLocal(id)) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, Status.tabletNotFound(id).msg()));
        }
        return completeWithFuture(node.compaction().explain(id).thenApply(OperatorRoutes::snake)
                .exceptionally(OperatorRoutes::failure));
    }
}
