package dev.logcast.broker.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as configuration text: a whole number and one unit, {@code ms}, {@code s}, {@code m} or {@code h}
 * (any case, blanks between allowed: {@code 250ms}, {@code 15s}, {@code 24h}). The value is in milliseconds.
 *
 * <p>A bare number is rejected, except {@code 0}: {@code heartbeat=15} could mean 15 ms or 15 s, and guessing
 * wrong is silent.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);
    private static final Pattern BARE_NUMBER = Pattern.compile("\\d+");
    private static final long SECOND_MS = 1000;
    private static final long MINUTE_MS = 60 * SECOND_MS;
    private static final long HOUR_MS = 60 * MINUTE_MS;

    private Durations() {}

    /** The milliseconds of {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static long parseMs(String text) {
        String trimmed = text.trim();
        Matcher m = DURATION.matcher(trimmed);
        if (m.matches()) {
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unitMs(m.group(2)));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("is too large a duration");
            }
        }
        if (BARE_NUMBER.matcher(trimmed).matches()) {
            if (trimmed.chars().allMatch(c -> c == '0')) {
                return 0;
            }
            throw new IllegalArgumentException(
                    "needs a unit: ms, s, m or h (e.g. " + trimmed + "ms or " + trimmed + "s)");
        }
        throw new IllegalArgumentException("is not a duration (use a whole number with ms, s, m or h, e.g. 15s)");
    }

    /** The shortest text for {@code ms} in the largest unit that divides it: {@code 86400000} is {@code 24h}. */
    public static String format(long ms) {
        if (ms != 0 && ms % HOUR_MS == 0) {
            return ms / HOUR_MS + "h";
        }
        if (ms != 0 && ms % MINUTE_MS == 0) {
            return ms / MINUTE_MS + "m";
        }
        if (ms != 0 && ms % SECOND_MS == 0) {
            return ms / SECOND_MS + "s";
        }
        return ms + "ms";
    }

    /** A parser of durations between {@code minMs} and {@code maxMs}, both included. */
    public static ValueParser<Long> parser(long minMs, long maxMs) {
        return new ValueParser<>() {
            @Override
            public Long parse(String text) {
                long ms = parseMs(text);
                if (ms < minMs) {
                    throw new IllegalArgumentException("is below the minimum " + format(minMs));
                }
                if (ms > maxMs) {
                    throw new IllegalArgumentException("is above the maximum " + format(maxMs));
                }
                return ms;
            }

            @Override
            public String format(Long value) {
                return Durations.format(value);
            }

            @Override
            public String label() {
                return "duration";
            }
        };
    }

    private static long unitMs(String unit) {
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "ms": return 1;
            case "s": return SECOND_MS;
            case "m": return MINUTE_MS;
            case "h": return HOUR_MS;
            default: throw new IllegalStateException(unit);
        }
    }
}
