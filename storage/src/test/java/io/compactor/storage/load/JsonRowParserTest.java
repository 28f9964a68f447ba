package io.compactor.storage.load;

import static io.compactor.storage.load.CsvRowParserTest.ALL_TYPES;
import static io.compactor.storage.load.CsvRowParserTest.SMALL;
import static io.compactor.storage.load.CsvRowParserTest.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRowParserTest {
    private static final LoadOptions JSON = LoadOptions.DEFAULTS.withFormat(LoadFormat.JSON);

    private static ParsedLoad json(String body) {
        return RowParser.parse(SMALL, JSON, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void oneObjectPerLineWithCaseInsensitiveKeysInAnyOrder() {
        ParsedLoad p = json("{\"id\":1,\"name\":\"bob\",\"v1\":10}\n"
                + "  {\"V1\":\"20\",\"ID\":\"2\",\"Name\":\"ann\",\"extra\":{\"x\":[1,2]}}\r\n\n"
                + "{\"id\":3,\"name\":\"cy\",\"v1\":null}");
        assertEquals(3, p.totalRows());
        assertEquals(0, p.filteredRows(), p.errorSamples().toString());
        assertEquals(List.of("1|bob|10", "2|ann|20", "3|cy|\\N"), texts(p.rows()));
    }

    @Test
    void topLevelArrayOfObjects() {
        ParsedLoad p = json("\n [ {\"id\":1,\"name\":\"bob\"},\n {\"id\":2,\"name\":\"ann\",\"v1\":-5} ]\n");
        assertEquals(List.of("1|bob|\\N", "2|ann|-5"), texts(p.rows()));
        assertEquals(0, json("[]").totalRows());
    }

    @Test
    void missingKeysAreNullOrFilterNotNullColumns() {
        ParsedLoad p = json("{\"id\":1,\"name\":\"bob\"}\n{\"id\":2,\"v1\":3}\n");
        assertEquals(List.of("1|bob|\\N"), texts(p.rows()));
        assertEquals(List.of("column 'name' is not nullable and has no value at line 2"), p.errorSamples());
    }

    static final LoadRules STRICT_RULES = new LoadRules(true, null, MergeType.APPEND, null, null, false, false,
            List.of());

    @Test
    void badValuesAndMalformedLinesAreFilteredRows() {
        ParsedLoad p = RowParser.parse(SMALL, JSON.withRules(STRICT_RULES), ("{\"id\":1.5,\"name\":\"a\"}\n"
                + "{\"id\":99999999999999999999999,\"name\":\"a\"}\n"
                + "{\"id\":4294967296,\"name\":\"a\"}\n"
                + "{\"id\":1,\"name\":[1]}\n"
                + "{\"id\":1,\"name\":\"a\",\"v1\":true}\n"
                + "{\"id\":1,\"name\":\"01234567890123456\"}\n"
                + "{\"id\":1,\"name\":\n"
                + "[1,2]\n"
                + "{\"id\":1,\"name\":\"a\"} {\"id\":2}\n"
                + "{\"id\":7,\"name\":\"ok\",\"v1\":\"12\"}\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(10, p.totalRows());
        assertEquals(9, p.filteredRows());
        assertEquals(List.of("7|ok|12"), texts(p.rows()));
        List<String> e = p.errorSamples();
        assertEquals("column 'id' value '1.5' is not a valid INT at line 1", e.get(0));
        assertEquals("column 'id' value '99999999999999999999999' is out of range for INT at line 2", e.get(1));
        assertEquals("column 'id' value '4294967296' is out of range for INT at line 3", e.get(2));
        assertEquals("column 'name' value '[...]' is not a valid VARCHAR at line 4", e.get(3));
        assertEquals("column 'v1' value 'true' is not a valid BIGINT at line 5", e.get(4));
        assertEquals("VARCHAR value too long for column 'name' (17 > 16) at line 6", e.get(5));
        assertTrue(e.get(6).startsWith("malformed JSON: ") && e.get(6).endsWith(" at line 7"), e.get(6));
        assertEquals("line is not a JSON object at line 8", e.get(7));
        assertEquals("unexpected content after the JSON object at line 9", e.get(8));
    }

    @Test
    void numbersAndStringsFeedEveryType() {
        ParsedLoad p = RowParser.parse(ALL_TYPES, JSON, ("{\"k\":\"5\",\"i\":-3,\"d\":2,\"s\":12.5,\"dt\":\"2024-01-31\","
                + "\"ts\":\"2024-01-31 01:02:03\"}\n{\"k\":6,\"d\":\"0.25\",\"s\":false}").getBytes(StandardCharsets.UTF_8));
        assertEquals(0, p.filteredRows(), p.errorSamples().toString());
        assertEquals(List.of("5|-3|2|12.5|2024-01-31|2024-01-31 01:02:03", "6|\\N|0.25|false|\\N|\\N"),
                texts(p.rows()));
    }

    @Test
    void arrayElementThatIsNotAnObjectIsFiltered() {
        ParsedLoad p = json("[{\"id\":1,\"name\":\"a\"}, 5, [1], {\"id\":2,\"name\":\"b\"}]");
        assertEquals(4, p.totalRows());
        assertEquals(2, p.filteredRows());
        assertEquals(List.of("array element is not a JSON object at row 2", "array element is not a JSON object at row 3"),
                p.errorSamples());
    }

    @Test
    void malformedArrayFailsTheWholeBody() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> json("[{\"id\":1,\"name\":\"a\"},\n{\"id\":2,"));
        assertTrue(e.getMessage().startsWith("malformed JSON body: "), e.getMessage());
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        IllegalArgumentException after = assertThrows(IllegalArgumentException.class, () -> json("[] x"));
        assertTrue(after.getMessage().contains("malformed JSON body"), after.getMessage());
    }

    @Test
    void columnsHeaderLimitsTheKeysRead() {
        ParsedLoad p = RowParser.parse(SMALL, JSON.withColumns(List.of("id", "name")),
                "{\"id\":1,\"name\":\"a\",\"v1\":9}".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("1|a|\\N"), texts(p.rows()));
    }

    @Test
    void chunkedFeedingMatchesWholeBodyForBothLayouts() {
        StringBuilder lines = new StringBuilder();
        StringBuilder array = new StringBuilder("[");
        for (int i = 0; i < 200; i++) {
            String obj = "{\"id\":" + i + ",\"name\":\"n" + i + (i % 9 == 0 ? "é" : "") + "\",\"v1\":"
                    + (i % 4 == 0 ? "\"x\"" : i) + "}";
            lines.append(obj).append('\n');
            array.append(i == 0 ? "" : ",").append(obj);
        }
        for (String body : List.of("   " + lines, array + "]")) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            LoadOptions strict = JSON.withRules(STRICT_RULES);
            ParsedLoad whole = RowParser.parse(SMALL, strict, bytes);
            assertEquals(50, whole.filteredRows());
            for (int chunk : new int[] {1, 5, 333}) {
                RowParser parser = RowParser.create(SMALL, strict);
                for (int off = 0; off < bytes.length; off += chunk) {
                    parser.feed(bytes, off, Math.min(chunk, bytes.length - off));
                }
                ParsedLoad p = parser.finish();
                assertEquals(texts(whole.rows()), texts(p.rows()), "chunk " + chunk);
                assertEquals(whole.errorSamples(), p.errorSamples());
                assertEquals(bytes.length, p.loadBytes());
            }
        }
    }

    @Test
    void emptyOrBlankBodyHasNoRows() {
        assertEquals(0, json("").totalRows());
        assertEquals(0, json(" \n\r\n ").totalRows());
    }
}
