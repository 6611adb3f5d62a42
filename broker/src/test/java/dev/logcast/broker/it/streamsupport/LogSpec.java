package dev.logcast.broker.it.streamsupport;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An event as a test posts it: the fields a subscriber filters on, and attrs. {@code level} is written as given (any
 * case, as the contract allows on ingest); {@link #wireLevel()} is what the broker must send back.
 */
public record LogSpec(String branch, String type, String level, String source, String msg, Map<String, Object> attrs) {
    public LogSpec {
        attrs = attrs == null ? Map.of() : attrs;
    }

    public static LogSpec of(String branch, String type, String level, String source, String msg) {
        return new LogSpec(branch, type, level, source, msg, Map.of());
    }

    /** The level in the broker's wire form. */
    public String wireLevel() {
        return level.toLowerCase(Locale.ROOT);
    }

    /** The native JSON object of this event (no id, no ts: the broker assigns them). */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("level", level);
        m.put("type", type);
        m.put("source", source);
        m.put("branch", branch);
        m.put("msg", msg);
        if (!attrs.isEmpty()) {
            m.put("attrs", attrs);
        }
        return m;
    }
}
