package io.compactor.storage.load;

import java.nio.charset.StandardCharsets;

/**
 * Parses load values straight from bytes, without creating Strings on the common path. Each
 * method returns {@link #OK}, {@link #INVALID} or {@link #OUT_OF_RANGE} and leaves the parsed
 * value in {@link #longValue} or {@link #doubleValue}. Leading and trailing spaces and tabs are
 * ignored, as Doris's string parser ignores them. Not thread-safe: one instance per parser.
 *
 * <ul>
 *   <li>INT / BIGINT: optional sign and decimal digits; a value outside the type's range is
 *       {@link #OUT_OF_RANGE}.</li>
 *   <li>DOUBLE: {@code [sign]digits[.digits]} with up to 15 significant digits is computed exactly
 *       (one correctly rounded division); anything else made of digits, sign, point and exponent
 *       goes to {@link Double#parseDouble}. NaN and infinity are refused; overflow is
 *       {@link #OUT_OF_RANGE}.</li>
 *   <li>DATE {@code yyyy-MM-dd}: days since 1970-01-01.</li>
 *   <li>DATETIME {@code yyyy-MM-dd[( |T)HH:mm:ss[.f{1,6}]]}: microseconds since the epoch, UTC.</li>
 * </ul>
 */
final class ValueParser {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int OUT_OF_RANGE = 2;

    private static final double[] POW10 = new double[23];
    private static final long MAX_EXACT_MANTISSA = 999_999_999_999_999L; // 15 digits < 2^53
    private static final long MICROS_PER_DAY = 86_400_000_000L;

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    long longValue;
    double doubleValue;
    private int start;
    private int end;

    private boolean trim(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) {
            from++;
        }
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
            to--;
        }
        start = from;
        end = to;
        return from < to;
    }

    int parseLong(byte[] b, int from, int to) {
        if (!trim(b, from, to)) {
            return INVALID;
        }
        int i = start;
        boolean negative = false;
        if (b[i] == '-' || b[i] == '+') {
            negative = b[i] == '-';
            i++;
            if (i == end) {
                return INVALID;
            }
        }
        // accumulate negatively so that Long.MIN_VALUE is representable
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multMin = limit / 10;
        long acc = 0;
        boolean overflow = false;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return INVALID;
            }
            if (acc < multMin) {
                overflow = true;
                continue;
            }
            acc *= 10;
            if (acc < limit + d) {
                overflow = true;
                continue;
            }
            acc -= d;
        }
        if (overflow) {
            return OUT_OF_RANGE;
        }
        longValue = negative ? acc : -acc;
        return OK;
    }

    int parseInt(byte[] b, int from, int to) {
        int r = parseLong(b, from, to);
        if (r == OK && (longValue < Integer.MIN_VALUE || longValue > Integer.MAX_VALUE)) {
            return OUT_OF_RANGE;
        }
        return r;
    }

    int parseDouble(byte[] b, int from, int to) {
        if (!trim(b, from, to)) {
            return INVALID;
        }
        int i = start;
        boolean negative = false;
        if (b[i] == '-' || b[i] == '+') {
            negative = b[i] == '-';
            i++;
        }
        long mantissa = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean point = false;
        boolean simple = true;
        for (; i < end; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                if (mantissa > MAX_EXACT_MANTISSA / 10) {
                    simple = false;
                    break;
                }
                mantissa = mantissa * 10 + (c - '0');
                digits++;
                if (point) {
                    fractionDigits++;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                simple = false;
                break;
            }
        }
        if (simple) {
            if (digits == 0 || fractionDigits >= POW10.length) {
                return digits == 0 ? INVALID : parseDoubleSlow(b);
            }
            double v = mantissa / POW10[fractionDigits];
            doubleValue = negative ? -v : v;
            return OK;
        }
        return parseDoubleSlow(b);
    }

    private int parseDoubleSlow(byte[] b) {
        boolean anyDigit = false;
        for (int i = start; i < end; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                anyDigit = true;
            } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
                return INVALID;
            }
        }
        if (!anyDigit) {
            return INVALID;
        }
        try {
            double v = Double.parseDouble(new String(b, start, end - start, StandardCharsets.ISO_8859_1));
            if (Double.isInfinite(v)) {
                return OUT_OF_RANGE;
            }
            doubleValue = v;
            return OK;
        } catch (NumberFormatException e) {
            return INVALID;
        }
    }

    int parseDate(byte[] b, int from, int to) {
        if (!trim(b, from, to) || end - start != 10) {
            return INVALID;
        }
        return parseDatePart(b, start) ? OK : INVALID;
    }

    int parseDateTime(byte[] b, int from, int to) {
        if (!trim(b, from, to)) {
            return INVALID;
        }
        int s = start;
        int len = end - start;
        if (len < 10 || !parseDatePart(b, s)) {
            return INVALID;
        }
        long micros = longValue * MICROS_PER_DAY;
        if (len == 10) {
            longValue = micros;
            return OK;
        }
        if (len < 19 || (b[s + 10] != ' ' && b[s + 10] != 'T') || b[s + 13] != ':' || b[s + 16] != ':') {
            return INVALID;
        }
        int hour = twoDigits(b, s + 11);
        int minute = twoDigits(b, s + 14);
        int second = twoDigits(b, s + 17);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        long fraction = 0;
        if (len > 19) {
            int fractionDigits = len - 20;
            if (b[s + 19] != '.' || fractionDigits < 1 || fractionDigits > 6) {
                return INVALID;
            }
            for (int i = s + 20; i < end; i++) {
                int d = b[i] - '0';
                if (d < 0 || d > 9) {
                    return INVALID;
                }
                fraction = fraction * 10 + d;
            }
            for (int k = fractionDigits; k < 6; k++) {
                fraction *= 10;
            }
        }
        longValue = micros + (hour * 3600L + minute * 60L + second) * 1_000_000L + fraction;
        return OK;
    }

    /** Parses {@code yyyy-MM-dd} at {@code s} into {@link #longValue} (epoch day). */
    private boolean parseDatePart(byte[] b, int s) {
        if (b[s + 4] != '-' || b[s + 7] != '-') {
            return false;
        }
        int hi = twoDigits(b, s);
        int lo = twoDigits(b, s + 2);
        int month = twoDigits(b, s + 5);
        int day = twoDigits(b, s + 8);
        if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) {
            return false;
        }
        int year = hi * 100 + lo;
        if (day > daysInMonth(year, month)) {
            return false;
        }
        longValue = epochDay(year, month, day);
        return true;
    }

    private static int twoDigits(byte[] b, int i) {
        int d1 = b[i] - '0';
        int d2 = b[i + 1] - '0';
        if (d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) {
            return -1;
        }
        return d1 * 10 + d2;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse). */
    static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
