package dev.logcast.broker.it.streamsupport;

import java.util.Map;

/** A native ingest answer, {@code 202 {"accepted": N, "first": "<id>", "last": "<id>"}}. */
public record Accepted(int accepted, long first, long last) {
    static Accepted parse(String body) {
        Map<String, Object> m = Json.object(body);
        int n = ((Number) m.get("accepted")).intValue();
        if (n == 0) {
            return new Accepted(0, 0, 0);
        }
        long first = Long.parseUnsignedLong((String) m.get("first"));
        long last = Long.parseUnsignedLong((String) m.get("last"));
        if (last - first + 1 != n) {
            throw new AssertionError("202 body says " + n + " events but ids " + first + ".." + last + ": " + body);
        }
        return new Accepted(n, first, last);
    }

    /** The id the broker gave the {@code i}-th event of the batch. */
    public long id(int i) {
        return first + i;
    }
}
