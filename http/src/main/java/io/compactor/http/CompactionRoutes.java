package io.compactor.http;

import io.compactor.storage.util.StatusCode;
import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.TimeFormat;
import io.compactor.api.CompactionProfile;
import io.compactor.api.TabletCompactionStatus;
import io.compactor.api.TabletStats;
import io.compactor.scheduler.CompactionType;
import io.compactor.scheduler.explain.TabletExplain;
import io.compactor.scheduler.queue.FailureTracker;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.rowset.Version;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Doris-compatible compaction endpoints: run, show, run_status, compaction_score, profile. */
final class CompactionRoutes {
    private static final DateTimeFormatter PATH_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z")
            .withZone(ZoneId.systemDefault());

    private final Compactor node;

    CompactionRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("compaction").slash("run"), () -> post(() -> parameterMap(this::run))),
                path(segment("api").slash("compaction").slash("show"), () -> get(() -> parameterMap(this::show))),
                path(segment("api").slash("compaction").slash("run_status"),
                        () -> get(() -> parameterMap(this::runStatus))),
                path(segment("api").slash("compaction").slash("profile"),
                        () -> get(() -> parameterMap(this::profile))),
                path(segment("api").slash("compaction_score"), () -> get(() -> parameterMap(this::score))));
    }

    private static Route doris(StatusCode code, String msg) {
        return complete(Json.doris(code, msg));
    }

    private static Route doris(Status status) {
        return complete(Json.doris(status));
    }

    /** Parses an id as Doris's std::stoull would; null if it does not parse. */
    static Long parseId(String s) {
        if (s == null || s.isEmpty() || s.length() > 20) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return null;
            }
        }
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Route run(Map<String, String> p) {
        String tabletText = p.getOrDefault("tablet_id", "");
        String tableText = p.getOrDefault("table_id", "");
        if (tabletText.isEmpty() && tableText.isEmpty()) {
            return doris(StatusCode.INTERNAL_ERROR, "tablet id and table id can not be empty at the same time!");
        }
        if (!tabletText.isEmpty() && !tableText.isEmpty()) {
            return doris(StatusCode.INTERNAL_ERROR, "tablet id and table id can not be set at the same time!");
        }
        Long tabletId = tabletText.isEmpty() ? Long.valueOf(0) : parseId(tabletText);
        if (tabletId == null) {
            return doris(StatusCode.INTERNAL_ERROR, "convert tablet_id failed, stoull");
        }
        Long tableId = tableText.isEmpty() ? Long.valueOf(0) : parseId(tableText);
        if (tableId == null) {
            return doris(StatusCode.INTERNAL_ERROR, "convert table_id failed, stoull");
        }
        String typeText = p.getOrDefault("compact_type", "");
        CompactionType type;
        try {
            type = CompactionType.fromDorisName(typeText);
        } catch (IllegalArgumentException e) {
            return doris(StatusCode.NOT_IMPLEMENTED_ERROR, "The compaction type '" + typeText + "' is not supported");
        }
        String remote = p.getOrDefault("remote", "");
        if (!remote.isEmpty() && !remote.equals("true") && !remote.equals("false")) {
            return doris(StatusCode.NOT_IMPLEMENTED_ERROR, "The remote = '" + remote + "' is not supported");
        }
        String success = "compaction task is successfully triggered. Table id: " + tableId + ". Tablet id: " + tabletId;
        if (tableId != 0) {
            return completeWithFuture(runTable(tableId).thenApply(s -> s.ok()
                    ? Json.ok(Json.obj("status", "Success", "msg", success)) : Json.doris(s)));
        }
        if (!node.tables().isLocal(tabletId)) {
            return doris(Status.tabletNotFound(tabletId));
        }
        if (remote.equals("true")) {
            return completeWithFuture(node.compaction().runSingleReplica(tabletId, "MANUAL").thenApply(s -> s.ok()
                    ? Json.ok(Json.obj("status", "Success", "msg", success)) : Json.doris(s)));
        }
        return completeWithFuture(node.compaction().run(tabletId, type, "MANUAL").thenApply(s -> s.ok()
                ? Json.ok(Json.obj("status", "Success", "msg", success)) : Json.doris(s)));
    }

    /** Doris: a full compaction of every tablet of the table; the first submit error is the answer. */
    private CompletionStage<Status> runTable(long tableId) {
        TableMeta t = node.tables().byId(tableId);
        if (t == null) {
            return CompletableFuture.completedFuture(Status.OK);
        }
        CompletionStage<Status> chain = CompletableFuture.completedFuture(Status.OK);
        for (long tabletId : t.tabletIds()) {
            chain = chain.thenCompose(prev -> !prev.ok() ? CompletableFuture.completedFuture(prev)
                    : node.compaction().submit(tabletId, CompactionType.FULL, "MANUAL_TABLE"));
        }
        return chain;
    }

    private Route show(Map<String, String> p) {
        String text = p.get("tablet_id");
        if (text == null || text.isEmpty()) {
            return doris(StatusCode.INTERNAL_ERROR, "check param failed: missing tablet_id");
        }
        Long id = parseId(text);
        if (id == null) {
            return doris(StatusCode.INTERNAL_ERROR, "convert tablet_id failed, stoull");
        }
        if (!node.tables().isLocal(id)) {
            return doris(Status.tabletNotFound(id));
        }
        var explain = node.compaction().explain(id).exceptionally(err -> null);
        return completeWithFuture(node.compaction().status(id)
                .thenCombine(node.compaction().failures(id), (st, f) -> showBody(st, f))
                .thenCombine(explain, (body, e) -> withStuck(body, e))
                .exceptionally(CompactionRoutes::statusError));
    }

    private static HttpResponse statusError(Throwable err) {
        Status s = StatusException.statusOf(err);
        return Json.doris(s);
    }

    /** Ours: the watchdog's report of the tablet ({@code null} when it is not stuck) and explain's summary. */
    private static HttpResponse withStuck(Map<String, Object> body, TabletExplain e) {
        var s = e == null ? null : e.stuck();
        body.put("stuck", s == null ? null : Json.obj("reason", s.reason().label(), "since",
                TimeFormat.millis(s.sinceMs()), "detail", s.detail(), "explain", e.summary()));
        return Json.ok(body);
    }

    private Map<String, Object> showBody(TabletCompactionStatus st, List<FailureTracker.FailureState> failures) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cumulative policy type", st.policy());
        m.put("cumulative point", st.meta().cumulativePoint());
        for (String what : List.of("failure", "success", "schedule")) {
            for (CompactionType t : List.of(CompactionType.CUMULATIVE, CompactionType.BASE, CompactionType.FULL)) {
                Map<CompactionType, Long> times = switch (what) {
                    case "failure" -> st.lastFailure();
                    case "success" -> st.lastSuccess();
                    default -> st.lastSchedule();
                };
                m.put("last " + t.dorisName() + " " + what + " time", TimeFormat.millis(times.get(t)));
            }
        }
        for (CompactionType t : List.of(CompactionType.CUMULATIVE, CompactionType.BASE, CompactionType.FULL)) {
            var last = st.lastStatus().get(t);
            m.put("last " + t.dorisName() + " status", last == null ? "" : last.toString());
        }
        if (st.singleReplica() != null) {
            m.put("single replica compaction status", Json.obj("remote peer", st.singleReplica().remotePeer(),
                    "last failure status", st.singleReplica().lastFailureStatus(),
                    "last fetched rowset", st.singleReplica().lastFetchedRowset()));
        }
        List<String> rowsets = new ArrayList<>();
        for (RowsetMeta r : st.meta().rowsets()) {
            rowsets.add(DorisFormat.rowsetInfo(r));
        }
        m.put("rowsets", rowsets);
        m.put("missing_rowsets", st.meta().missingVersions().stream().map(Version::toString).toList());
        List<String> stale = new ArrayList<>();
        for (StaleRowset s : st.meta().staleRowsets()) {
            stale.add(DorisFormat.rowsetInfo(s.rowset()));
        }
        m.put("stale_rowsets", stale);
        m.put("stale version path", stalePaths(st.meta().staleRowsets()));
        List<Map<String, Object>> fs = new ArrayList<>();
        for (FailureTracker.FailureState f : failures) {
            fs.add(Json.obj("compact_type", f.type().dorisName(), "consecutive_failures", f.consecutiveFailures(),
                    "last_failure_time", TimeFormat.millis(f.lastFailureMs()),
                    "next_try_time", TimeFormat.millis(f.backoffUntilMs()), "quarantined", f.quarantined(),
                    "last_status", f.lastStatus()));
        }
        m.put("compaction failure back-off", fs);
        var bad = node.ops().badTablets().reason(st.meta().tabletId());
        m.put("is_bad", bad.isPresent());
        bad.ifPresent(reason -> m.put("bad reason", reason));
        return m;
    }

    /** One path per compaction that replaced rowsets: the inputs it made stale, by stale time. */
    private static List<Map<String, Object>> stalePaths(List<StaleRowset> stale) {
        Map<Long, List<RowsetMeta>> byTime = new TreeMap<>();
        for (StaleRowset s : stale) {
            byTime.computeIfAbsent(s.staleAtMs(), k -> new ArrayList<>()).add(s.rowset());
        }
        List<Map<String, Object>> out = new ArrayList<>();
        int id = 0;
        for (var e : byTime.entrySet()) {
            StringBuilder path = new StringBuilder().append(id);
            e.getValue().stream().sorted((a, b) -> a.version().compareTo(b.version()))
                    .forEach(r -> path.append(" -> ").append(r.version()));
            out.add(Json.obj("path id", String.valueOf(id), "last create time",
                    PATH_TIME.format(Instant.ofEpochMilli(e.getKey())), "path list", path.toString()));
            id++;
        }
        return out;
    }

    private Route runStatus(Map<String, String> p) {
        String text = p.get("tablet_id");
        if (text == null || text.isEmpty()) {
            return completeWithFuture(node.compaction().registry().thenApply(reg -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("BaseCompaction", ids(reg.tasks().get(CompactionType.BASE)));
                m.put("CumulativeCompaction", ids(reg.tasks().get(CompactionType.CUMULATIVE)));
                m.put("FullCompaction", ids(reg.tasks().get(CompactionType.FULL)));
                return Json.ok(m);
            }));
        }
        Long id = parseId(text);
        if (id == null || !node.tables().isLocal(id)) {
            return doris(StatusCode.INTERNAL_ERROR, "fail to get " + text);
        }
        return completeWithFuture(node.compaction().status(id).thenApply(st -> {
            String type = st.running().contains(CompactionType.FULL) ? "full"
                    : st.running().contains(CompactionType.CUMULATIVE) ? "cumulative"
                    : st.running().contains(CompactionType.BASE) ? "base" : "";
            boolean running = !type.isEmpty();
            return Json.ok(Json.obj("status", "Success", "run_status", running, "msg", running
                            ? "compaction task for this tablet is running" : "compaction task for this tablet is not running",
                    "tablet_id", id, "compact_type", type));
        }).exceptionally(CompactionRoutes::statusError));
    }

    private static Map<String, List<String>> ids(Map<String, List<Long>> byDir) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (byDir != null) {
            byDir.forEach((dir, list) -> out.put(dir, list.stream().map(String::valueOf).toList()));
        }
        return out;
    }

    private Route score(Map<String, String> p) {
        int topN = Integer.MAX_VALUE;
        String text = p.get("top_n");
        if (text != null) {
            Long n = parseId(text);
            if (n == null) {
                return complete(Json.response(StatusCodes.BAD_REQUEST,
                        Json.obj("status", "INVALID_ARGUMENT", "msg", "invalid argument: top_n=" + text)));
            }
            topN = (int) Math.min(Integer.MAX_VALUE, n);
        }
        if (p.containsKey("sync_meta")) {
            return complete(Json.response(StatusCodes.BAD_REQUEST, Json.obj("status", "INVALID_ARGUMENT",
                    "msg", "param `sync_meta` is only available for cloud mode")));
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (TabletStats s : node.compaction().stats().topByScore(topN)) {
            out.add(Map.of("compaction_score", String.valueOf(s.totalScore()), "tablet_id", String.valueOf(s.tabletId())));
        }
        List<Map<String, Object>> ordered = new ArrayList<>();
        for (Map<String, String> e : out) {
            ordered.add(Json.obj("compaction_score", e.get("compaction_score"), "tablet_id", e.get("tablet_id")));
        }
        return complete(Json.ok(ordered));
    }

    private Route profile(Map<String, String> p) {
        Long tablet = null;
        if (p.containsKey("tablet_id")) {
            tablet = parseId(p.get("tablet_id"));
            if (tablet == null) {
                return complete(Json.response(StatusCodes.BAD_REQUEST,
                        Json.obj("status", "Error", "msg", "invalid tablet_id: " + p.get("tablet_id"))));
            }
        }
        int topN = 0;
        if (p.containsKey("top_n")) {
            Long n = parseId(p.get("top_n"));
            if (n == null) {
                return complete(Json.response(StatusCodes.BAD_REQUEST,
                        Json.obj("status", "Error", "msg", "invalid top_n: " + p.get("top_n"))));
            }
            topN = (int) Math.min(Integer.MAX_VALUE, n);
        }
        String type = p.get("compact_type");
        if (type != null && !List.of("base", "cumulative", "full").contains(type)) {
            return complete(Json.response(StatusCodes.BAD_REQUEST, Json.obj("status", "Error",
                    "msg", "invalid compact_type: " + type + " (base, cumulative or full)")));
        }
        String success = p.get("success");
        if (success != null && !success.equals("true") && !success.equals("false")) {
            return complete(Json.response(StatusCodes.BAD_REQUEST,
                    Json.obj("status", "Error", "msg", "invalid success: " + success + " (true or false)")));
        }
        Long t = tablet;
        List<CompactionProfile> found = node.compaction().profiles(pr -> (t == null || pr.tabletId() == t)
                && (type == null || pr.compactionType().equals(type))
                && (success == null || pr.success() == Boolean.parseBoolean(success)), topN);
        return complete(Json.ok(Json.obj("status", "Success", "compaction_profiles", found)));
    }
}
