package dev.logcast.protocol;

import java.util.Locale;

/** Severity of an event, ordered: a subscriber's {@code level} filter is a minimum. */
public enum Level {
    TRACE, DEBUG, INFO, WARN, ERROR, FATAL;

    private static final Level[] VALUES = values();
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The lower-case name used on the wire ({@code "info"}). */
    public String wireName() {
        return wireName;
    }

    /** Parses a level name in any case; {@code null} when it is not one of the six names. */
    public static Level parse(String name) {
        if (name == null) {
            return null;
        }
        for (Level level : VALUES) {
            if (level.wireName.equalsIgnoreCase(name)) {
                return level;
            }
        }
        return null;
    }
}
