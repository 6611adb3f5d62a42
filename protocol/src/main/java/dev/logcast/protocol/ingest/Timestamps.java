package dev.logcast.protocol.ingest;

/**
 * Parses the event's {@code ts} string: an RFC 3339 date-time ({@code 2026-11-24T12:00:00.123Z},
 * {@code 2026-11-24T14:00:00+02:00}), by hand, without allocating: this runs once per event. Fractional seconds
 * may have any number of digits and are cut to milliseconds; {@code t}, {@code z} and, as RFC 3339 §5.6 allows,
 * a space in place of {@code T} are accepted; a leap second (:60) counts as the next second's start.
 * Stateless and thread-safe.
 */
final class Timestamps {
    /** 0000-01-01T00:00:00Z: an event's time must print as RFC 3339, which has four-digit years. */
    static final long MIN_MILLIS = -62_167_219_200_000L;
    /** 9999-12-31T23:59:59.999Z. */
    static final long MAX_MILLIS = 253_402_300_799_999L;
    /** Returned for a string that is not an RFC 3339 date-time in range. */
    static final long INVALID = Long.MIN_VALUE;

    private Timestamps() {
    }

    /** Whether epoch millis {@code ms} lie in years 0000 to 9999. */
    static boolean inRange(long ms) {
        return ms >= MIN_MILLIS && ms <= MAX_MILLIS;
    }

    /** Epoch millis of an RFC 3339 date-time, or {@link #INVALID}. */
    static long parseRfc3339(CharSequence s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return INVALID;
        }
        char t = s.charAt(10);
        if (t != 'T' && t != 't' && t != ' ') {
            return INVALID;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
            return INVALID;
        }
        int i = 19;
        int millis = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && isDigit(s.charAt(i))) {
                if (i - start < 3) {
                    millis = millis * 10 + (s.charAt(i) - '0');
                }
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0) {
                return INVALID;
            }
            for (int k = fractionDigits; k < 3; k++) {
                millis *= 10;
            }
        }
        if (i >= n) {
            return INVALID;
        }
        char zone = s.charAt(i);
        int offsetSeconds;
        if (zone == 'Z' || zone == 'z') {
            offsetSeconds = 0;
            i++;
        } else if ((zone == '+' || zone == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 23 || offsetMinutes < 0 || offsetMinutes > 59) {
                return INVALID;
            }
            offsetSeconds = (zone == '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
            i += 6;
        } else {
            return INVALID;
        }
        if (i != n) {
            return INVALID;
        }
        long seconds = epochDay(year, month, day) * 86_400L + hour * 3600L + minute * 60L + second - offsetSeconds;
        long ms = seconds * 1000L + millis;
        return inRange(ms) ? ms : INVALID;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The decimal value of {@code count} digits at {@code from}, or -1. */
    private static int digits(CharSequence s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static int daysInMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /**
     * Days since 1970-01-01 of a proleptic Gregorian date: H. Hinnant's {@code days_from_civil}
     * ("chrono-Compatible Low-Level Date Algorithms").
     */
    private static long epochDay(int year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = (y >= 0 ? y : y - 399) / 400;
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
