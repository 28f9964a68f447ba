package io.compactor.bench.sim;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a run's report directory: samples.csv, loads.csv, summary.txt and report.html. */
public final class ReportWriter {
    private ReportWriter() {
    }

    public static void write(Path dir, RunResult r) throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("samples.csv"), StandardCharsets.UTF_8)) {
            w.write(Sample.CSV_HEADER);
            w.newLine();
            for (Sample s : r.samples()) {
                w.write(s.csv());
                w.newLine();
            }
        }
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("loads.csv"), StandardCharsets.UTF_8)) {
            w.write("start_ms,latency_ms,table,outcome,rows,bytes,message");
            w.newLine();
            for (LoadStats.Record l : r.loads()) {
                w.write(l.startMs() + "," + l.latencyMs() + "," + l.table() + "," + l.outcome() + "," + l.rows() + ","
                        + l.bytes() + "," + csvText(l.message()));
                w.newLine();
            }
        }
        StringBuilder summary = new StringBuilder(r.summaryLine()).append('\n');
        r.options().forEach((k, v) -> summary.append(k).append(": ").append(v).append('\n'));
        r.notes().forEach(n -> summary.append("note: ").append(n).append('\n'));
        Files.writeString(dir.resolve("summary.txt"), summary, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), HtmlReport.render(r), StandardCharsets.UTF_8);
    }

    static String csvText(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String t = s.replace('\n', ' ').replace('\r', ' ');
        if (t.contains(",") || t.contains("\"")) {
            return "\"" + t.replace("\"", "\"\"") + "\"";
        }
        return t;
    }
}
