package dev.logcast.broker.it.streamsupport;

import dev.logcast.broker.testing.SseClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A stream subscriber for the tests: an {@link SseClient} plus reading "up to this id" and "nothing more". */
public final class Subscriber implements AutoCloseable {
    private final String query;
    private final SseClient client;

    private Subscriber(String query, SseClient client) {
        this.query = query;
        this.client = client;
    }

    /** Opens {@code GET /v1/stream?query}; fails unless the answer is 200. */
    public static Subscriber open(int port, String query) throws IOException {
        return open(port, query, Map.of());
    }

    public static Subscriber open(int port, String query, Map<String, String> headers) throws IOException {
        SseClient client = SseClient.open(port, "/v1/stream" + (query.isEmpty() ? "" : "?" + query), headers);
        if (client.status() != 200) {
            client.close();
            throw new AssertionError("GET /v1/stream?" + query + " answered " + client.status());
        }
        return new Subscriber(query, client);
    }

    public String query() {
        return query;
    }

    public SseClient client() {
        return client;
    }

    /**
     * Messages (comments skipped; {@code event: gap} and the like included) until one with id {@code lastId}
     * or higher arrived; fails after the timeout, saying how far it got.
     */
    public List<SseClient.Event> messagesThrough(long lastId, long timeoutMs) throws InterruptedException {
        List<SseClient.Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            SseClient.Event e = null;
            while (e == null && left > 0) {
                boolean closed = client.isClosedByServer();
                e = client.nextMessage(Math.min(100, TimeUnit.NANOSECONDS.toMillis(left) + 1));
                if (e == null && closed) {
                    break; // everything the broker sent before closing is parsed: nothing more can come
                }
                left = deadline - System.nanoTime();
            }
            if (e == null) {
                throw new AssertionError("subscriber ?" + query + " got " + out.size() + " messages, the last "
                        + describeLast(out) + ", not through id " + lastId + " within " + timeoutMs + " ms"
                        + (client.isClosedByServer() ? " (closed by the broker)" : ""));
            }
            out.add(e);
            if (e.id() != null && "message".equals(e.event()) && Long.parseUnsignedLong(e.id()) >= lastId) {
                return out;
            }
        }
    }

    /** "event id N" for the last log event, and what came after it when that was another kind of message. */
    private static String describeLast(List<SseClient.Event> out) {
        String lastId = "none";
        for (SseClient.Event e : out) {
            if ("message".equals(e.event())) {
                lastId = e.id();
            }
        }
        SseClient.Event last = out.isEmpty() ? null : out.get(out.size() - 1);
        return "event id " + lastId + (last == null || "message".equals(last.event()) ? ""
                : " followed by \"event: " + last.event() + "\" " + last.data());
    }

    /** The log events through {@code lastId}, every one checked for framing. */
    public List<Received> eventsThrough(long lastId, long timeoutMs) throws InterruptedException {
        List<Received> out = new ArrayList<>();
        for (SseClient.Event e : messagesThrough(lastId, timeoutMs)) {
            out.add(Received.of(e));
        }
        return out;
    }

    /** Messages that arrive within {@code ms} (comments skipped): used to show nothing more came. */
    public List<SseClient.Event> messagesWithin(long ms) throws InterruptedException {
        List<SseClient.Event> out = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return out;
            }
            SseClient.Event e = client.nextMessage(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (e != null) {
                out.add(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /** Ids of received events. */
    public static List<Long> ids(List<Received> events) {
        List<Long> ids = new ArrayList<>(events.size());
        for (Received r : events) {
            ids.add(r.id());
        }
        return ids;
    }
}
