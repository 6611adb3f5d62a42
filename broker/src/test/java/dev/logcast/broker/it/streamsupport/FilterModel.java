package dev.logcast.broker.it.streamsupport;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The contract's filter rules written out independently of the broker, to compute what a subscriber must get:
 * {@code branch} and {@code source} globs ({@code *} any run of characters), {@code type} exact, {@code level} a
 * minimum, {@code q} a case-insensitive substring of {@code msg}; values of one filter are OR (comma-separated or
 * repeated), different filters AND. Built from the very query string the test sends.
 */
public final class FilterModel {
    private static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error", "fatal");

    private final Map<String, List<String>> values;

    private FilterModel(Map<String, List<String>> values) {
        this.values = values;
    }

    /** The filter of a query string such as {@code branch=team-a/*&level=warn} (no leading {@code ?}). */
    public static FilterModel ofQuery(String query) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!List.of("branch", "type", "level", "source", "q").contains(name)) {
                    continue;
                }
                for (String part : value.split(",")) {
                    if (!part.isBlank()) {
                        values.computeIfAbsent(name, k -> new ArrayList<>()).add(part.trim());
                    }
                }
            }
        }
        return new FilterModel(values);
    }

    public boolean matches(LogSpec e) {
        return anyGlob("branch", e.branch())
                && any("type", t -> t.equals(e.type()))
                && any("level", l -> LEVELS.indexOf(e.wireLevel()) >= LEVELS.indexOf(l.toLowerCase(Locale.ROOT)))
                && anyGlob("source", e.source())
                && any("q", q -> e.msg().toLowerCase(Locale.ROOT).contains(q.toLowerCase(Locale.ROOT)));
    }

    private boolean anyGlob(String name, String value) {
        return any(name, glob -> globRegex(glob).matcher(value).matches());
    }

    private boolean any(String name, java.util.function.Predicate<String> test) {
        List<String> vs = values.get(name);
        if (vs == null) {
            return true;
        }
        for (String v : vs) {
            if (test.test(v)) {
                return true;
            }
        }
        return false;
    }

    private static Pattern globRegex(String glob) {
        List<String> quoted = new ArrayList<>();
        for (String part : glob.split("\\*", -1)) {
            quoted.add(Pattern.quote(part));
        }
        return Pattern.compile(String.join(".*", quoted), Pattern.DOTALL);
    }
}
