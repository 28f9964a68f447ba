package io.compactor.storage.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ValueParserTest {
    private final ValueParser p = new ValueParser();

    private int parse(String kind, String text) {
        byte[] b = ("xx" + text + "yy").getBytes(StandardCharsets.UTF_8); // parse from the middle of an array
        int from = 2;
        int to = b.length - 2;
        return switch (kind) {
            case "long" -> p.parseLong(b, from, to);
            case "int" -> p.parseInt(b, from, to);
            case "double" -> p.parseDouble(b, from, to);
            case "date" -> p.parseDate(b, from, to);
            case "datetime" -> p.parseDateTime(b, from, to);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private long longOf(String kind, String text) {
        assertEquals(ValueParser.OK, parse(kind, text), text);
        return p.longValue;
    }

    @Test
    void longsParseWithSignsLimitsAndSurroundingSpaces() {
        assertEquals(0, longOf("long", "0"));
        assertEquals(42, longOf("long", "+42"));
        assertEquals(-42, longOf("long", " -42\t"));
        assertEquals(Long.MAX_VALUE, longOf("long", "9223372036854775807"));
        assertEquals(Long.MIN_VALUE, longOf("long", "-9223372036854775808"));
        assertEquals(7, longOf("long", "000000000000000000000007"));
    }

    @Test
    void longOverflowIsOutOfRangeAndGarbageIsInvalid() {
        assertEquals(ValueParser.OUT_OF_RANGE, parse("long", "9223372036854775808"));
        assertEquals(ValueParser.OUT_OF_RANGE, parse("long", "-9223372036854775809"));
        assertEquals(ValueParser.OUT_OF_RANGE, parse("long", "99999999999999999999999"));
        for (String bad : new String[] {"", " ", "-", "+", "abc", "1a", "1.5", "1 2", "0x10", "１"}) {
            assertEquals(ValueParser.INVALID, parse("long", bad), bad);
        }
        assertEquals(ValueParser.INVALID, parse("long", "99999999999999999999999x"), "garbage wins over overflow");
    }

    @Test
    void intsMustFit32Bits() {
        assertEquals(Integer.MAX_VALUE, longOf("int", "2147483647"));
        assertEquals(Integer.MIN_VALUE, longOf("int", "-2147483648"));
        assertEquals(ValueParser.OUT_OF_RANGE, parse("int", "2147483648"));
        assertEquals(ValueParser.OUT_OF_RANGE, parse("int", "-2147483649"));
    }

    @Test
    void doublesMatchJavaParsingOnFastAndSlowPaths() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            String s = switch (i % 4) {
                case 0 -> Long.toString(r.nextLong() % 1_000_000_000L) + "." + Math.abs(r.nextInt(1_000_000));
                case 1 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(40) - 20));
                case 2 -> "0." + "0".repeat(r.nextInt(25)) + Math.abs(r.nextLong());
                default -> Integer.toString(r.nextInt());
            };
            assertEquals(ValueParser.OK, parse("double", s), s);
            assertEquals(Double.parseDouble(s), p.doubleValue, s);
        }
        assertEquals(ValueParser.OK, parse("double", "-1.5e3"));
        assertEquals(-1500.0, p.doubleValue);
        assertEquals(ValueParser.OK, parse("double", ".5"));
        assertEquals(0.5, p.doubleValue);
    }

    @Test
    void doubleRefusesNonNumbersAndOverflow() {
        for (String bad : new String[] {"", "-", ".", "abc", "NaN", "Infinity", "1.2.3", "1e", "0x1p3", "1d", "1,5"}) {
            assertEquals(ValueParser.INVALID, parse("double", bad), bad);
        }
        assertEquals(ValueParser.OUT_OF_RANGE, parse("double", "1e999"));
    }

    @Test
    void datesAreEpochDaysWithCalendarChecks() {
        assertEquals(0, longOf("date", "1970-01-01"));
        assertEquals(LocalDate.of(2024, 2, 29).toEpochDay(), longOf("date", "2024-02-29"));
        assertEquals(LocalDate.of(1, 1, 1).toEpochDay(), longOf("date", "0001-01-01"));
        assertEquals(LocalDate.of(9999, 12, 31).toEpochDay(), longOf("date", "9999-12-31"));
        for (String bad : new String[] {"2023-02-29", "1900-02-29", "2024-13-01", "2024-00-10", "2024-04-31",
                "2024-1-01", "20240101", "2024/01/01", "2024-01-01 10:00:00", ""}) {
            assertEquals(ValueParser.INVALID, parse("date", bad), bad);
        }
        LocalDate d = LocalDate.of(1600, 1, 1);
        for (int i = 0; i < 200_000; i += 7) {
            LocalDate x = d.plusDays(i);
            assertEquals(x.toEpochDay(), ValueParser.epochDay(x.getYear(), x.getMonthValue(), x.getDayOfMonth()));
        }
    }

    @Test
    void dateTimesAreMicrosSinceEpochUtc() {
        LocalDateTime t = LocalDateTime.of(2024, 3, 5, 17, 8, 9);
        long secs = t.toEpochSecond(ZoneOffset.UTC);
        assertEquals(secs * 1_000_000, longOf("datetime", "2024-03-05 17:08:09"));
        assertEquals(secs * 1_000_000, longOf("datetime", "2024-03-05T17:08:09"));
        assertEquals(secs * 1_000_000 + 120_000, longOf("datetime", "2024-03-05 17:08:09.12"));
        assertEquals(secs * 1_000_000 + 123_456, longOf("datetime", "2024-03-05 17:08:09.123456"));
        assertEquals(LocalDate.of(2024, 3, 5).toEpochDay() * 86_400_000_000L, longOf("datetime", "2024-03-05"));
        assertEquals(-1_000_000, longOf("datetime", "1969-12-31 23:59:59"));
        for (String bad : new String[] {"2024-03-05 24:00:00", "2024-03-05 10:60:00", "2024-03-05 10:00:60",
                "2024-03-05 10:00", "2024-03-05 10:00:00.", "2024-03-05 10:00:00.1234567", "2024-03-05X10:00:00",
                "2024-02-30 10:00:00", "2024-03-05 10:00:00Z"}) {
            assertEquals(ValueParser.INVALID, parse("datetime", bad), bad);
        }
    }
}
