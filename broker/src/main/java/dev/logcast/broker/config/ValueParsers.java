package dev.logcast.broker.config;

import io.netty.util.NetUtil;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The parsers of the plain value types: whole numbers, booleans, one-of choices, addresses, paths, lists.
 * Durations and sizes have their own classes ({@link Durations}, {@link Sizes}).
 */
public final class ValueParsers {
    /** One label of a host name (RFC 1123 §2.1). */
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final Pattern HOST_NAME = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
    /**
     * A serialized origin (RFC 6454 §6.2) as a browser sends it in lower case: scheme, host or bracketed IPv6
     * literal, optional port, no path.
     */
    private static final Pattern ORIGIN = Pattern.compile(
            "https?://(" + LABEL + "(\\." + LABEL + ")*|\\[[0-9a-f:.]+])(:\\d{1,5})?");

    private ValueParsers() {}

    /** Whole numbers from {@code min} to {@code max}, both included. */
    public static ValueParser<Integer> integer(int min, int max) {
        return new Simple<>("n", ValueParsers::formatObject, text -> {
            int n;
            try {
                n = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("is not a whole number");
            }
            if (n < min) {
                throw new IllegalArgumentException("is below the minimum " + min);
            }
            if (n > max) {
                throw new IllegalArgumentException("is above the maximum " + max);
            }
            return n;
        });
    }

    /** A TCP port, {@code 0} (any free port) to {@code 65535}. */
    public static ValueParser<Integer> port() {
        ValueParser<Integer> n = integer(0, 65535);
        return new Simple<>("port", ValueParsers::formatObject, n::parse);
    }

    /** {@code true}/{@code false}, also {@code yes}/{@code no} and {@code on}/{@code off}, any case. */
    public static ValueParser<Boolean> bool() {
        return new Simple<>("true|false", ValueParsers::formatObject, text -> {
            switch (text.toLowerCase(Locale.ROOT)) {
                case "true": case "yes": case "on": return Boolean.TRUE;
                case "false": case "no": case "off": return Boolean.FALSE;
                default: throw new IllegalArgumentException("is not a boolean (use true or false)");
            }
        });
    }

    /** One of {@code choices} (lower case), read in any case. */
    public static ValueParser<String> oneOf(String... choices) {
        List<String> allowed = List.of(choices);
        return new Simple<>(String.join("|", allowed), UnaryOperator.identity(), text -> {
            String lower = text.toLowerCase(Locale.ROOT);
            if (!allowed.contains(lower)) {
                throw new IllegalArgumentException("is not one of " + String.join(", ", allowed));
            }
            return lower;
        });
    }

    /**
     * A local address to bind: an IPv4 or IPv6 literal (brackets optional) or a host name. Names are not resolved
     * here, so checking a configuration never waits for DNS.
     */
    public static ValueParser<String> bindAddress() {
        return new Simple<>("address", UnaryOperator.identity(), text -> {
            String host = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            if (NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host)
                    || host.length() <= 253 && HOST_NAME.matcher(host).matches()) {
                return host;
            }
            throw new IllegalArgumentException("is not an IP address or host name");
        });
    }

    /** A file system path, as given (relative paths are relative to the working directory). */
    public static ValueParser<Path> path() {
        return new Simple<>("path", Path::toString, text -> {
            if (text.isEmpty()) {
                throw new IllegalArgumentException("is empty (a path is needed)");
            }
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("is not a valid path");
            }
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("is not a valid path");
            }
        });
    }

    /**
     * CORS origins, comma-separated: each {@code *} (any origin) or {@code scheme://host[:port]} exactly as browsers
     * send it in {@code Origin}, with no path or trailing slash. Scheme and host are lower-cased; empty items and
     * repeats are dropped; an empty text is the empty list.
     */
    public static ValueParser<List<String>> origins() {
        return new Simple<>("origin,...", list -> String.join(",", list), text -> {
            Set<String> origins = new LinkedHashSet<>();
            for (String item : text.split(",", -1)) {
                String origin = item.trim().toLowerCase(Locale.ROOT);
                if (origin.isEmpty()) {
                    continue;
                }
                if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                    throw new IllegalArgumentException("has \"" + item.trim()
                            + "\", which is not an origin (use * or scheme://host[:port] with no path,"
                            + " e.g. https://app.example.com)");
                }
                origins.add(origin);
            }
            return List.copyOf(new ArrayList<>(origins));
        });
    }

    /** {@code parser}, except that an empty text is no value ({@code null}): for keys that may be left unset. */
    public static <T> ValueParser<T> optional(ValueParser<T> parser) {
        return new ValueParser<>() {
            @Override
            public T parse(String text) {
                return text.isEmpty() ? null : parser.parse(text);
            }

            @Override
            public String format(T value) {
                return value == null ? "" : parser.format(value);
            }

            @Override
            public String label() {
                return parser.label();
            }
        };
    }

    private static String formatObject(Object value) {
        return String.valueOf(value);
    }

    /** A parser made of a label, a formatter and a parsing function. */
    private static final class Simple<T> implements ValueParser<T> {
        private final String label;
        private final Function<T, String> formatter;
        private final Function<String, T> parser;

        Simple(String label, Function<T, String> formatter, Function<String, T> parser) {
            this.label = label;
            this.formatter = formatter;
            this.parser = parser;
        }

        @Override
        public T parse(String text) {
            return parser.apply(text);
        }

        @Override
        public String format(T value) {
            return formatter.apply(value);
        }

        @Override
        public String label() {
            return label;
        }
    }
}
