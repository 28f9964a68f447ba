package io.compactor.http;

import static org.apache.pekko.http.javadsl.server.Directives.*;
import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.compactor.actors.Compactor;
import io.compactor.storage.util.StatusCode;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;

/** Doris BE endpoints around stream load: the error log of rejected rows ({@code ErrorURL}). */
final class DorisRoutes {
    private final Compactor node;

    DorisRoutes(Compactor node) {
        this.node = node;
    }

    Route route() {
        return concat(
                path(segment("api").slash("_load_error_log"), () -> get(() -> parameterOptional("file",
                        file -> complete(errorLog(file.orElse("")))))),
                path(segment("api").slash(segment()).slash("_stream_load_2pc"), db -> concat(
                        put(() -> extractRequest(req -> twoPhase(db, header(req, "txn_id"), header(req, "label"),
                                header(req, "txn_operation")))),
                        get(() -> complete(Json.ok(prepared(db)))))));
    }

    private static String header(org.apache.pekko.http.javadsl.model.HttpRequest req, String name) {
        return req.getHeader(name).map(h -> h.value()).filter(v -> !v.isEmpty()).orElse(null);
    }

    /**
     * Doris's {@code _stream_load_2pc} (be/src/http/action/stream_load_2pc.cpp): headers
     * {@code txn_operation} (commit or abort) and {@code txn_id} or {@code label}; answers
     * {@code {"status": "Success", "msg": "transaction [N] commit successfully."}} or Doris's error
     * object, always HTTP 200.
     */
    private Route twoPhase(String db, String txnIdText, String label, String operation) {
        Long txnId = null;
        if (txnIdText != null || label == null) {
            try {
                txnId = Long.parseUnsignedLong(txnIdText == null ? "" : txnIdText.trim());
            } catch (NumberFormatException e) {
                return complete(Json.doris(StatusCode.INTERNAL_ERROR, "convert txn_id [" + (txnIdText == null ? ""
                        : txnIdText) + "] failed"));
            }
        }
        if (!"commit".equals(operation) && !"abort".equals(operation)) {
            return complete(Json.doris(StatusCode.INTERNAL_ERROR, "transaction operation should be 'commit' or 'abort'"));
        }
        return completeWithFuture(node.loads().operateTwoPhase(db, txnId, label, operation.equals("commit"))
                .thenApply(r -> r.status().ok()
                        ? Json.ok(Json.obj("status", "Success", "msg", "transaction [" + r.txnId() + "] " + operation
                        + " successfully."))
                        : Json.doris(r.status())));
    }

    /** Ours: the prepared loads of a database, with Doris's field names. */
    private java.util.List<java.util.Map<String, Object>> prepared(String db) {
        java.util.List<java.util.Map<String, Object>> out = new java.util.ArrayList<>();
        for (var p : node.loads().preparedLoads(db)) {
            out.add(Json.obj("TxnId", p.txnId(), "Label", p.label(), "Db", p.db(), "Table", p.table(),
                    "TransactionStatus", "PRECOMMITTED", "PrepareTime", p.preparedAtMs(), "ExpireTime", p.expiresAtMs(),
                    "NumberLoadedRows", p.loadedRows(), "NumberFilteredRows", p.filteredRows()));
        }
        return out;
    }

    private HttpResponse errorLog(String file) {
        return node.loads().errorLog(file)
                .map(text -> HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8,
                        text.getBytes(StandardCharsets.UTF_8)))
                .orElseGet(() -> Json.fail(StatusCodes.NOT_FOUND, "no error log '" + file + "'"));
    }
}
