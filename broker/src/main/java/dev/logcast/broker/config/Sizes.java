package dev.logcast.broker.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as configuration text: a whole number of bytes, bare or with a binary unit, {@code B}, {@code KiB},
 * {@code MiB}, {@code GiB} or {@code TiB} (any case, blanks between allowed: {@code 8MiB}, {@code 65536}).
 * The value is in bytes.
 *
 * <p>Decimal-looking units ({@code KB}, {@code MB}, {@code k}, {@code M}) are rejected rather than guessed: whether
 * {@code 8MB} means 8,000,000 or 8,388,608 bytes is exactly the kind of difference a limit must not hide.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?", Pattern.CASE_INSENSITIVE);
    private static final Pattern DECIMAL_UNIT = Pattern.compile("\\d+\\s*[kmgt]b?", Pattern.CASE_INSENSITIVE);
    private static final String[] UNITS = {"TiB", "GiB", "MiB", "KiB"};
    private static final int[] SHIFTS = {40, 30, 20, 10};

    private Sizes() {}

    /** The bytes of {@code text}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static long parseBytes(String text) {
        String trimmed = text.trim();
        Matcher m = SIZE.matcher(trimmed);
        if (m.matches()) {
            try {
                return Math.multiplyExact(Long.parseLong(m.group(1)), unitBytes(m.group(2)));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("is too large a size");
            }
        }
        if (DECIMAL_UNIT.matcher(trimmed).matches()) {
            throw new IllegalArgumentException(
                    "is not a size: use the binary units B, KiB, MiB, GiB or TiB (e.g. 8MiB)");
        }
        throw new IllegalArgumentException("is not a size (use a whole number of bytes, or with KiB, MiB, GiB: 8MiB)");
    }

    /** The text of {@code bytes} in the largest binary unit that divides it: {@code 1073741824} is {@code 1GiB}. */
    public static String format(long bytes) {
        for (int i = 0; i < UNITS.length; i++) {
            long unit = 1L << SHIFTS[i];
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + UNITS[i];
            }
        }
        return bytes + "B";
    }

    /** A parser of sizes between {@code minBytes} and {@code maxBytes}, both included. */
    public static ValueParser<Long> parser(long minBytes, long maxBytes) {
        return new ValueParser<>() {
            @Override
            public Long parse(String text) {
                long bytes = parseBytes(text);
                if (bytes < minBytes) {
                    throw new IllegalArgumentException("is below the minimum " + format(minBytes));
                }
                if (bytes > maxBytes) {
                    throw new IllegalArgumentException("is above the maximum " + format(maxBytes));
                }
                return bytes;
            }

            @Override
            public String format(Long value) {
                return Sizes.format(value);
            }

            @Override
            public String label() {
                return "size";
            }
        };
    }

    private static long unitBytes(String unit) {
        if (unit == null) {
            return 1;
        }
        switch (unit.toLowerCase(Locale.ROOT)) {
            case "b": return 1;
            case "kib": return 1L << 10;
            case "mib": return 1L << 20;
            case "gib": return 1L << 30;
            case "tib": return 1L << 40;
            default: throw new IllegalStateException(unit);
        }
    }
}
