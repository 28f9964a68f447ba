package io.compactor.storage.schema;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Text forms of values: parsing what loads send and formatting what reads return. */
public final class ValueFormat {
    private static final DateTimeFormatter DATETIME_OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter DATETIME_OUT_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    private ValueFormat() {
    }

    /** Days since 1970-01-01 to {@code yyyy-MM-dd}. */
    public static String formatDate(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).toString();
    }

    /** Microseconds since the epoch (UTC) to {@code yyyy-MM-dd HH:mm:ss[.ffffff]}. */
    public static String formatDateTime(long micros) {
        long secs = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) Math.floorMod(micros, 1_000_000L);
        LocalDateTime t = LocalDateTime.ofEpochSecond(secs, micro * 1000, ZoneOffset.UTC);
        return micro == 0 ? t.format(DATETIME_OUT) : t.format(DATETIME_OUT_MICROS);
    }

    public static String formatDouble(double d) {
        if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    /** Parses {@code yyyy-MM-dd}; throws {@link IllegalArgumentException} naming the text. */
    public static long parseDate(CharSequence s) {
        try {
            return LocalDate.parse(s).toEpochDay();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid DATE '" + s + "'");
        }
    }

    /** Parses {@code yyyy-MM-dd[ HH:mm:ss[.f...]]} (a 'T' separator is accepted too), UTC. */
    public static long parseDateTime(CharSequence cs) {
        String s = cs.toString().trim();
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s).toEpochDay() * 86_400_000_000L;
            }
            LocalDateTime t = LocalDateTime.parse(s.replace(' ', 'T'));
            return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid DATETIME '" + s + "'");
        }
    }
}
