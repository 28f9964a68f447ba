package io.compactor.http;

import io.compactor.storage.util.StatusCode;
import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.api.TabletStats;
import io.compactor.api.StreamLoadRequest;
import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.util.ByteString;

/** Table DDL, stream load and verification reads: {@code /api/{db}/{table}...} and {@code /api/tables}. */
final class TableRoutes {
    private static final Duration BODY_TIMEOUT = Duration.ofMinutes(10);
    private final Compactor node;

    TableRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("tables"), () -> get(() -> complete(Json.ok(Json.obj(
                        "status", "Success", "tables", node.tables().list().stream().map(this::tableSummary).toList()))))),
                path(segment("api").slash(segment()).slash(segment()).slash("_stream_load"),
                        (db, table) -> put(() -> streamLoad(db, table))),
                path(segment("api").slash(segment()).slash(segment()).slash("_properties"),
                        (db, table) -> put(() -> withBody(64 << 10, body -> alter(db, table, body)))),
                path(segment("api").slash(segment()).slash(segment()).slash("_count"),
                        (db, table) -> get(() -> read(node.reads().count(db, table).thenApply(n -> Json.ok(Json.obj("rows", n)))))),
                path(segment("api").slash(segment()).slash(segment()).slash("_scan"),
                        (db, table) -> get(() -> scan(db, table))),
                path(segment("api").slash(segment()).slash(segment()).slash("_get"),
                        (db, table) -> get(() -> parameterMap(params -> lookup(db, table, params)))),
                path(segment("api").slash(segment()).slash(segment()), (db, table) -> concat(
                        put(() -> withBody(1 << 20, body -> create(db, table, body))),
                        get(() -> describe(db, table)),
                        delete(() -> drop(db, table)))));
    }

    /**
     * Bodies up to this size are read to the end even when the endpoint's own limit is smaller, so
     * the "too large" answer goes out on a healthy connection: a server that answers early and
     * closes with unread request bytes makes the kernel reset the connection, and the client may
     * never see the answer.
     */
    private static final long DRAIN_LIMIT = 16L << 20;

    private Route withBody(long limit, java.util.function.Function<byte[], Route> inner) {
        return withSizeLimit(Math.max(limit, DRAIN_LIMIT), () -> entity(Unmarshaller.entityToByteString(),
                (ByteString bs) -> bs.size() > limit
                        ? complete(Json.fail(StatusCodes.PAYLOAD_TOO_LARGE, "request body too large: " + bs.size()
                        + " bytes (at most " + limit + ")"))
                        : inner.apply(bs.toArray())));
    }

    private Route create(String db, String table, byte[] body) {
        try {
            var spec = TableRequests.createSpec(db, table, body);
            return completeWithFuture(node.tables().create(spec).handle((t, err) -> {
                if (err == null) {
                    return Json.ok(Json.obj("status", "Success", "table_id", t.tableId(), "tablets", t.tabletIds()));
                }
                return ddlError(err);
            }));
        } catch (IllegalArgumentException e) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
    }

    private Route alter(String db, String table, byte[] body) {
        try {
            Map<String, String> changes = TableRequests.properties(TableRequests.parseObject(body));
            if (changes.isEmpty()) {
                return complete(Json.fail(StatusCodes.BAD_REQUEST, "no property to change"));
            }
            return completeWithFuture(node.tables().alter(db, table, changes).handle((t, err) -> err == null
                    ? Json.ok(Json.obj("status", "Success", "table_id", t.tableId(),
                    "properties", t.properties().toMap()))
                    : ddlError(err)));
        } catch (IllegalArgumentException e) {
            return complete(Json.fail(StatusCodes.BAD_REQUEST, e.getMessage()));
        }
    }

    private Route drop(String db, String table) {
        return completeWithFuture(node.tables().drop(db, table).handle((t, err) -> err == null
                ? Json.ok(Json.obj("status", "Success", "table_id", t.tableId()))
                : ddlError(err)));
    }

    private static HttpResponse ddlError(Throwable err) {
        Status s = StatusException.statusOf(err);
        return switch (s.code()) {
            case ALREADY_EXIST -> Json.fail(StatusCodes.CONFLICT, s.msg());
            case NOT_FOUND -> Json.fail(StatusCodes.NOT_FOUND, s.msg());
            case INVALID_ARGUMENT -> Json.fail(StatusCodes.BAD_REQUEST, s.msg());
            default -> Json.fail(StatusCodes.INTERNAL_SERVER_ERROR, s.msg());
        };
    }

    private Route describe(String db, String table) {
        TableMeta t = node.tables().get(db, table);
        if (t == null) {
            return complete(Json.fail(StatusCodes.NOT_FOUND, "Unknown table '" + table + "' in database '" + db + "'"));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "Success");
        body.put("db", t.db());
        body.put("table", t.name());
        body.put("table_id", t.tableId());
        body.put("keys_type", t.schema().keysType().name());
        List<Map<String, Object>> cols = new ArrayList<>();
        for (int i = 0; i < t.schema().visibleColumnCount(); i++) {
            Column c = t.schema().column(i);
            cols.add(Json.obj("name", c.name(), "type", c.typeString(), "nullable", c.nullable(),
                    "is_key", i < t.schema().keyCount()));
        }
        body.put("columns", cols);
        body.put("key_columns", t.schema().columns().subList(0, t.schema().keyCount()).stream().map(Column::name).toList());
        body.put("buckets", t.buckets());
        body.put("replication_num", t.replicationNum());
        Map<String, String> props = new LinkedHashMap<>(t.properties().toMap());
        if (t.schema().sequenceIndex() >= 0) {
            props.put(io.compactor.storage.schema.HiddenColumns.SEQUENCE_TYPE,
                    t.schema().column(t.schema().sequenceIndex()).typeString());
        }
        body.put("properties", props);
        List<Map<String, Object>> tablets = new ArrayList<>();
        for (long id : t.tabletIds()) {
            TabletStats s = node.compaction().stats().get(id);
            List<Map<String, Object>> replicas = new ArrayList<>();
            if (t.isPlaced()) {
                List<String> nodes = t.replicaNodes(id);
                String self = node.cluster().self();
                for (int i = 0; i < nodes.size(); i++) {
                    boolean local = nodes.get(i).equals(self);
                    replicas.add(Json.obj("node", nodes.get(i), "replica_id", TableMeta.replicaId(id, i),
                            "data_dir", local && s != null ? s.dataDir() : null, "local", local));
                }
            } else {
                replicas.add(Json.obj("node", "local", "data_dir", s == null ? "" : s.dataDir()));
            }
            tablets.add(Json.obj("tablet_id", id,
                    "replicas", replicas,
                    "version_count", s == null ? 0 : s.versionCount(),
                    "compaction_score", s == null ? 0 : s.totalScore(),
                    "max_version", s == null ? 0 : s.maxVersion()));
        }
        body.put("tablets", tablets);
        return complete(Json.ok(body));
    }

    private Map<String, Object> tableSummary(TableMeta t) {
        return Json.obj("db", t.db(), "table", t.name(), "table_id", t.tableId(),
                "keys_type", t.schema().keysType().name(), "buckets", t.buckets(), "tablets", t.tabletIds());
    }

    private Route streamLoad(String db, String table) {
        long limit = node.ops().config().getLong(io.compactor.api.NodeKeys.STREAM_LOAD_MAX_BODY_BYTES) << 20;
        // A load may take up to load_timeout_seconds; Pekko's request-timeout would answer 503 first.
        Duration timeout = Duration.ofSeconds(node.ops().config().getLong(io.compactor.api.NodeKeys.LOAD_TIMEOUT_SECONDS))
                .plus(Duration.ofSeconds(60));
        return withRequestTimeout(timeout, () -> extractRequest(req -> {
            String label = header(req, "label");
            StreamLoadRequest request;
            try {
                request = StreamLoadHeaders.read(name -> header(req, name))
                        .withGroupCommit(GroupCommitHeader.mode(name -> header(req, name)));
            } catch (StreamLoadHeaders.Refused e) {
                return answerAfterDraining(req, loadFail(label, e.status().toString()));
            } catch (IllegalArgumentException e) {
                return answerAfterDraining(req, loadFail(label, e.getMessage()));
            }
            String base = "http://" + req.getHeader("Host").map(h -> h.value()).orElse("127.0.0.1");
            if (request.groupCommit() == io.compactor.api.GroupCommitMode.OFF_MODE && node.loads().saturated()) {
                // Busy: answer at once, before reading a body that could not be loaded now. Not
                // drained: under overload reading every refused body would cost more than the rare
                // client that loses this answer to a connection reset (it retries either way).
                return complete(loadFail(label, "[" + StatusCode.SERVICE_UNAVAILABLE + "]too many concurrent loads, try again later"));
            }
            var declared = req.entity().getContentLengthOption();
            if (declared.isPresent() && declared.getAsLong() > limit) {
                return answerAfterDraining(req, loadFail(label, tooLarge(limit, declared.getAsLong())));
            }
            // The limit on the entity itself: the route-level withSizeLimit does not reach the
            // request captured above, which left Pekko's 8 MB default in force.
            return extractMaterializer(mat -> completeWithFuture(
                    req.entity().withSizeLimit(limit).toStrict(BODY_TIMEOUT.toMillis(), mat)
                            .thenCompose(strict -> node.loads().streamLoad(db, table, strict.getData().toArray(), request))
                            .thenApply(r -> loadAnswer(r.errorUrl() == null ? r : r.withRows(r.numberUnselectedRows(),
                                    base + r.errorUrl())))
                            .exceptionally(err -> loadFail(label, bodyError(err, limit)))));
        }));
    }

    /**
     * Answers a request whose body will not be used: a body of up to {@link #DRAIN_LIMIT} bytes is
     * read and discarded first (streamed, not held), so the answer is not lost to a connection
     * reset; a larger one is answered at once and its connection closed.
     */
    private static Route answerAfterDraining(HttpRequest req, HttpResponse answer) {
        var length = req.entity().getContentLengthOption();
        if (length.isPresent() && length.getAsLong() <= DRAIN_LIMIT) {
            return extractMaterializer(mat -> completeWithFuture(
                    req.discardEntityBytes(mat).completionStage().handle((done, err) -> answer)));
        }
        return complete(answer);
    }

    /** Doris's EXCEEDED_LIMIT text for a body over {@code streaming_load_max_mb}. */
    private static String tooLarge(long limit, long size) {
        return "[EXCEEDED_LIMIT]body size " + size + " bytes (" + String.format(java.util.Locale.ROOT, "%.2f",
                size / (double) (1 << 20)) + " MiB) exceeds the limit of " + limit + " bytes (" + (limit >> 20)
                + " MiB) set by BE's conf streaming_load_max_mb. Increase it if you are sure this load is reasonable";
    }

    /** The body could not be read: too large, or cut off / malformed (chunking). */
    private static String bodyError(Throwable err, long limit) {
        for (Throwable t = err; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.apache.pekko.http.scaladsl.model.EntityStreamSizeException e) {
                return tooLarge(limit, e.actualSize().isDefined() ? (Long) e.actualSize().get() : limit + 1);
            }
            if (t instanceof org.apache.pekko.http.scaladsl.model.EntityStreamException
                    || t instanceof org.apache.pekko.http.scaladsl.model.IllegalRequestException) {
                return "failed to read the request body: " + t.getMessage();
            }
        }
        return "failed to read the request body: " + StatusException.statusOf(err).msg();
    }

    /** A stream-load answer for a load refused before it started (nothing written). */
    private static HttpResponse loadFail(String label, String message) {
        return loadAnswer(io.compactor.api.LoadResult.fail(0, label == null ? "" : label, message, 0, 0, 0, 0));
    }

    /** Doris's stream-load answer: the pretty JSON and a new line at the end. */
    private static HttpResponse loadAnswer(io.compactor.api.LoadResult r) {
        byte[] json = Json.bytes(r);
        byte[] body = java.util.Arrays.copyOf(json, json.length + 1);
        body[json.length] = '\n';
        return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, body);
    }

    private static String header(HttpRequest req, String name) {
        return req.getHeader(name).map(h -> h.value()).orElse(null);
    }

    private Route read(CompletionStage<HttpResponse> result) {
        return completeWithFuture(result.exceptionally(TableRoutes::readError));
    }

    private static HttpResponse readError(Throwable err) {
        Status s = StatusException.statusOf(err);
        return switch (s.code()) {
            case NOT_FOUND -> Json.fail(StatusCodes.NOT_FOUND, s.msg());
            case SERVICE_UNAVAILABLE -> Json.fail(StatusCodes.TOO_MANY_REQUESTS, s.msg());
            case INVALID_ARGUMENT -> Json.fail(StatusCodes.BAD_REQUEST, s.msg());
            default -> Json.fail(StatusCodes.INTERNAL_SERVER_ERROR, s.msg());
        };
    }

    private Route scan(String db, String table) {
        return parameterOptional("format", format -> parameterOptional("limit", limitText -> {
            String fmt = format.orElse("csv");
            if (!fmt.equals("csv") && !fmt.equals("json")) {
                return complete(Json.fail(StatusCodes.BAD_REQUEST, "format must be csv or json (got '" + fmt + "')"));
            }
            long limit;
            try {
                limit = limitText.map(Long::parseLong).orElse(Long.MAX_VALUE);
                if (limit < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                return complete(Json.fail(StatusCodes.BAD_REQUEST,
                        "limit must be a non-negative integer (got '" + limitText.orElse("") + "')"));
            }
            return read(node.reads().scan(db, table, limit).thenApply(rows -> fmt.equals("json") ? scanJson(rows) : scanCsv(rows)));
        }));
    }

    private static HttpResponse scanCsv(RowBatch rows) {
        StringBuilder sb = new StringBuilder(rows.size() * 32);
        int cols = rows.schema().visibleColumnCount();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    sb.append('\t');
                }
                sb.append(rows.text(r, c));
            }
            sb.append('\n');
        }
        return HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse scanJson(RowBatch rows) {
        List<Map<String, Object>> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            out.add(rowObject(rows, r));
        }
        return Json.ok(out);
    }

    static Map<String, Object> rowObject(RowBatch rows, int r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int c = 0; c < rows.schema().visibleColumnCount(); c++) {
            m.put(rows.schema().column(c).name(), rows.value(r, c));
        }
        return m;
    }

    private Route lookup(String db, String table, Map<String, String> params) {
        return read(node.reads().get(db, table, params).thenApply(row -> row.size() == 0
                ? Json.fail(StatusCodes.NOT_FOUND, "no row with key " + params)
                : Json.ok(rowObject(row, 0))));
    }
}
