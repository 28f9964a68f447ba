package io.compactor.bench.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Prometheus text exposition (format 0.0.4): samples with their labels. Comments
 * ({@code # HELP}, {@code # TYPE}) and blank lines are skipped; timestamps after the value are ignored.
 */
public final class PrometheusText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    public List<Sample> samples() {
        return Collections.unmodifiableList(samples);
    }

    /**
     * @throws IllegalArgumentException with the line number and text of a line that does not parse
     */
    public static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("metrics line " + (i + 1) + " does not parse (" + e.getMessage()
                        + "): " + line);
            }
        }
        return new PrometheusText(out);
    }

    private static Sample parseLine(String line) {
        int i = 0;
        while (i < line.length() && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("expected a metric name");
        }
        String name = line.substring(0, i);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i = parseLabels(line, i + 1, labels);
        }
        String rest = line.substring(i).strip();
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("missing value");
        }
        int space = rest.indexOf(' ');
        String value = space < 0 ? rest : rest.substring(0, space);
        return new Sample(name, Collections.unmodifiableMap(labels), parseValue(value));
    }

    /** Parses {@code k="v",...}} from {@code i}; returns the index after the closing brace. */
    private static int parseLabels(String line, int i, Map<String, String> labels) {
        while (true) {
            while (i < line.length() && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                i++;
            }
            if (i >= line.length()) {
                throw new IllegalArgumentException("unterminated label set");
            }
            if (line.charAt(i) == '}') {
                return i + 1;
            }
            int start = i;
            while (i < line.length() && isNameChar(line.charAt(i), i == start)) {
                i++;
            }
            String key = line.substring(start, i);
            if (key.isEmpty() || i >= line.length() || line.charAt(i) != '=') {
                throw new IllegalArgumentException("expected label=\"value\" at column " + (i + 1));
            }
            i++;
            if (i >= line.length() || line.charAt(i) != '"') {
                throw new IllegalArgumentException("label value must be quoted at column " + (i + 1));
            }
            i++;
            StringBuilder v = new StringBuilder();
            while (true) {
                if (i >= line.length()) {
                    throw new IllegalArgumentException("unterminated label value");
                }
                char c = line.charAt(i++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && i < line.length()) {
                    char e = line.charAt(i++);
                    v.append(e == 'n' ? '\n' : e);
                } else {
                    v.append(c);
                }
            }
            labels.put(key, v.toString());
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return Character.isLetter(c) || c == '_' || c == ':' || (!first && Character.isDigit(c));
    }

    private static double parseValue(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v);
        };
    }

    /** Whether any sample has this name. */
    public boolean has(String name) {
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The sum of all samples of {@code name} (0 when absent). */
    public double sum(String name) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                total += s.value();
            }
        }
        return total;
    }

    /** The sample of {@code name} whose label {@code key} equals {@code value} (summed), 0 when absent. */
    public double value(String name, String key, String value) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && value.equals(s.labels().get(key))) {
                total += s.value();
            }
        }
        return total;
    }

    /** Samples of {@code name} summed per value of label {@code key}, in order of appearance. */
    public Map<String, Double> byLabel(String name, String key) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name)) {
                out.merge(s.labels().getOrDefault(key, ""), s.value(), Double::sum);
            }
        }
        return out;
    }
}
