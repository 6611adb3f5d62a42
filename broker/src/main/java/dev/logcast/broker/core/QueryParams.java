package dev.logcast.broker.core;

import java.util.List;
import java.util.Map;

/** Typed reads of query parameters for the stream and poll requests; bad values name the parameter. */
public final class QueryParams {
    private QueryParams() {
    }

    /** The single value of {@code name}, or {@code null}; the last one wins when repeated. */
    public static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /**
     * An event id as the broker writes it: the decimal form of an unsigned 64-bit number. Ids at or above 2^63
     * are taken as the largest id (nothing is newer).
     *
     * @throws IllegalArgumentException naming {@code what} when it is not a decimal number
     */
    public static long parseId(String text, String what) {
        String t = text.trim();
        if (t.isEmpty() || t.length() > 20) {
            throw new IllegalArgumentException(what + ": \"" + text + "\" is not an event id");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(what + ": \"" + text + "\" is not an event id");
            }
        }
        try {
            long id = Long.parseUnsignedLong(t);
            return id < 0 ? Long.MAX_VALUE : id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": \"" + text + "\" is not an event id");
        }
    }

    /** A non-negative whole number no larger than {@code max}; {@code dflt} when absent. */
    public static long parseCount(Map<String, List<String>> params, String name, long dflt, long max) {
        String text = single(params, name);
        if (text == null || text.isBlank()) {
            return dflt;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new IllegalArgumentException("parameter \"" + name + "\": must not be negative");
            }
            return Math.min(v, max);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parameter \"" + name + "\": \"" + text + "\" is not a whole number");
        }
    }
}
