package io.compactor.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG: time on x, one or more series on y, a legend, grid and axis ticks.
 * No scripts, no external resources. NaN values leave a gap in their line.
 */
public final class SvgChart {
    private record Series(String name, String color, double[] xs, double[] ys, boolean dashed) {
    }

    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 34;
    private static final int BOTTOM = 58;

    private final String title;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();

    public SvgChart(String title, String yLabel) {
        this.title = title;
        this.yLabel = yLabel;
    }

    public SvgChart series(String name, String color, double[] xs, double[] ys, boolean dashed) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("series '" + name + "': " + xs.length + " x values but " + ys.length
                    + " y values");
        }
        series.add(new Series(name, color, xs.clone(), ys.clone(), dashed));
        return this;
    }

    public String render(int width, int height) {
        double xMax = 1;
        double yMax = 0;
        for (Series s : series) {
            for (int i = 0; i < s.xs.length; i++) {
                xMax = Math.max(xMax, s.xs[i]);
                if (!Double.isNaN(s.ys[i]) && !Double.isInfinite(s.ys[i])) {
                    yMax = Math.max(yMax, s.ys[i]);
                }
            }
        }
        double yStep = niceStep(yMax / 4);
        double yTop = Math.max(yStep, Math.ceil(yMax / yStep - 1e-9) * yStep);
        double xStep = niceStep(xMax / 5);
        double xTop = Math.max(xStep, Math.ceil(xMax / xStep - 1e-9) * xStep);
        List<List<Series>> legendRows = legendRows(width);
        height += 16 * (legendRows.size() - 1);
        int pw = width - LEFT - RIGHT;
        int ph = height - TOP - BOTTOM - 16 * (legendRows.size() - 1);
        StringBuilder sb = new StringBuilder(4096);
        sb.append(String.format(Locale.ROOT, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
                + " role=\"img\" aria-label=\"%s\">%n", width, height, width, height, esc(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
                LEFT, esc(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 14 %d)\""
                + " text-anchor=\"middle\">%s</text>%n", TOP + ph / 2, TOP + ph / 2, esc(yLabel)));
        for (double v = 0; v <= yTop + 1e-9 * yTop; v += yStep) {
            double y = TOP + ph - ph * (v / yTop);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + pw, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 4, y + 3, tick(v)));
        }
        for (double v = 0; v <= xTop + 1e-9 * xTop; v += xStep) {
            double x = LEFT + pw * (v / xTop);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x, TOP, x, TOP + ph));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%ss</text>%n",
                    x, TOP + ph + 14, tick(v)));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
                + " stroke=\"#999\"/>%n", LEFT, TOP, pw, ph));
        for (Series s : series) {
            for (String points : segments(s, xTop, yTop, pw, ph)) {
                sb.append("<polyline fill=\"none\" stroke=\"").append(esc(s.color)).append("\" stroke-width=\"1.8\"")
                        .append(s.dashed ? " stroke-dasharray=\"6 4\"" : "").append(" points=\"").append(points)
                        .append("\"/>\n");
            }
        }
        int ly = TOP + ph + 34;
        for (List<Series> row : legendRows) {
            int lx = LEFT;
            for (Series se : row) {
                sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\""
                        + " stroke-width=\"2\"%s/>%n", lx, ly - 4, lx + 18, ly - 4, esc(se.color),
                        se.dashed ? " stroke-dasharray=\"6 4\"" : ""));
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>%n", lx + 22,
                        ly, esc(se.name)));
                lx += legendWidth(se);
            }
            ly += 16;
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static int legendWidth(Series s) {
        return 34 + (int) Math.ceil(6.2 * s.name.length());
    }

    private List<List<Series>> legendRows(int width) {
        List<List<Series>> rows = new ArrayList<>();
        List<Series> row = new ArrayList<>();
        int used = LEFT;
        for (Series s : series) {
            if (!row.isEmpty() && used + legendWidth(s) > width - RIGHT) {
                rows.add(row);
                row = new ArrayList<>();
                used = LEFT;
            }
            row.add(s);
            used += legendWidth(s);
        }
        rows.add(row);
        return rows;
    }

    private static List<String> segments(Series s, double xTop, double yTop, int pw, int ph) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.xs.length; i++) {
            double y = s.ys[i];
            if (Double.isNaN(y) || Double.isInfinite(y)) {
                if (cur.length() > 0) {
                    out.add(cur.toString().trim());
                    cur.setLength(0);
                }
                continue;
            }
            double px = LEFT + pw * (s.xs[i] / xTop);
            double py = TOP + ph - (yTop <= 0 ? 0 : ph * (y / yTop));
            cur.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        }
        if (cur.length() > 0) {
            out.add(cur.toString().trim());
        }
        for (int i = 0; i < out.size(); i++) {
            if (!out.get(i).contains(" ")) {
                // a single point: draw it as a tiny horizontal line so it stays visible
                String p = out.get(i);
                double px = Double.parseDouble(p.substring(0, p.indexOf(',')));
                out.set(i, p + " " + String.format(Locale.ROOT, "%.1f", px + 1.5) + p.substring(p.indexOf(',')));
            }
        }
        return out;
    }

    /** A tick step at or above {@code v}: 1, 2, 2.5 or 5 times a power of ten; 1 below 1 (counts and seconds). */
    static double niceStep(double v) {
        return v <= 1 ? 1 : niceCeil(v);
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at or above {@code v}; 1 for non-positive values. */
    static double niceCeil(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v - 1e-9 * p) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String tick(double v) {
        if (v >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e4) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        if (v == Math.rint(v)) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
