package io.compactor.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A self-contained HTML page: summary, options, notes and inline SVG charts. No scripts, no network. */
public final class HtmlReport {
    private static final int W = 860;
    private static final int H = 280;

    private HtmlReport() {
    }

    /** The charts of a run, in page order. */
    public static List<String> charts(RunResult r) {
        List<Sample> s = r.samples();
        double[] t = col(s, Sample::tSec);
        List<String> out = new ArrayList<>();
        SvgChart versions = new SvgChart("Version count per tablet", "rowsets")
                .series("max", "#d62728", t, col(s, x -> x.maxVersions()), false)
                .series("p99", "#1f77b4", t, col(s, x -> x.p99Versions()), false);
        if (r.versionLimit() > 0 && maxOf(col(s, x -> x.maxVersions())) * 2 >= r.versionLimit()) {
            versions.series("limit (E-235 above)", "#7f7f7f", t, constant(s.size(), r.versionLimit()), true);
        }
        out.add(versions.render(W, H));
        out.add(new SvgChart("Top compaction score", "score")
                .series("top tablet score (/api/compaction_score)", "#9467bd", t, col(s, x -> x.topScore()), false)
                .series("max cumulative score (/metrics)", "#8c564b", t, col(s, x -> x.cumuMaxScore()), true)
                .render(W, H));
        out.add(new SvgChart("Running vs allowed compactions", "tasks")
                .series("cumulative running", "#2ca02c", t, col(s, x -> x.runningCumu()), false)
                .series("cumulative allowed", "#2ca02c", t, col(s, x -> x.allowedCumu()), true)
                .series("base running", "#ff7f0e", t, col(s, x -> x.runningBase()), false)
                .series("full running", "#d62728", t, col(s, x -> x.runningFull()), false)
                .series("base+full allowed", "#ff7f0e", t, col(s, x -> x.allowedBaseFull()), true)
                .series("queued (all kinds)", "#7f7f7f", t,
                        col(s, x -> x.queuedCumu() + x.queuedBase() + x.queuedFull()), true)
                .render(W, H));
        out.add(new SvgChart("Offered vs achieved load (per sampling window)", "loads/s")
                .series("offered (due in the schedule, sent or not)", "#7f7f7f", t, col(s, Sample::offeredPerSec), true)
                .series("achieved (answered Success)", "#2ca02c", t, col(s, Sample::achievedPerSec), false)
                .series("ended (any outcome)", "#1f77b4", t, col(s, Sample::loadsPerSec), false)
                .render(W, H));
        out.add(new SvgChart("Load latency (per sampling window)", "ms")
                .series("p50", "#1f77b4", t, col(s, Sample::latencyP50Ms), false)
                .series("p99", "#d62728", t, col(s, Sample::latencyP99Ms), false)
                .render(W, H));
        out.add(new SvgChart("Bytes written (cumulative)", "bytes")
                .series("by loads", "#1f77b4", t, col(s, x -> x.loadBytes()), false)
                .series("by compaction (output)", "#d62728", t, col(s, x -> x.compactionOutputBytes()), false)
                .series("compaction input", "#ff7f0e", t, col(s, x -> x.compactionInputBytes()), true)
                .render(W, H));
        out.add(new SvgChart("Load rate and finished compactions", "count")
                .series("loads/s", "#1f77b4", t, col(s, Sample::loadsPerSec), false)
                .series("compactions (cumulative)", "#2ca02c", t, col(s, x -> x.compactions()), false)
                .series("segment compactions (cumulative)", "#9467bd", t, col(s, x -> x.segcompactions()), true)
                .render(W, H));
        return out;
    }

    public static String render(RunResult r) {
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(SvgChart.esc("simulate " + r.scenario())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:920px}")
                .append("code,pre{background:#f4f4f4;padding:2px 4px}pre{padding:8px;white-space:pre-wrap}")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;")
                .append("text-align:left;font-size:13px}svg.chart{display:block;margin:18px 0;background:#fff}")
                .append(".bad{color:#b00}.good{color:#070}\n</style>\n</head>\n<body>\n");
        sb.append("<h1>simulate ").append(SvgChart.esc(r.scenario())).append("</h1>\n");
        sb.append("<p class=\"").append(r.ok() ? "good" : "bad").append("\">").append(r.ok() ? "completed" : "FAILED")
                .append("</p>\n<pre>").append(SvgChart.esc(r.summaryLine())).append("</pre>\n");
        sb.append("<h2>Options</h2>\n<table>\n");
        for (Map.Entry<String, String> e : r.options().entrySet()) {
            sb.append("<tr><th>").append(SvgChart.esc(e.getKey())).append("</th><td>").append(SvgChart.esc(e.getValue()))
                    .append("</td></tr>\n");
        }
        sb.append("</table>\n");
        if (!r.notes().isEmpty()) {
            sb.append("<h2>Notes</h2>\n<ul>\n");
            for (String n : r.notes()) {
                sb.append("<li>").append(SvgChart.esc(n)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        if (!r.failureMessages().isEmpty()) {
            sb.append("<h2>Load failures</h2>\n<table>\n<tr><th>loads</th><th>message (digits as N)</th></tr>\n");
            r.failureMessages().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
                    .limit(20).forEach(e -> sb.append("<tr><td>").append(e.getValue()).append("</td><td>")
                            .append(SvgChart.esc(e.getKey())).append("</td></tr>\n"));
            sb.append("</table>\n");
        }
        sb.append("<h2>Over time</h2>\n");
        if (r.samples().isEmpty()) {
            sb.append("<p class=\"bad\">No samples were taken.</p>\n");
        }
        for (String chart : charts(r)) {
            sb.append(chart);
        }
        sb.append(String.format(Locale.ROOT, "<p>%d samples, %d loads. Data: <code>samples.csv</code>,"
                + " <code>loads.csv</code>.</p>%n", r.samples().size(), r.loads().size()));
        sb.append("</body>\n</html>\n");
        return sb.toString();
    }

    private static double[] col(List<Sample> s, ToDoubleFunction<Sample> f) {
        double[] out = new double[s.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(s.get(i));
        }
        return out;
    }

    private static double[] constant(int n, double v) {
        double[] out = new double[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    private static double maxOf(double[] v) {
        double m = 0;
        for (double d : v) {
            m = Math.max(m, d);
        }
        return m;
    }
}
