package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A body parsed in parts at once gives exactly what one parser gives: rows, counters, errors. */
class ParallelParseTest {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(3);
    private static final Schema SCHEMA = Schema.of(List.of(new Column("id", ColumnType.BIGINT, false, 0),
            new Column("name", ColumnType.VARCHAR, true, 8), new Column("score", ColumnType.DOUBLE, true, 0)),
            List.of("id"), KeysType.DUPLICATE_KEYS);

    @AfterAll
    static void stop() {
        POOL.shutdownNow();
    }

    /** About {@code rows} lines; every 9,973rd has a bad id, every 7,919th a name too long. */
    private static byte[] body(int rows, String bom, String eol) {
        StringBuilder sb = new StringBuilder(bom);
        for (int i = 0; i < rows; i++) {
            String id = i % 9973 == 5 ? "x" + i : Integer.toString(i);
            String name = i % 7919 == 3 ? "much-too-long" : i % 11 == 0 ? "\\N" : "n" + (i % 1000);
            sb.append(id).append('\t').append(name).append('\t').append(i % 977).append(".5").append(eol);
            if (i % 50_000 == 7) {
                sb.append(eol); // an empty line, skipped but counted as a line
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void assertSame(ParsedLoad expected, ParsedLoad actual) {
        assertEquals(expected.totalRows(), actual.totalRows());
        assertEquals(expected.filteredRows(), actual.filteredRows());
        assertEquals(expected.loadBytes(), actual.loadBytes());
        assertEquals(expected.errorSamples(), actual.errorSamples());
        RowBatch e = expected.rows();
        RowBatch a = actual.rows();
        assertEquals(e.size(), a.size());
        for (int r = 0; r < e.size(); r++) {
            for (int c = 0; c < SCHEMA.columnCount(); c++) {
                assertEquals(e.value(r, c), a.value(r, c), "row " + r + " column " + c);
            }
        }
    }

    @Test
    void partsJoinToTheSingleParserResultWithBodyLineNumbers() {
        byte[] body = body(300_000, "\uFEFF", "\n");
        assertTrue(body.length > 3 * RowParser.MIN_PART_BYTES, "the body must be split");
        ParsedLoad single = RowParser.parse(SCHEMA, LoadOptions.DEFAULTS, body);
        ParsedLoad parallel = RowParser.parseParallel(SCHEMA, LoadOptions.DEFAULTS, body, POOL, 3).join();
        assertTrue(single.filteredRows() > 20, "errors in every part");
        assertSame(single, parallel);
    }

    @Test
    void multiByteDelimiterAndCrlf() {
        byte[] body = body(200_000, "", "\r\n");
        LoadOptions crlf = LoadOptions.fromHeaders(Map.of("line_delimiter", "\\r\\n")::get);
        assertSame(RowParser.parse(SCHEMA, crlf, body), RowParser.parseParallel(SCHEMA, crlf, body, POOL, 2).join());
        // the default "\n" delimiter strips the "\r": same rows again
        assertSame(RowParser.parse(SCHEMA, LoadOptions.DEFAULTS, body),
                RowParser.parseParallel(SCHEMA, LoadOptions.DEFAULTS, body, POOL, 2).join());
    }

    @Test
    void aBadColumnsHeaderFailsTheFuture() {
        LoadOptions bad = LoadOptions.fromHeaders(Map.of("columns", "id,nope")::get);
        byte[] body = body(10, "", "\n");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.CompletionException.class,
                () -> RowParser.parseParallel(SCHEMA, bad, body, POOL, 2).join());
        assertTrue(e.getCause().getMessage().contains("nope"), e.getCause().getMessage());
    }
}
