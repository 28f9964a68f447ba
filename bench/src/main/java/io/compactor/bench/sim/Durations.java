package io.compactor.bench.sim;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as people type them: {@code 30s}, {@code 2m}, {@code 1h30m}, {@code 500ms}, {@code 45} (seconds). */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)");
    private static final Pattern BARE = Pattern.compile("\\d+(?:\\.\\d+)?");

    private Durations() {
    }

    /**
     * @param flag named in the error message
     * @throws UsageException naming the flag and the text when it is not a positive duration
     */
    public static Duration parse(String flag, String text) {
        if (text == null || text.isBlank()) {
            throw new UsageException(flag + ": missing duration (use e.g. 30s, 2m, 1h30m, 500ms)");
        }
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        double millis;
        if (BARE.matcher(t).matches()) {
            millis = Double.parseDouble(t) * 1000;
        } else {
            Matcher m = PART.matcher(t);
            int end = 0;
            millis = 0;
            while (m.find()) {
                if (m.start() != end) {
                    break;
                }
                double n = Double.parseDouble(m.group(1));
                millis += switch (m.group(2)) {
                    case "ms" -> n;
                    case "s" -> n * 1000;
                    case "m" -> n * 60_000;
                    default -> n * 3_600_000;
                };
                end = m.end();
            }
            if (end != t.length() || end == 0) {
                throw new UsageException(flag + ": invalid duration '" + text + "' (use e.g. 30s, 2m, 1h30m, 500ms)");
            }
        }
        if (millis < 1) {
            throw new UsageException(flag + ": duration '" + text + "' must be at least 1ms");
        }
        if (millis > Duration.ofDays(365).toMillis()) {
            throw new UsageException(flag + ": duration '" + text + "' is longer than a year");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** {@code 1m05s}, {@code 20s}, {@code 750ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return ms % 1000 == 0 ? s + "s" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
        }
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return (h > 0 ? h + "h" : "") + (m > 0 || h > 0 ? String.format(java.util.Locale.ROOT, h > 0 ? "%02dm" : "%dm", m) : "")
                + (sec > 0 ? String.format(java.util.Locale.ROOT, "%02ds", sec) : "");
    }
}
