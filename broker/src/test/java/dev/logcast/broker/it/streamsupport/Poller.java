package dev.logcast.broker.it.streamsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/poll} for the tests: checks the answer's shape and parses it. Thread-safe. */
public final class Poller {
    /** A poll answer: the events, {@code last}, {@code gap} (null or from/to), and how long it took. */
    public record Answer(List<Received> events, long last, Map<String, Object> gap, long elapsedMs) {
        public List<Long> ids() {
            return Subscriber.ids(events);
        }
    }

    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public Poller(int port) {
        this.port = port;
    }

    /** The raw answer to {@code GET /v1/poll?query}. */
    public HttpResponse<String> get(String query) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/poll?" + query))
                .timeout(Duration.ofSeconds(60)).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Polls; fails unless the answer is 200 JSON of exactly {@code events}, {@code last} and {@code gap}. */
    @SuppressWarnings("unchecked")
    public Answer poll(String query) {
        long start = System.nanoTime();
        HttpResponse<String> r = get(query);
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        if (r.statusCode() != 200) {
            throw new AssertionError("GET /v1/poll?" + query + " answered " + r.statusCode() + ": " + r.body());
        }
        if (!r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
            throw new AssertionError("poll answer is " + r.headers().firstValue("content-type"));
        }
        Map<String, Object> body = Json.object(r.body());
        if (!body.keySet().equals(java.util.Set.of("events", "last", "gap"))) {
            throw new AssertionError("poll answer members are " + body.keySet() + ": " + r.body());
        }
        List<Received> events = new ArrayList<>();
        for (Object o : (List<Object>) body.get("events")) {
            events.add(Received.ofJson((Map<String, Object>) o));
        }
        return new Answer(events, Long.parseUnsignedLong((String) body.get("last")),
                (Map<String, Object>) body.get("gap"), elapsedMs);
    }
}
