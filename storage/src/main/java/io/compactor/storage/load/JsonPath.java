package io.compactor.storage.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A JSON path of Doris's {@code jsonpaths} and {@code json_root}: {@code $} followed by
 * {@code .name}, {@code ['name']} and {@code [index]} steps. Immutable.
 */
public final class JsonPath {
    private final String text;
    private final List<Object> steps;

    private JsonPath(String text, List<Object> steps) {
        this.text = text;
        this.steps = steps;
    }

    /**
     * Parses a path.
     *
     * @param header the header the path came from, named in the error
     * @throws IllegalArgumentException naming the header and the path when it does not parse
     */
    public static JsonPath parse(String header, String text) {
        String p = text.trim();
        if (!p.startsWith("$")) {
            throw invalid(header, text, "a path starts with '$'");
        }
        List<Object> steps = new ArrayList<>();
        int i = 1;
        while (i < p.length()) {
            char c = p.charAt(i);
            if (c == '.') {
                int end = i + 1;
                while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
                    end++;
                }
                if (end == i + 1) {
                    throw invalid(header, text, "empty field name after '.'");
                }
                steps.add(p.substring(i + 1, end));
                i = end;
            } else if (c == '[') {
                int close = p.indexOf(']', i);
                if (close < 0) {
                    throw invalid(header, text, "'[' without ']'");
                }
                String inner = p.substring(i + 1, close).trim();
                if (inner.length() >= 2 && (inner.startsWith("'") && inner.endsWith("'")
                        || inner.startsWith("\"") && inner.endsWith("\""))) {
                    steps.add(inner.substring(1, inner.length() - 1));
                } else {
                    try {
                        steps.add(Integer.parseInt(inner));
                    } catch (NumberFormatException e) {
                        throw invalid(header, text, "'[" + inner + "]' is neither an index nor a quoted name");
                    }
                }
                i = close + 1;
            } else {
                throw invalid(header, text, "unexpected '" + c + "' at position " + i);
            }
        }
        return new JsonPath(text, List.copyOf(steps));
    }

    private static IllegalArgumentException invalid(String header, String text, String why) {
        return new IllegalArgumentException("Invalid " + header + " '" + text + "': " + why);
    }

    /**
     * Parses Doris's {@code jsonpaths} header: a JSON array of path strings.
     *
     * @throws IllegalArgumentException naming the header when it is not such an array
     */
    public static List<JsonPath> parseList(String header, String value) {
        JsonNode array;
        try {
            array = new com.fasterxml.jackson.databind.ObjectMapper().readTree(value);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Invalid " + header + " '" + value + "': not a JSON array of paths");
        }
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new IllegalArgumentException("Invalid " + header + " '" + value + "': not a JSON array of paths");
        }
        List<JsonPath> out = new ArrayList<>();
        for (JsonNode n : array) {
            if (!n.isTextual()) {
                throw new IllegalArgumentException("Invalid " + header + " '" + value + "': " + n + " is not a string");
            }
            out.add(parse(header, n.asText()));
        }
        return out;
    }

    /** The node at this path under {@code root}, or null when a step finds nothing. */
    public JsonNode find(JsonNode root) {
        JsonNode n = root;
        for (Object step : steps) {
            if (n == null) {
                return null;
            }
            n = step instanceof Integer idx ? (n.isArray() ? n.get(idx) : null) : (n.isObject() ? n.get((String) step)
                    : null);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonPath j && j.text.equals(text);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
