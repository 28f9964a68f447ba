package io.compactor.actors.load;

import io.compactor.api.LoadResult;
import io.compactor.storage.load.BodyCompression;
import io.compactor.storage.load.LoadErrorLogs;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.load.ParsedLoad;
import io.compactor.storage.load.RowParser;
import io.compactor.storage.load.RowRules;
import io.compactor.storage.mow.PartialUpdate;
import io.compactor.storage.tablet.TableMeta;
import io.compactor.storage.util.StatusCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The steps of a stream load around its write that the Doris headers add: decompressing the body
 * ({@code compress_type}), parsing it and applying the row rules ({@code where},
 * {@code merge_type}, the sequence column), the partial update a load asks for, the error log of
 * its rejected rows, and Doris's label message.
 */
final class LoadSteps {
    static final int PARSE_PARTS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private LoadSteps() {
    }

    /**
     * The body decompressed, parsed (a big CSV body on every core, see {@link RowParser#parseParallel})
     * and with the row rules applied.
     */
    static CompletableFuture<ParsedLoad> parse(TableMeta table, LoadOptions options, byte[] body,
                                               BodyCompression compression, long maxBodyBytes, Executor executor) {
        try {
            CompletableFuture<ParsedLoad> parsed;
            if (compression == BodyCompression.NONE) {
                parsed = RowParser.parseParallel(table.schema(), options, body, executor, PARSE_PARTS);
            } else {
                parsed = CompletableFuture.supplyAsync(() -> compression.decompress(body, maxBodyBytes), executor)
                        .thenCompose(plain -> RowParser.parseParallel(table.schema(), options, plain, executor,
                                PARSE_PARTS));
            }
            return parsed.thenApply(p -> RowRules.apply(table.schema(), options, p));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Doris's frontend refusal of a load the table can not take (merge type, sequence column). */
    static String analysisError(String message) {
        return "[" + StatusCode.ANALYSIS_ERROR + "]errCode = 2, detailMessage = " + message;
    }

    /** The partial update a load asks for ({@code partial_columns}), or null: which columns it gives. */
    static PartialUpdate partialUpdate(TableMeta table, LoadOptions options) {
        if (!options.rules().partialColumns()) {
            return null;
        }
        var schema = table.schema();
        boolean[] provided = new boolean[schema.columnCount()];
        for (int c : RowParser.inputColumns(schema, options)) {
            provided[c] = true;
        }
        for (int c = 0; c < schema.keyCount(); c++) {
            provided[c] = true;
        }
        if (schema.deleteSignIndex() >= 0) {
            provided[schema.deleteSignIndex()] = true;
        }
        if (schema.sequenceIndex() >= 0 && options.rules().sequenceSource() != null) {
            provided[schema.sequenceIndex()] = true;
        }
        return new PartialUpdate(provided, options.rules().newKeyError());
    }

    /** Doris's answer to a label in use: "[LABEL_ALREADY_EXISTS]Label [l] has already been used, relate to txn [n]". */
    static String labelExists(String label, long txnId) {
        return "[" + StatusCode.LABEL_ALREADY_EXISTS + "]Label [" + label + "] has already been used, relate to txn ["
                + txnId + "]";
    }

    /** The answer with its unselected rows and, when rows were rejected, the URL of their error log. */
    static LoadResult withErrorLog(LoadErrorLogs logs, LoadResult r, long txnId, ParsedLoad parsed) {
        if (LoadResult.LABEL_ALREADY_EXISTS.equals(r.status())) {
            return r;
        }
        String url = null;
        if (!parsed.errorLog().isEmpty()) {
            try {
                url = "/api/_load_error_log?file=" + logs.write(txnId, parsed.errorLog());
            } catch (java.io.UncheckedIOException e) {
                url = null; // the answer matters more than its error log
            }
        }
        return r.withRows(parsed.unselectedRows(), url);
    }

    /** A message for a failure of the parse step: a body that is not valid as a whole is a data quality error. */
    static String parseFailure(Throwable err, String fallback) {
        Throwable t = err instanceof IllegalArgumentException ? err : err.getCause();
        if (t instanceof IllegalArgumentException) {
            return "[" + StatusCode.DATA_QUALITY_ERROR + "]" + t.getMessage();
        }
        return fallback;
    }
}
