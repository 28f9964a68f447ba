package io.compactor.storage.load;

import io.compactor.storage.schema.Schema;
import java.util.ArrayList;
import java.util.List;

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
        int[] mapping = mapColumns(schema, options.columns());
        return switch (options.format()) {
            case CSV -> new CsvRowParser(schema, options, mapping);
            case JSON -> new JsonRowParser(schema, options.lineDelimiter(), mapping);
        };
    }

    /** Parses a whole body. */
    public static ParsedLoad parse(Schema schema, LoadOptions options, byte[] body) {
        RowParser p = create(schema, options);
        p.feed(body, 0, body.length);
        return p.finish();
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
