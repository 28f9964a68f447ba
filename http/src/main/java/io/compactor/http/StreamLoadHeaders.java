package io.compactor.http;

import io.compactor.api.StreamLoadRequest;
import io.compactor.storage.load.BodyCompression;
import io.compactor.storage.load.CsvOptions;
import io.compactor.storage.load.JsonOptions;
import io.compactor.storage.load.JsonPath;
import io.compactor.storage.load.LoadExpr;
import io.compactor.storage.load.LoadFormat;
import io.compactor.storage.load.LoadOptions;
import io.compactor.storage.load.LoadRules;
import io.compactor.storage.load.MergeType;
import io.compactor.storage.util.Status;
import io.compactor.storage.util.StatusCode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Every stream-load header Doris BE knows ({@code be/src/http/http_common.h}), and what Compactor
 * does with it. Nothing Doris knows is accepted and ignored:
 * <ul>
 *   <li>{@link Handling#IMPLEMENTED}: read with Doris's semantics and messages;</li>
 *   <li>{@link Handling#DEFAULT_ONLY}: Doris's default value is accepted (it asks for nothing
 *       Compactor lacks), any other value answers Fail naming the header;</li>
 *   <li>{@link Handling#REFUSED}: any value answers Fail naming the header and why;</li>
 *   <li>{@link Handling#OTHER_ENDPOINT}: a header of another endpoint that Doris's stream load does
 *       not read either ({@code txn_id}, {@code txn_operation}, {@code sql}).</li>
 * </ul>
 * Headers Doris does not know are ignored, as Doris ignores them. An empty value counts as absent,
 * as in Doris ({@code http_req->header(x).empty()}). {@code group_commit} and {@code wal_id} belong
 * to group commit and are not handled here.
 */
final class StreamLoadHeaders {

    enum Handling { IMPLEMENTED, DEFAULT_ONLY, REFUSED, OTHER_ENDPOINT }

    /** A Doris header, what Compactor does with it, and (for the others) Doris's default or the reason. */
    record Header(String name, Handling handling, String detail) {
    }

    /** A load refused from its headers: the status of its Fail answer. */
    static final class Refused extends RuntimeException {
        private final Status status;

        Refused(Status status) {
            super(status.toString(), null, false, false);
            this.status = status;
        }

        Status status() {
            return status;
        }
    }

    static final Map<String, Header> ALL = new LinkedHashMap<>();

    private static void add(String name, Handling h, String detail) {
        ALL.put(name, new Header(name, h, detail));
    }

    static {
        for (String n : List.of("label", "format", "columns", "where", "column_separator", "line_delimiter", "enclose",
                "escape", "max_filter_ratio", "timeout", "strict_mode", "jsonpaths", "json_root", "strip_outer_array",
                "num_as_string", "read_json_by_line", "merge_type", "delete", "function_column.sequence_col",
                "compress_type", "hidden_columns", "trim_double_quotes", "skip_lines", "comment", "partial_columns",
                "unique_key_update_mode", "partial_update_new_key_behavior", "empty_field_as_null", "two_phase_commit")) {
            add(n, Handling.IMPLEMENTED, "");
        }
        add("negative", Handling.DEFAULT_ONLY, "false");
        add("fuzzy_parse", Handling.DEFAULT_ONLY, "false");
        add("send_batch_parallelism", Handling.DEFAULT_ONLY, "1");
        add("load_to_single_tablet", Handling.DEFAULT_ONLY, "false");
        add("enable_profile", Handling.DEFAULT_ONLY, "false");
        add("partitions", Handling.REFUSED, "Compactor tables have no partitions");
        add("temporary_partitions", Handling.REFUSED, "Compactor tables have no partitions");
        add("timezone", Handling.REFUSED, "the load has no time zone dependent function to apply it to");
        add("time_zone", Handling.REFUSED, "the load has no time zone dependent function to apply it to");
        add("exec_mem_limit", Handling.REFUSED, "a load's memory is bounded by streaming_load_max_mb, not per load");
        add("memtable_on_sink_node", Handling.REFUSED, "memtables are always built on the node that receives the load");
        add("load_stream_per_node", Handling.REFUSED, "a load is written by the node that receives it, with no streams");
        add("token", Handling.REFUSED, "use HTTP Basic auth (compactor.http_auth_password)");
        add("auth_code", Handling.REFUSED, "use HTTP Basic auth (compactor.http_auth_password)");
        add("cloud_cluster", Handling.REFUSED, "Compactor has no cloud mode");
        add("compute_group", Handling.REFUSED, "Compactor has no cloud mode");
        add("skip_record_to_audit_log_table", Handling.REFUSED, "Compactor keeps no audit log table");
        add("txn_id", Handling.OTHER_ENDPOINT, "_stream_load_2pc");
        add("txn_operation", Handling.OTHER_ENDPOINT, "_stream_load_2pc");
        add("sql", Handling.OTHER_ENDPOINT, "_http_stream");
    }

    private final Function<String, String> raw;

    private StreamLoadHeaders(Function<String, String> raw) {
        this.raw = raw;
    }

    /** A header's value, or null when it is absent or empty (Doris: empty is absent). */
    private String get(String name) {
        String v = raw.apply(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * Reads a stream load's headers.
     *
     * @param header a header's value (case-insensitive name), or null when the request lacks it
     * @throws Refused with the status of the load's Fail answer, naming the header
     */
    static StreamLoadRequest read(Function<String, String> header) {
        StreamLoadHeaders h = new StreamLoadHeaders(header);
        h.refuseUnimplemented();
        try {
            return h.request();
        } catch (Refused r) {
            throw r;
        } catch (UnsupportedOperationException e) {
            throw new Refused(new Status(StatusCode.NOT_IMPLEMENTED_ERROR, e.getMessage()));
        } catch (IllegalArgumentException e) {
            throw new Refused(Status.invalidArgument(e.getMessage()));
        }
    }

    private void refuseUnimplemented() {
        for (Header d : ALL.values()) {
            String v = get(d.name());
            if (v == null) {
                continue;
            }
            if (d.handling() == Handling.REFUSED) {
                throw notImplemented(d.name(), "is not supported: " + d.detail());
            }
            if (d.handling() == Handling.DEFAULT_ONLY && !v.trim().equalsIgnoreCase(d.detail())) {
                throw notImplemented(d.name(), "value '" + v + "' is not supported: only '" + d.detail()
                        + "' (Doris's default) is");
            }
        }
    }

    private static Refused notImplemented(String header, String what) {
        return new Refused(new Status(StatusCode.NOT_IMPLEMENTED_ERROR, "header '" + header + "' " + what));
    }

    private StreamLoadRequest request() {
        String compress = get("compress_type");
        BodyCompression compression = compress == null ? BodyCompression.NONE : parseCompression(compress);
        LoadOptions options = options();
        String timeout = get("timeout");
        int timeoutSeconds = -1;
        if (timeout != null) {
            timeoutSeconds = parseInt("timeout", timeout);
            if (timeoutSeconds <= 0) {
                throw new IllegalArgumentException("Invalid timeout: " + timeout + ", it must be a positive number "
                        + "of seconds");
            }
        }
        return new StreamLoadRequest(options, get("label"), get("comment"), "true".equals(get("two_phase_commit")),
                timeoutSeconds, compression);
    }

    private static BodyCompression parseCompression(String v) {
        try {
            return BodyCompression.parse(v);
        } catch (UnsupportedOperationException e) {
            throw notImplemented("compress_type", "value '" + v + "' is not supported: use GZ, DEFLATE, BZ2, LZ4 "
                    + "or ZSTD");
        }
    }

    private LoadOptions options() {
        String formatText = get("format");
        CsvOptions.HeaderType headerType = CsvOptions.HeaderType.NONE;
        LoadFormat format = LoadFormat.CSV;
        if (formatText != null) {
            String f = formatText.trim().toLowerCase(Locale.ROOT);
            switch (f) {
                case "csv" -> format = LoadFormat.CSV;
                case "csv_with_names" -> headerType = CsvOptions.HeaderType.NAMES;
                case "csv_with_names_and_types" -> headerType = CsvOptions.HeaderType.NAMES_AND_TYPES;
                case "json" -> format = LoadFormat.JSON;
                case "parquet", "orc", "arrow" -> throw notImplemented("format", "value '" + formatText
                        + "' is not supported: use csv, csv_with_names, csv_with_names_and_types or json");
                default -> throw new Refused(new Status(StatusCode.INTERNAL_ERROR, "unknown data format, format="
                        + formatText));
            }
        }
        LoadOptions o = LoadOptions.DEFAULTS.withFormat(format);
        String v;
        if ((v = get("column_separator")) != null) {
            o = o.withColumnSeparator(v);
        }
        if ((v = get("line_delimiter")) != null) {
            o = o.withLineDelimiter(v);
        }
        if ((v = get("columns")) != null) {
            o = o.withColumnsHeader(v);
        }
        if ((v = get("max_filter_ratio")) != null) {
            o = o.withMaxFilterRatioHeader(v);
        }
        o = o.withCsv(csv(headerType)).withJson(json());
        return o.withRules(rules());
    }

    private CsvOptions csv(CsvOptions.HeaderType headerType) {
        int enclose = singleByte("enclose");
        int escape = singleByte("escape");
        String skip = get("skip_lines");
        int skipLines = 0;
        if (skip != null) {
            skipLines = parseInt("skip_lines", skip);
            if (skipLines < 0) {
                throw new IllegalArgumentException("Invalid 'skip_lines': " + skipLines);
            }
        }
        return new CsvOptions(enclose, escape, isTrue("trim_double_quotes"), skipLines, headerType,
                isTrue("empty_field_as_null"));
    }

    /** Doris: enclose and escape must be one character. */
    private int singleByte(String name) {
        String v = get(name);
        if (v == null) {
            return -1;
        }
        if (v.length() != 1 || v.charAt(0) > 0xFF) {
            throw new IllegalArgumentException(name + " must be single-char, actually is " + v);
        }
        return v.charAt(0);
    }

    private JsonOptions json() {
        String paths = get("jsonpaths");
        String root = get("json_root");
        String strip = get("strip_outer_array");
        String byLine = get("read_json_by_line");
        return new JsonOptions(paths == null ? List.of() : JsonPath.parseList("jsonpaths", paths),
                root == null ? null : JsonPath.parse("json_root", root),
                strip == null ? null : strip.equalsIgnoreCase("true"),
                byLine == null ? null : byLine.equalsIgnoreCase("true"),
                isTrue("num_as_string"));
    }

    private LoadRules rules() {
        String strict = get("strict_mode");
        boolean strictMode = false;
        if (strict != null) {
            if (strict.equalsIgnoreCase("true")) {
                strictMode = true;
            } else if (!strict.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("Invalid strict mode format. Must be bool type");
            }
        }
        String where = get("where");
        String mergeText = get("merge_type");
        String delete = get("delete");
        MergeType mergeType = MergeType.APPEND;
        if (mergeText != null) {
            mergeType = MergeType.parse(mergeText);
            if (mergeType == MergeType.MERGE && delete == null) {
                throw new IllegalArgumentException("Excepted DELETE ON clause when merge type is MERGE.");
            }
            if (mergeType != MergeType.MERGE && delete != null) {
                throw new IllegalArgumentException("Not support DELETE ON clause when merge type is not MERGE.");
            }
        } else if (delete != null) {
            throw new IllegalArgumentException("Not support DELETE ON clause when merge type is not MERGE.");
        }
        String sequence = get("function_column.sequence_col");
        if (sequence == null) {
            sequence = get("sequence_col");
        }
        boolean partial = false;
        String mode = get("unique_key_update_mode");
        if (mode != null) {
            switch (mode.trim().toUpperCase(Locale.ROOT)) {
                case "UPSERT" -> partial = false;
                case "UPDATE_FIXED_COLUMNS" -> partial = true;
                case "UPDATE_FLEXIBLE_COLUMNS" -> throw notImplemented("unique_key_update_mode",
                        "value 'UPDATE_FLEXIBLE_COLUMNS' is not supported: use UPDATE_FIXED_COLUMNS (partial_columns)");
                default -> throw new IllegalArgumentException("Invalid unique_key_partial_mode " + mode
                        + ", must be one of 'UPSERT', 'UPDATE_FIXED_COLUMNS' or 'UPDATE_FLEXIBLE_COLUMNS'");
            }
        } else {
            partial = isTrue("partial_columns");
        }
        boolean newKeyError = false;
        String policy = get("partial_update_new_key_behavior");
        if (policy != null) {
            switch (policy.trim().toUpperCase(Locale.ROOT)) {
                case "APPEND" -> newKeyError = false;
                case "ERROR" -> newKeyError = true;
                default -> throw new IllegalArgumentException("Invalid partial_update_new_key_behavior "
                        + policy.toUpperCase(Locale.ROOT) + ", must be one of {'APPEND', 'ERROR'}");
            }
        }
        List<String> hidden = new ArrayList<>();
        String hiddenText = get("hidden_columns");
        if (hiddenText != null) {
            for (String part : hiddenText.split(",")) {
                if (!part.isBlank()) {
                    hidden.add(part.trim());
                }
            }
        }
        return new LoadRules(strictMode, where == null ? null : LoadExpr.parse("where", where), mergeType,
                delete == null ? null : LoadExpr.parse("delete", delete), sequence, partial, newKeyError, hidden);
    }

    private boolean isTrue(String name) {
        String v = get(name);
        return v != null && v.trim().equalsIgnoreCase("true");
    }

    /** Doris's {@code safe_stoi} message for a header that is not an integer. */
    private static int parseInt(String name, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Invalid " + name + " format: '" + v + "' is not an integer");
        }
    }
}
