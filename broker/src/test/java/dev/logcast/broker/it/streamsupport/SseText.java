package dev.logcast.broker.it.streamsupport;

import dev.logcast.broker.testing.SseClient;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an SSE body read off a raw socket (WHATWG HTML §9.2: LF, CR or CRLF line ends, {@code data} lines joined
 * by LF). Comments are dropped; a message cut off by the close (no blank line after it) is not dispatched.
 */
public final class SseText {
    private SseText() {
    }

    public static List<SseClient.Event> messages(String body) {
        List<SseClient.Event> out = new ArrayList<>();
        String id = null;
        String event = null;
        StringBuilder data = null;
        String[] lines = body.split("\r\n|\r|\n", -1);
        // the last piece has no line end yet: cut off by the close, it is not a line
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                if (data != null) {
                    out.add(new SseClient.Event(id, event == null ? "message" : event, data.toString()));
                }
                event = null;
                data = null;
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "id" -> id = value;
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> { }
            }
        }
        return out;
    }
}
