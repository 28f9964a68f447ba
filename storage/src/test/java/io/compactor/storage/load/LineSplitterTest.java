package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static List<String> split(String delimiter, String body, int... cuts) {
        List<String> out = new ArrayList<>();
        LineSplitter s = new LineSplitter(delimiter.getBytes(StandardCharsets.UTF_8),
                (b, from, to, no) -> out.add(no + ":" + new String(b, from, to - from, StandardCharsets.UTF_8)));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        int prev = 0;
        for (int cut : cuts) {
            s.feed(bytes, prev, cut - prev);
            prev = cut;
        }
        s.feed(bytes, prev, bytes.length - prev);
        s.finish();
        return out;
    }

    @Test
    void splitsWholeBodyAndKeepsEmptyLinesButNoTrailingOne() {
        assertEquals(List.of("1:a", "2:", "3:b"), split("\n", "a\n\nb\n"));
        assertEquals(List.of("1:a", "2:b"), split("\n", "a\nb"));
        assertEquals(List.of(), split("\n", ""));
    }

    @Test
    void everyChunkCutGivesTheSameLinesForMultiByteDelimiters() {
        for (String delim : new String[] {"\n", "||", "abc", "\r\n"}) {
            String partial = delim.length() > 1 ? delim.substring(0, delim.length() - 1) : "-";
            String body = "x1" + delim + "yy2" + delim + delim + "zzz3" + delim + "a" + partial + "b";
            List<String> expected = split(delim, body);
            assertEquals(5, expected.size(), delim);
            int n = body.length();
            for (int i = 0; i <= n; i++) {
                for (int j = i; j <= n; j++) {
                    assertEquals(expected, split(delim, body, i, j), "delimiter " + delim + " cuts " + i + "," + j);
                }
            }
        }
    }
}
