package io.compactor.bench.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {
    private static RunResult run() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            samples.add(new Sample(i, i * 10L, 0, 0, 10, 12, 9, i % 3 == 0 ? Double.NaN : 20 + i, 80 + i, 5 + i, 4 + i, 6 + i,
                    5 + i, i % 4, i % 2, 0, 0, 3, 0, 0, 10, 4, i * 1000L, i * 500L, i * 400L, i, 0));
        }
        List<LoadStats.Record> loads = List.of(new LoadStats.Record(1, 20, "t_0", LoadStats.Outcome.SUCCESS, 10, 100, null),
                new LoadStats.Record(2, 30, "t_0", LoadStats.Outcome.E235, 10, 100, "E-235 failed, a <b> & \"c\""));
        return new RunResult("steady", Map.of("target", "http://127.0.0.1:8040", "tables", "<4>"), samples, loads,
                Map.of("E-N failed <x>", 1L), "simulate steady: loads=2 failed=1 e235=1 max_versions=25 p99_load_ms=30"
                + " compactions=20 write_amplification=1.40", 2000, List.of("note <one>"), true);
    }

    @Test
    void everyChartIsAnInlineSvgAndNothingIsFetched() {
        String html = HtmlReport.render(run());
        int svgs = count(html, "<svg ");
        assertEquals(HtmlReport.charts(run()).size(), svgs);
        assertTrue(svgs >= 5, "charts: " + svgs);
        for (String title : List.of("Version count per tablet", "Top compaction score", "Running vs allowed compactions",
                "Load latency", "Bytes written")) {
            assertTrue(html.contains(title), title);
        }
        assertFalse(html.contains("<script"), "no scripts");
        assertFalse(Pattern.compile("(src|href)\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find(), "no links");
        assertFalse(html.contains("url("), "no CSS urls");
        assertFalse(html.contains("<b>"), "text is escaped");
        assertTrue(html.contains("&lt;4&gt;"));
        assertTrue(html.contains("simulate steady: loads=2"));
    }

    @Test
    void aNaNLatencyBreaksTheLineInsteadOfDrawingZero() {
        String svg = HtmlReport.charts(run()).get(3);
        assertTrue(count(svg, "<polyline") > 2, "p50 is split at the NaN windows");
        assertFalse(svg.contains("NaN"));
    }

    @Test
    void emptyRunStillRenders() {
        RunResult r = run();
        RunResult empty = new RunResult("recovery", Map.of(), List.of(), List.of(), Map.of(), "simulate recovery: loads=0",
                0, List.of("FAILED: the node has no endpoint GET /api/check_tablet"), false);
        String html = HtmlReport.render(empty);
        assertTrue(html.contains("FAILED"));
        assertTrue(html.contains("No samples"));
        assertEquals(HtmlReport.charts(r).size(), count(html, "<svg "));
    }

    @Test
    void reportDirectoryHoldsCsvSummaryAndHtml(@TempDir Path dir) throws Exception {
        ReportWriter.write(dir, run());
        List<String> csv = Files.readAllLines(dir.resolve("samples.csv"));
        assertEquals(Sample.CSV_HEADER, csv.get(0));
        assertEquals(21, csv.size());
        assertEquals(Sample.CSV_HEADER.split(",").length, csv.get(3).split(",", -1).length);
        List<String> loads = Files.readAllLines(dir.resolve("loads.csv"));
        assertTrue(loads.get(2).endsWith("\"E-235 failed, a <b> & \"\"c\"\"\""), loads.get(2));
        assertTrue(Files.readString(dir.resolve("summary.txt")).startsWith("simulate steady: loads=2"));
        assertTrue(Files.exists(dir.resolve("report.html")));
    }

    @Test
    void axisTicksAreRoundNumbers() {
        assertEquals(1, SvgChart.niceCeil(0));
        assertEquals(50, SvgChart.niceCeil(37));
        assertEquals(250, SvgChart.niceCeil(201));
        assertEquals("1.5M", SvgChart.tick(1_500_000));
        assertEquals("20k", SvgChart.tick(20_000));
        assertEquals("2.5", SvgChart.tick(2.5));
    }

    private static int count(String s, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
