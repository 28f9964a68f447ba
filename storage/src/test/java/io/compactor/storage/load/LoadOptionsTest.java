package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadOptionsTest {

    private static LoadOptions from(Map<String, String> headers) {
        return LoadOptions.fromHeaders(headers::get);
    }

    private static void assertRejected(Map<String, String> headers, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> from(headers));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), e.getMessage());
        }
    }

    @Test
    void absentHeadersGiveDorisDefaults() {
        LoadOptions o = from(Map.of());
        assertEquals(LoadOptions.DEFAULTS, o);
        assertEquals(LoadFormat.CSV, o.format());
        assertArrayEquals(new byte[] {'\t'}, o.columnSeparator());
        assertArrayEquals(new byte[] {'\n'}, o.lineDelimiter());
        assertEquals(List.of(), o.columns());
        assertEquals(0.0, o.maxFilterRatio());
    }

    @Test
    void readsEveryHeader() {
        LoadOptions o = from(Map.of("format", "JSON", "column_separator", ",", "line_delimiter", "\\r\\n",
                "columns", " id, `Name` ,v1", "max_filter_ratio", "0.25"));
        assertEquals(LoadFormat.JSON, o.format());
        assertArrayEquals(new byte[] {','}, o.columnSeparator());
        assertArrayEquals(new byte[] {'\r', '\n'}, o.lineDelimiter());
        assertEquals(List.of("id", "Name", "v1"), o.columns());
        assertEquals(0.25, o.maxFilterRatio());
    }

    @Test
    void separatorsTakeHexMultiByteAndEscapes() {
        assertArrayEquals(new byte[] {1}, from(Map.of("column_separator", "\\x01")).columnSeparator());
        assertArrayEquals(new byte[] {1, 2, (byte) 0xAB}, from(Map.of("column_separator", "\\X0102aB")).columnSeparator());
        assertArrayEquals("||".getBytes(StandardCharsets.UTF_8), from(Map.of("column_separator", "||")).columnSeparator());
        assertArrayEquals(new byte[] {'\t'}, from(Map.of("column_separator", "\\t")).columnSeparator());
        assertArrayEquals(new byte[] {'\t'}, from(Map.of("column_separator", "\t")).columnSeparator());
        assertArrayEquals(new byte[] {'\\', '|'}, from(Map.of("column_separator", "\\|")).columnSeparator());
        assertArrayEquals("，".getBytes(StandardCharsets.UTF_8), from(Map.of("column_separator", "，")).columnSeparator());
    }

    @Test
    void invalidHeadersAreRejectedNamingHeaderAndValue() {
        assertRejected(Map.of("format", "parquet"), "'format'", "'parquet'");
        assertRejected(Map.of("column_separator", "\\x1"), "'column_separator'", "'\\x1'", "pairs");
        assertRejected(Map.of("column_separator", "\\xZZ"), "'column_separator'", "'ZZ'");
        assertRejected(Map.of("column_separator", ""), "'column_separator' is empty");
        assertRejected(Map.of("line_delimiter", ""), "'line_delimiter' is empty");
        assertRejected(Map.of("column_separator", "\\n"), "'column_separator'", "line delimiter");
        assertRejected(Map.of("max_filter_ratio", "abc"), "'max_filter_ratio'", "'abc'", "not a number");
        assertRejected(Map.of("max_filter_ratio", "1.5"), "'max_filter_ratio'", "'1.5'", "between 0 and 1");
        assertRejected(Map.of("max_filter_ratio", "-0.1"), "between 0 and 1");
        assertRejected(Map.of("max_filter_ratio", "NaN"), "between 0 and 1");
        assertRejected(Map.of("columns", "a,,b"), "'columns'", "empty column name");
        assertRejected(Map.of("columns", "a,b,A"), "'columns'", "'A' twice");
        assertRejected(Map.of("columns", "k,tmp,v=tmp*2"), "'columns'", "expressions are not supported");
    }

    @Test
    void boundaryRatiosAreAccepted() {
        assertEquals(1.0, from(Map.of("max_filter_ratio", "1")).maxFilterRatio());
        assertEquals(0.0, from(Map.of("max_filter_ratio", "0")).maxFilterRatio());
    }
}
