package io.compactor.api;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Doris's time text: {@code YYYY-MM-DD HH:MM:SS.mmm} in local time; 0 prints as the epoch. */
public final class TimeFormat {
    private static final DateTimeFormatter FMT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private TimeFormat() {
    }

    public static String millis(long epochMs) {
        return FMT.format(Instant.ofEpochMilli(epochMs));
    }
}
