package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.compactor.storage.schema.Column;
import io.compactor.storage.schema.ColumnType;
import io.compactor.storage.schema.KeysType;
import io.compactor.storage.schema.RowBatch;
import io.compactor.storage.schema.Schema;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRowParserTest {
    /** k BIGINT key, i INT, d DOUBLE, s VARCHAR(9), dt DATE, ts DATETIME; all values nullable. */
    static final Schema ALL_TYPES = Schema.of(List.of(
            new Column("k", ColumnType.BIGINT, false, 0),
            new Column("i", ColumnType.INT, true, 0),
            new Column("d", ColumnType.DOUBLE, true, 0),
            new Column("s", ColumnType.VARCHAR, true, 9),
            new Column("dt", ColumnType.DATE, true, 0),
            new Column("ts", ColumnType.DATETIME, true, 0)), List.of("k"), KeysType.DUPLICATE_KEYS);

    /** id INT key, name VARCHAR(16) NOT NULL, v1 BIGINT nullable. */
    static final Schema SMALL = Schema.of(List.of(
            new Column("id", ColumnType.INT, false, 0),
            new Column("name", ColumnType.VARCHAR, false, 16),
            new Column("v1", ColumnType.BIGINT, true, 0)), List.of("id"), KeysType.UNIQUE_KEYS);

    static ParsedLoad csv(Schema schema, LoadOptions options, String body) {
        return RowParser.parse(schema, options, body.getBytes(StandardCharsets.UTF_8));
    }

    static List<String> texts(RowBatch b) {
        List<String> rows = new ArrayList<>();
        for (int r = 0; r < b.size(); r++) {
            StringBuilder sb = new StringBuilder();
            for (int c = 0; c < b.schema().columnCount(); c++) {
                sb.append(c == 0 ? "" : "|").append(b.text(r, c));
            }
            rows.add(sb.toString());
        }
        return rows;
    }

    static final LoadOptions STRICT = LoadOptions.DEFAULTS.withRules(JsonRowParserTest.STRICT_RULES);

    private static ParsedLoad allTypes(String line) {
        return csv(ALL_TYPES, STRICT, line + "\n");
    }

    private static void assertFiltered(String line, String reason) {
        ParsedLoad p = allTypes(line);
        assertEquals(1, p.totalRows());
        assertEquals(1, p.filteredRows(), line);
        assertEquals(0, p.rows().size());
        assertEquals(List.of(reason + " at line 1"), p.errorSamples());
    }

    @Test
    void everyTypeParsesValidValuesAndNulls() {
        ParsedLoad p = csv(ALL_TYPES, LoadOptions.DEFAULTS,
                "1\t-7\t2.5\tabc\t2024-02-29\t2024-02-29 10:11:12.5\n"
                        + "2\t\\N\t\\N\t\\N\t\\N\t\\N\n"
                        + "3\t2147483647\t-1e3\t\t1970-01-01\t1970-01-01\n");
        assertEquals(3, p.totalRows());
        assertEquals(0, p.filteredRows());
        assertEquals(3, p.loadedRows());
        assertEquals(List.of(
                "1|-7|2.5|abc|2024-02-29|2024-02-29 10:11:12.500000",
                "2|\\N|\\N|\\N|\\N|\\N",
                "3|2147483647|-1000|" + "|1970-01-01|1970-01-01 00:00:00"), texts(p.rows()));
        assertFalse(p.rows().isNull(2, 3), "an empty field is an empty VARCHAR, not NULL");
    }

    @Test
    void invalidValuesFilterTheRowWithAReason() {
        assertFiltered("abc\t1\t1\ta\t2024-01-01\t2024-01-01", "column 'k' value 'abc' is not a valid BIGINT");
        assertFiltered("1\t1.5\t1\ta\t2024-01-01\t2024-01-01", "column 'i' value '1.5' is not a valid INT");
        assertFiltered("1\t1\tx\ta\t2024-01-01\t2024-01-01", "column 'd' value 'x' is not a valid DOUBLE");
        assertFiltered("1\t1\t1\ta\t2024-02-30\t2024-01-01", "column 'dt' value '2024-02-30' is not a valid DATE");
        assertFiltered("1\t1\t1\ta\t2024-01-01\t2024-01-01 25:00:00",
                "column 'ts' value '2024-01-01 25:00:00' is not a valid DATETIME");
        assertFiltered("1\t\t1\ta\t2024-01-01\t2024-01-01", "column 'i' value '' is not a valid INT");
    }

    @Test
    void overflowFiltersTheRow() {
        assertFiltered("1\t2147483648\t1\ta\t2024-01-01\t2024-01-01",
                "column 'i' value '2147483648' is out of range for INT");
        assertFiltered("9223372036854775808\t1\t1\ta\t2024-01-01\t2024-01-01",
                "column 'k' value '9223372036854775808' is out of range for BIGINT");
        assertFiltered("1\t1\t1e400\ta\t2024-01-01\t2024-01-01", "column 'd' value '1e400' is out of range for DOUBLE");
    }

    @Test
    void nullInANotNullColumnFiltersTheRow() {
        assertFiltered("\\N\t1\t1\ta\t2024-01-01\t2024-01-01", "column 'k' is not nullable but the value is NULL");
    }

    @Test
    void wrongFieldCountsFilterTheRow() {
        ParsedLoad p = csv(SMALL, LoadOptions.DEFAULTS, "1\ta\n2\tb\t3\t4\n3\tc\t5\n");
        assertEquals(3, p.totalRows());
        assertEquals(2, p.filteredRows());
        assertEquals(List.of("actual column number 2 is less than schema column number 3 (column separator '\\x09') at line 1",
                "actual column number 4 is more than schema column number 3 (column separator '\\x09') at line 2"),
                p.errorSamples());
        assertEquals(List.of("3|c|5"), texts(p.rows()));
    }

    @Test
    void varcharLengthIsCountedInUtf8Bytes() {
        // 'é' is 2 bytes, '世' 3 bytes, '😀' 4 bytes; the column holds 9 bytes
        ParsedLoad ok = allTypes("1\t1\t1\té世😀\t2024-01-01\t2024-01-01");
        assertEquals(0, ok.filteredRows(), ok.errorSamples().toString());
        assertEquals("é世😀", ok.rows().value(0, 3));
        assertFiltered("1\t1\t1\té世😀a\t2024-01-01\t2024-01-01", "VARCHAR value too long for column 's' (10 > 9)");
    }

    @Test
    void invalidUtf8InVarcharFiltersTheRow() {
        byte[] body = {'1', '\t', '1', '\t', '1', '\t', 'a', (byte) 0xC3, '\t', '\\', 'N', '\t', '\\', 'N', '\n'};
        ParsedLoad p = RowParser.parse(ALL_TYPES, LoadOptions.DEFAULTS, body);
        assertEquals(1, p.filteredRows());
        assertEquals(List.of("column 's' value is not valid UTF-8 at line 1"), p.errorSamples());
    }

    @Test
    void columnsHeaderReordersFields() {
        LoadOptions o = LoadOptions.DEFAULTS.withColumns(List.of("v1", "NAME", "id"));
        ParsedLoad p = csv(SMALL, o, "7\tbob\t1\n\\N\tann\t2\n");
        assertEquals(List.of("1|bob|7", "2|ann|\\N"), texts(p.rows()));
    }

    @Test
    void columnsMissingFromTheHeaderAreNullOrFilterTheRow() {
        ParsedLoad nullable = csv(SMALL, LoadOptions.DEFAULTS.withColumns(List.of("id", "name")), "1\tbob\n");
        assertEquals(List.of("1|bob|\\N"), texts(nullable.rows()));

        ParsedLoad notNull = csv(SMALL, LoadOptions.DEFAULTS.withColumns(List.of("id", "v1")), "1\t5\n2\t6\n");
        assertEquals(2, notNull.filteredRows());
        assertEquals("column 'name' is not nullable and has no value at line 1", notNull.errorSamples().get(0));
        assertTrue(notNull.exceedsFilterRatio(0.99));
    }

    @Test
    void unknownColumnInHeaderIsRejectedUpFront() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RowParser.create(SMALL, LoadOptions.DEFAULTS.withColumns(List.of("id", "nope"))));
        assertTrue(e.getMessage().contains("unknown column 'nope'"), e.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RowParser.create(SMALL, LoadOptions.DEFAULTS.withColumns(List.of("id", "ID"))));
        assertTrue(twice.getMessage().contains("'ID' twice"), twice.getMessage());
    }

    @Test
    void customSeparatorsIncludingMultiByteAndHex() {
        assertEquals(List.of("1|a|2"), texts(csv(SMALL, LoadOptions.DEFAULTS.withColumnSeparator(","), "1,a,2").rows()));
        assertEquals(List.of("1|a|2", "3|b,c|\\N"), texts(csv(SMALL, LoadOptions.DEFAULTS.withColumnSeparator("||"),
                "1||a||2\n3||b,c||\\N\n").rows()));
        assertEquals(List.of("1|a|2"), texts(csv(SMALL, LoadOptions.DEFAULTS.withColumnSeparator("\\x01"),
                "1\u0001a\u00012\n").rows()));
        assertEquals(List.of("1|a|2", "3|b|4"), texts(csv(SMALL, LoadOptions.DEFAULTS.withColumnSeparator("\\x0102")
                .withLineDelimiter("\\x0304"), "1\u0001\u0002a\u0001\u00022\u0003\u00043\u0001\u0002b\u0001\u00024").rows()));
        // an empty last field between multi-byte separators is an empty VARCHAR
        assertEquals(List.of("1||2"), texts(csv(SMALL, LoadOptions.DEFAULTS.withColumnSeparator("||"), "1||||2").rows()));
    }

    @Test
    void crlfLinesAndEmptyLinesAndByteOrderMark() {
        ParsedLoad p = csv(SMALL, LoadOptions.DEFAULTS, "\uFEFF1\ta\t1\r\n\r\n2\tb\t2\r\n\n");
        assertEquals(2, p.totalRows());
        assertEquals(List.of("1|a|1", "2|b|2"), texts(p.rows()));
        ParsedLoad noTrailing = csv(SMALL, LoadOptions.DEFAULTS, "1\ta\t1\n2\tb\t2");
        assertEquals(2, noTrailing.loadedRows());
    }

    @Test
    void emptyBodyHasNoRows() {
        ParsedLoad p = csv(SMALL, LoadOptions.DEFAULTS, "");
        assertEquals(0, p.totalRows());
        assertEquals(0, p.rows().size());
        assertEquals(0, p.loadBytes());
        assertFalse(p.exceedsFilterRatio(0));
    }

    @Test
    void filterRatioExactlyAtTheLimitPassesAndAboveFails() {
        // 1 bad row of 4 = 0.25
        ParsedLoad p = csv(SMALL, STRICT, "1\ta\t1\n2\tb\tx\n3\tc\t3\n4\td\t4\n");
        assertEquals(4, p.totalRows());
        assertEquals(1, p.filteredRows());
        assertEquals(3, p.loadedRows());
        assertFalse(p.exceedsFilterRatio(0.25));
        assertTrue(p.exceedsFilterRatio(0.24));
        assertTrue(p.exceedsFilterRatio(0));
        assertFalse(p.exceedsFilterRatio(1));
    }

    @Test
    void chunkedFeedingGivesTheSameResultAsOneBody() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            sb.append(i).append("||name").append(i % 7 == 0 ? "é" : "").append("||")
                    .append(i % 5 == 0 ? "bad" : Integer.toString(i * 3)).append("\r\n");
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
        LoadOptions o = STRICT.withColumnSeparator("||").withLineDelimiter("\\r\\n");
        ParsedLoad whole = RowParser.parse(SMALL, o, body);
        assertEquals(100, whole.filteredRows());
        for (int chunk : new int[] {1, 2, 3, 7, 64, 1000}) {
            RowParser parser = RowParser.create(SMALL, o);
            for (int off = 0; off < body.length; off += chunk) {
                parser.feed(body, off, Math.min(chunk, body.length - off));
            }
            ParsedLoad p = parser.finish();
            assertEquals(texts(whole.rows()), texts(p.rows()), "chunk " + chunk);
            assertEquals(whole.filteredRows(), p.filteredRows());
            assertEquals(whole.errorSamples(), p.errorSamples());
            assertEquals(body.length, p.loadBytes());
        }
    }

    @Test
    void errorSamplesAreCappedButEveryFilteredRowIsCounted() {
        ParsedLoad p = csv(SMALL, LoadOptions.DEFAULTS, "x\ta\t1\n".repeat(100));
        assertEquals(100, p.filteredRows());
        assertEquals(RowParser.MAX_ERROR_SAMPLES, p.errorSamples().size());
        assertEquals("column 'id' value 'x' is not a valid INT at line 20", p.errorSamples().get(19));
    }

    @Test
    void finishedParserRefusesMoreInput() {
        RowParser p = RowParser.create(SMALL, LoadOptions.DEFAULTS);
        p.finish();
        assertThrows(IllegalStateException.class, () -> p.feed(new byte[1]));
        assertThrows(IllegalStateException.class, p::finish);
    }
}
