package dev.logcast.broker.it.streamsupport;

import dev.logcast.broker.testing.SseClient;
import java.util.Map;

/**
 * A log event as a subscriber got it: a default SSE message whose {@code id:} line and JSON {@code id} agree.
 */
public record Received(long id, Map<String, Object> json) {
    /** Checks the framing of one message and parses its data. */
    public static Received of(SseClient.Event e) {
        if (!"message".equals(e.event())) {
            throw new AssertionError("expected a default message, got event \"" + e.event() + "\": " + e.data());
        }
        Map<String, Object> json = Json.object(e.data());
        Object jsonId = json.get("id");
        if (!(jsonId instanceof String s) || !s.equals(e.id())) {
            throw new AssertionError("id line \"" + e.id() + "\" and JSON id " + jsonId + " differ: " + e.data());
        }
        return new Received(Long.parseUnsignedLong(e.id()), json);
    }

    public static Received ofJson(Map<String, Object> json) {
        return new Received(Long.parseUnsignedLong((String) json.get("id")), json);
    }

    public String msg() {
        return (String) json.get("msg");
    }

    public String branch() {
        return (String) json.get("branch");
    }

    public String type() {
        return (String) json.get("type");
    }

    public String level() {
        return (String) json.get("level");
    }

    public String source() {
        return (String) json.get("source");
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> attrs() {
        return (Map<String, Object>) json.get("attrs");
    }

    /** The fields a test posted, as a {@link LogSpec}, so it can be compared with what was sent. */
    public LogSpec asSpec() {
        return new LogSpec(branch(), type(), level(), source(), msg(), attrs());
    }
}
