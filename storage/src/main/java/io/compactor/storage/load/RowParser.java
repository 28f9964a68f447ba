package io.compactor.storage.load;

import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Parses a stream-load body into rows of a table schema, as Doris's stream load does: a row that
 * does not parse or does not fit its column is filtered (counted, its reason sampled), never
 * loaded half. Feed the body in chunks with {@link #feed} (the parser keeps no reference to a
 * chunk after the call) and call {@link #finish} once; or use {@link #parse} for a whole body.
 * Not thread-safe: one parser per load.
 *
 * <p>Mapping: without a {@code columns} list, CSV fields are the schema's columns in order and
 * JSON keys are column names (case-insensitive). With one, CSV fields map to the listed columns
 * in order, JSON reads only the listed keys; columns not listed are NULL, or filter every row if
 * they are not nullable.
 */
public abstract class RowParser {
    /** How many reasons of filtered rows a {@link ParsedLoad} keeps. */
    public static final int MAX_ERROR_SAMPLES = 20;

    private long loadBytes;
    private boolean finished;

    RowParser() {
    }

    /**
     * A parser for the options' format.
     *
     * @throws IllegalArgumentException if {@code columns} names a column the schema lacks
     */
    public static RowParser create(Schema schema, LoadOptions options) {
        int[] mapping = inputColumns(schema, options);
        return switch (options.format()) {
            case CSV -> options.csv().enclosed() ? new EnclosedCsvRowParser(schema, options, mapping)
                    : new CsvRowParser(schema, options, mapping);
            case JSON -> options.json().needsTree() || options.json().stripOuterArray() != null
                    || options.json().readJsonByLine() != null ? new JsonTreeRowParser(schema, options, mapping)
                    : new JsonRowParser(schema, options, mapping);
        };
    }

    /**
     * The schema columns the input gives, in input order: the {@code columns} list, or else the
     * table's visible columns followed by the {@code hidden_columns}.
     *
     * @throws IllegalArgumentException naming an unknown or repeated column
     */
    public static int[] inputColumns(Schema schema, LoadOptions options) {
        List<String> names = options.columns();
        if (names.isEmpty()) {
            List<String> hidden = options.rules().hiddenColumns();
            List<String> all = new ArrayList<>();
            for (int c = 0; c < schema.columnCount(); c++) {
                if (!Schema.isHidden(schema.column(c).name())) {
                    all.add(schema.column(c).name());
                }
            }
            for (String h : hidden) {
                int at = schema.indexOf(h);
                if (at < 0 || !Schema.isHidden(h)) {
                    throw new IllegalArgumentException("header 'hidden_columns' names '" + h + "', which is not a "
                            + "hidden column of the table (" + hiddenNames(schema) + ")");
                }
                all.add(schema.column(at).name());
            }
            if (hidden.isEmpty() && all.size() == schema.columnCount()) {
                return mapColumns(schema, List.of());
            }
            return mapColumns(schema, all);
        }
        return mapColumns(schema, names);
    }

    private static List<String> hiddenNames(Schema schema) {
        List<String> out = new ArrayList<>();
        for (var c : schema.columns()) {
            if (Schema.isHidden(c.name())) {
                out.add(c.name());
            }
        }
        return out;
    }

    /** Parses a whole body. */
    public static ParsedLoad parse(Schema schema, LoadOptions options, byte[] body) {
        RowParser p = create(schema, options);
        p.feed(body, 0, body.length);
        return p.finish();
    }

    /** Below this size a CSV body is parsed by one thread: splitting would cost more than it saves. */
    static final int MIN_PART_BYTES = 1 << 20;

    /**
     * Parses a whole body on {@code executor}: a CSV body of at least two {@link #MIN_PART_BYTES}
     * is cut at line delimiters into up to {@code parts} parts that are parsed at the same time
     * (one big load uses every core), then joined in body order: rows in input order, counters
     * summed, error samples in line order with body line numbers. Same result as {@link #parse}.
     * Other bodies are parsed by one task.
     */
    public static CompletableFuture<ParsedLoad> parseParallel(Schema schema, LoadOptions options, byte[] body,
                                                             Executor executor, int parts) {
        int n = (int) Math.min(parts, body.length / MIN_PART_BYTES);
        if (options.format() != LoadFormat.CSV || n < 2 || options.csv().enclosed()
                || options.csv().linesToSkip() > 0) {
            return CompletableFuture.supplyAsync(() -> parse(schema, options, body), executor);
        }
        int[] mapping = inputColumns(schema, options);
        byte[] delimiter = options.lineDelimiter();
        List<Integer> cuts = new ArrayList<>();
        cuts.add(0);
        for (int i = 1; i < n; i++) {
            int at = cutAfterDelimiter(body, Math.max(cuts.get(cuts.size() - 1), (int) ((long) body.length * i / n)),
                    delimiter);
            if (at < 0 || at >= body.length) {
                break;
            }
            cuts.add(at);
        }
        cuts.add(body.length);
        List<CompletableFuture<CsvRowParser>> fed = new ArrayList<>();
        for (int p = 0; p + 1 < cuts.size(); p++) {
            int from = cuts.get(p);
            int to = cuts.get(p + 1);
            boolean continuation = p > 0;
            fed.add(CompletableFuture.supplyAsync(() -> {
                CsvRowParser parser = new CsvRowParser(schema, options, mapping, continuation);
                parser.feed(body, from, to - from);
                return parser;
            }, executor));
        }
        return CompletableFuture.allOf(fed.toArray(new CompletableFuture[0])).thenApply(ignored -> {
            long lines = 0;
            RowBatch rows = null;
            long total = 0;
            long filtered = 0;
            List<String> errors = new ArrayList<>();
            List<String> log = new ArrayList<>();
            for (CompletableFuture<CsvRowParser> f : fed) {
                CsvRowParser parser = f.join();
                parser.lineOffset(lines);
                ParsedLoad part = parser.finish();
                lines += parser.lines();
                if (rows == null) {
                    rows = part.rows();
                } else {
                    rows.appendRange(part.rows(), 0, part.rows().size());
                }
                total += part.totalRows();
                filtered += part.filteredRows();
                for (String e : part.errorSamples()) {
                    if (errors.size() < MAX_ERROR_SAMPLES) {
                        errors.add(e);
                    }
                }
                for (String e : part.errorLog()) {
                    if (log.size() < MAX_ERROR_SAMPLES) {
                        log.add(e);
                    }
                }
            }
            return new ParsedLoad(rows, total, filtered, body.length, errors, 0, log);
        });
    }

    /** The index just after the first delimiter at or after {@code from}, or -1. */
    private static int cutAfterDelimiter(byte[] b, int from, byte[] delimiter) {
        int last = b.length - delimiter.length;
        outer:
        for (int i = from; i <= last; i++) {
            for (int k = 0; k < delimiter.length; k++) {
                if (b[i + k] != delimiter[k]) {
                    continue outer;
                }
            }
            return i + delimiter.length;
        }
        return -1;
    }

    public final void feed(byte[] chunk) {
        feed(chunk, 0, chunk.length);
    }

    /** Parses the next bytes of the body. */
    public final void feed(byte[] chunk, int off, int len) {
        if (finished) {
            throw new IllegalStateException("parser already finished");
        }
        if (off < 0 || len < 0 || off + len > chunk.length) {
            throw new IndexOutOfBoundsException("chunk range [" + off + ", " + (off + len) + ") outside array of "
                    + chunk.length);
        }
        loadBytes += len;
        doFeed(chunk, off, len);
    }

    /**
     * Ends the body and returns the rows and counters.
     *
     * @throws IllegalArgumentException if the body as a whole is malformed (a JSON array that
     *                                  does not parse); rows of such a body are not usable
     */
    public final ParsedLoad finish() {
        if (finished) {
            throw new IllegalStateException("parser already finished");
        }
        finished = true;
        return doFinish(loadBytes);
    }

    abstract void doFeed(byte[] chunk, int off, int len);

    abstract ParsedLoad doFinish(long loadBytes);

    /**
     * Index of the schema column each input field feeds: identity without a columns list.
     */
    private static int[] mapColumns(Schema schema, List<String> columns) {
        if (columns.isEmpty()) {
            int[] identity = new int[schema.columnCount()];
            for (int i = 0; i < identity.length; i++) {
                identity[i] = i;
            }
            return identity;
        }
        int[] mapping = new int[columns.size()];
        boolean[] mapped = new boolean[schema.columnCount()];
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < mapping.length; i++) {
            mapping[i] = schema.indexOf(columns.get(i));
            if (mapping[i] < 0) {
                unknown.add(columns.get(i));
            } else if (mapped[mapping[i]]) {
                throw new IllegalArgumentException("header 'columns' names column '" + columns.get(i) + "' twice");
            } else {
                mapped[mapping[i]] = true;
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("header 'columns' names unknown column"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown.stream()
                    .map(n -> "'" + n + "'").toList()) + "; the table has " + schema.columns().stream()
                    .map(c -> c.name()).toList());
        }
        return mapping;
    }
}
