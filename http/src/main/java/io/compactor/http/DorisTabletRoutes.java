package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.TabletStats;
import io.compactor.storage.rowset.RowsetMeta;
import io.compactor.storage.tablet.StaleRowset;
import io.compactor.storage.tablet.TabletMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import io.compactor.storage.util.StatusException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.roaringbitmap.RoaringBitmap;

/**
 * Doris BE's operator endpoints about tablets: {@code /api/meta/header/{tablet_id}} (the tablet
 * meta: rowset metas, cumulative point), {@code /api/tablets_json}, {@code /api/tablets_distribution},
 * {@code /api/delete_bitmap/count_agg_cache} and {@code /api/be_version_info}, with Doris's JSON
 * shapes. A path under one of Doris's endpoint namespaces that is no endpoint answers 404 naming
 * the path (it is never taken for a {@code /api/{db}/{table}} table route).
 */
final class DorisTabletRoutes {
    /** First path segments that are endpoint namespaces, never database names. */
    private static final List<String> NAMESPACES = List.of("compaction", "delete_bitmap", "meta", "debug_point",
            "_tablet", "_single_replica", "tablets_json", "tablets_distribution", "be_version_info", "health",
            "update_config", "show_config", "check_tablet", "check_tablet_segment_lost", "compaction_score",
            "_load_error_log", "cluster");
    private static final String VERSION = "0.1.0";

    private final Compactor node;

    DorisTabletRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("meta").slash("header").slash(segment()), id -> get(() -> header(id))),
                path(segment("api").slash("tablets_json"), () -> get(() -> parameterOptional("limit",
                        limit -> tabletsJson(limit.orElse("1000"))))),
                path(segment("api").slash("tablets_distribution"), () -> get(() -> parameterMap(this::distribution))),
                path(segment("api").slash("delete_bitmap").slash("count_agg_cache"),
                        () -> get(() -> parameterMap(this::countAggCache))),
                path(segment("api").slash("be_version_info"), () -> get(() -> complete(Json.ok(versionInfo())))));
    }

    /** Endpoint paths (under {@code /api/}) of more than one segment; a wrong method on them stays a 405. */
    private static final List<String> ENDPOINTS = List.of("compaction/run", "compaction/show", "compaction/run_status",
            "compaction/profile", "delete_bitmap/count_local", "delete_bitmap/count_agg_cache", "meta/header/",
            "debug_point/add/", "debug_point/remove/", "debug_point/clear", "_tablet/", "_single_replica/");

    /**
     * The last route before the table routes: a path under an endpoint namespace that is no
     * endpoint is 404 naming it. An endpoint's own path passes on, so a wrong method there is
     * still Pekko's 405.
     */
    static Route unknownEndpoints() {
        return pathPrefix(segment("api").slash(segment()), first -> NAMESPACES.contains(first)
                ? extractUri(uri -> {
                    String rest = uri.path().substring(Math.min(uri.path().length(), "/api/".length()));
                    boolean endpoint = !rest.contains("/") || ENDPOINTS.stream().anyMatch(e -> e.endsWith("/")
                            ? rest.startsWith(e) : rest.equals(e));
                    return endpoint ? reject()
                            : complete(Json.fail(StatusCodes.NOT_FOUND, "no endpoint " + uri.path()));
                })
                : reject());
    }

    private Route header(String idText) {
        Long id = CompactionRoutes.parseId(idText);
        if (id == null) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR, "convert tablet_id failed, " + idText));
        }
        if (!node.tables().isLocal(id)) {
            return complete(Json.doris(StatusCode.NOT_FOUND, "no tablet for tablet_id:" + id));
        }
        return completeWithFuture(node.reads().tabletMeta(id).handle((meta, err) -> err == null
                ? Json.ok(tabletMeta(meta))
                : Json.doris(StatusException.statusOf(err))));
    }

    /** The tablet meta as Doris prints its TabletMetaPB (the fields Compactor has). */
    private Map<String, Object> tabletMeta(TabletMeta t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("table_id", t.tableId());
        m.put("partition_id", t.tableId());
        m.put("tablet_id", t.tabletId());
        m.put("schema_hash", 0);
        m.put("shard_id", t.bucket());
        m.put("cumulative_layer_point", t.cumulativePoint());
        m.put("tablet_state", "PB_RUNNING");
        m.put("data_dir", t.dataDir());
        List<Map<String, Object>> rs = new ArrayList<>();
        for (RowsetMeta r : t.rowsets()) {
            rs.add(rowsetMeta(r));
        }
        m.put("rs_metas", rs);
        List<Map<String, Object>> stale = new ArrayList<>();
        for (StaleRowset s : t.staleRowsets()) {
            stale.add(rowsetMeta(s.rowset()));
        }
        m.put("stale_rs_metas", stale);
        m.put("preferred_rowset_type", "BETA_ROWSET");
        m.put("tablet_type", "TABLET_TYPE_DISK");
        return m;
    }

    private static Map<String, Object> rowsetMeta(RowsetMeta r) {
        return Json.obj("rowset_id", 0, "rowset_id_v2", r.rowsetId().toString(), "tablet_id", r.tabletId(),
                "txn_id", r.txnId(), "rowset_type", "BETA_ROWSET", "rowset_state", "VISIBLE",
                "start_version", r.startVersion(), "end_version", r.endVersion(), "num_rows", r.numRows(),
                "total_disk_size", r.totalBytes(), "data_disk_size", r.totalBytes(), "index_disk_size", 0,
                "empty", r.isEmpty(), "creation_time", r.creationTimeMs() / 1000, "num_segments", r.numSegments(),
                "segments_overlap_pb", r.overlap().name(), "compaction_level", r.compactionLevel());
    }

    /** Doris's TabletsInfoAction: {@code {"msg": "OK", "code": 0, "data": {"host", "tablets"}, "count"}}. */
    private Route tabletsJson(String limitText) {
        long limit;
        if (limitText.equals("all")) {
            limit = Long.MAX_VALUE;
        } else {
            try {
                limit = Long.parseLong(limitText);
            } catch (NumberFormatException e) {
                return complete(Json.ok(Json.obj("msg", "Parameter limit is invalid: " + limitText, "code", 1,
                        "data", Json.obj(), "count", 0)));
            }
        }
        List<Map<String, Object>> tablets = new ArrayList<>();
        for (TabletStats t : sortedStats()) {
            if (tablets.size() >= limit) {
                break;
            }
            tablets.add(Json.obj("tablet_id", t.tabletId(), "schema_hash", 0));
        }
        return complete(Json.ok(Json.obj("msg", "OK", "code", 0, "data", Json.obj("host", host(), "tablets",
                tablets), "count", tablets.size())));
    }

    /**
     * Doris's TabletsDistributionAction ({@code group_by=partition}, optional {@code partition_id}):
     * tablets per partition and disk. A Compactor table is one partition, its id the table id.
     */
    private Route distribution(Map<String, String> p) {
        String groupBy = p.getOrDefault("group_by", "");
        if (!groupBy.equals("partition")) {
            return complete(Json.ok(Json.obj("msg", "Parameter group_by must be partition", "code", 1, "data",
                    Json.obj(), "count", 0)));
        }
        Long only = null;
        if (p.containsKey("partition_id")) {
            only = CompactionRoutes.parseId(p.get("partition_id"));
            if (only == null) {
                return complete(Json.ok(Json.obj("msg", "Parameter partition_id is invalid: " + p.get("partition_id"),
                        "code", 1, "data", Json.obj(), "count", 0)));
            }
        }
        Map<Long, Map<String, List<TabletStats>>> byPartition = new TreeMap<>();
        for (TabletStats t : sortedStats()) {
            if (only == null || only == t.tableId()) {
                byPartition.computeIfAbsent(t.tableId(), k -> new TreeMap<>())
                        .computeIfAbsent(t.dataDir(), k -> new ArrayList<>()).add(t);
            }
        }
        List<Map<String, Object>> partitions = new ArrayList<>();
        long count = 0;
        for (var e : byPartition.entrySet()) {
            List<Map<String, Object>> disks = new ArrayList<>();
            for (var d : e.getValue().entrySet()) {
                List<Map<String, Object>> tablets = new ArrayList<>();
                for (TabletStats t : d.getValue()) {
                    tablets.add(Json.obj("tablet_id", t.tabletId(), "schema_hash", 0, "tablet_size", t.bytes()));
                }
                count += tablets.size();
                disks.add(Json.obj("disk_path_hash", pathHash(d.getKey()), "disk_path", d.getKey(), "tablets_num",
                        tablets.size(), "tablets", tablets));
            }
            partitions.add(Json.obj("partition_id", e.getKey(), "disks", disks));
        }
        return complete(Json.ok(Json.obj("msg", "OK", "code", 0, "data", Json.obj("host", host(),
                "tablets_distribution", partitions), "count", count)));
    }

    /** Doris's DeleteBitmapAction COUNT_AGG_CACHE: the aggregated (per segment) delete bitmap. */
    private Route countAggCache(Map<String, String> p) {
        return MowRoutes.withLocalTablet(node, p, this::countAggCache);
    }

    private Route countAggCache(long id) {
        return completeWithFuture(node.reads().snapshot(id).handle((snap, err) -> {
            if (err != null) {
                return Json.doris(StatusException.statusOf(err));
            }
            try (snap) {
                long count = 0;
                long cardinality = 0;
                long size = 0;
                if (snap.deleted() != null) {
                    for (RoaringBitmap b : snap.deleted().values()) {
                        count++;
                        cardinality += b.getLongCardinality();
                        size += b.serializedSizeInBytes();
                    }
                }
                return Json.ok(Json.obj("delete_bitmap_count", count, "cardinality", cardinality, "size", size));
            }
        }));
    }

    /** Doris's BeVersionInfoAction shape, with Compactor's version. */
    private static Map<String, Object> versionInfo() {
        String v = DorisTabletRoutes.class.getPackage().getImplementationVersion();
        String version = v == null ? VERSION : v;
        String[] parts = version.replaceAll("[^0-9.].*$", "").split("\\.");
        return Json.obj("msg", "success", "code", 0, "data", Json.obj("beVersionInfo", Json.obj(
                "dorisBuildVersionPrefix", "compactor",
                "dorisBuildVersionMajor", part(parts, 0), "dorisBuildVersionMinor", part(parts, 1),
                "dorisBuildVersionPatch", part(parts, 2), "dorisBuildVersionRcVersion", "",
                "dorisBuildVersion", "compactor-" + version, "dorisBuildHash", "", "dorisBuildShortHash", "",
                "dorisBuildTime", "", "dorisBuildInfo", "Compactor " + version)), "count", 0);
    }

    private static int part(String[] parts, int i) {
        try {
            return i < parts.length ? Integer.parseInt(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private List<TabletStats> sortedStats() {
        List<TabletStats> all = new ArrayList<>(node.compaction().stats().all());
        all.sort(java.util.Comparator.comparingLong(TabletStats::tabletId));
        return all;
    }

    private String host() {
        String self = node.cluster().self();
        return self == null ? "127.0.0.1" : self;
    }

    private static long pathHash(String path) {
        long h = 1125899906842597L;
        for (int i = 0; i < path.length(); i++) {
            h = 31 * h + path.charAt(i);
        }
        return h;
    }
}
