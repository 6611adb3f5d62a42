package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code POST /v1/logs} end to end, the accepted side: every native format (JSON object, JSON array, NDJSON, each
 * also gzip) answers the contract's 202 body and its events show up on a stream and in a poll, with the defaults
 * applied.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class IngestIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of("ingest.max.body", "64KiB", "ingest.max.events", "50"));
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    static Stream<Arguments> formats() {
        String object = "{\"msg\":\"one\"}";
        String array = "[{\"msg\":\"one\"},{\"msg\":\"two\"},{\"msg\":\"three\"}]";
        String ndjson = "{\"msg\":\"one\"}\r\n\n{\"msg\":\"two\"}\n   \n{\"msg\":\"three\"}";
        return Stream.of(
                Arguments.of("json object", "application/json", null, bytes(object), List.of("one")),
                Arguments.of("json array", "application/json", null, bytes(array), List.of("one", "two", "three")),
                Arguments.of("json with charset", "application/json; charset=utf-8", null, bytes(array),
                        List.of("one", "two", "three")),
                Arguments.of("ndjson", "application/x-ndjson", null, bytes(ndjson), List.of("one", "two", "three")),
                Arguments.of("gzip json object", "application/json", "gzip", gzip(bytes(object)), List.of("one")),
                Arguments.of("gzip json array", "application/json", "gzip", gzip(bytes(array)),
                        List.of("one", "two", "three")),
                Arguments.of("gzip ndjson", "application/x-ndjson", "gzip", gzip(bytes(ndjson)),
                        List.of("one", "two", "three")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void eachFormatIsAcceptedWith202AndConsecutiveIds(String name, String contentType, String encoding, byte[] body,
                                                      List<String> msgs) throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post(contentType, encoding, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
        assertThat(answer).containsOnlyKeys("accepted", "first", "last");
        assertThat(answer.get("accepted")).isEqualTo((long) msgs.size());
        long first = Long.parseUnsignedLong((String) answer.get("first"));
        long last = Long.parseUnsignedLong((String) answer.get("last"));
        assertThat(first).isEqualTo(before + 1);
        assertThat(last).isEqualTo(first + msgs.size() - 1);
        List<Map<String, Object>> stored = broker.eventsAfter(before);
        assertThat(stored).extracting(e -> e.get("msg")).containsExactlyElementsOf(msgs);
        assertThat(stored).extracting(e -> e.get("id"))
                .containsExactlyElementsOf(Stream.iterate(first, id -> id + 1).limit(msgs.size())
                        .map(Long::toUnsignedString).toList());
    }

    @Test
    void missingFieldsGetTheContractDefaults() throws Exception {
        long before = broker.lastEventId();
        Instant sent = Instant.now();

        HttpResponse<String> r = broker.post("application/json", "{\"msg\":\"defaults\"}");

        Instant answered = Instant.now();
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        Map<String, Object> event = single(broker.eventsAfter(before));
        assertThat(event).containsOnlyKeys("id", "ts", "level", "type", "source", "branch", "msg", "attrs");
        assertThat(event).containsEntry("level", "info").containsEntry("type", "log")
                .containsEntry("source", "unknown").containsEntry("branch", "main").containsEntry("msg", "defaults")
                .containsEntry("attrs", Map.of());
        Instant ts = Instant.parse((String) event.get("ts"));
        assertThat(ts).isBetween(sent.minusMillis(1_000), answered.plusMillis(1_000));
    }

    @Test
    void everyFieldGivenIsKept() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post("application/json", "{\"ts\":\"2026-11-24T12:00:00.123Z\","
                + "\"level\":\"error\",\"type\":\"api\",\"source\":\"checkout-svc\",\"branch\":\"team-a/feat.1\","
                + "\"msg\":\"order placed\",\"attrs\":{\"orderId\":\"42\",\"ms\":17,\"ok\":true,\"ratio\":0.5}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        Map<String, Object> event = single(broker.eventsAfter(before));
        assertThat(event).containsEntry("ts", "2026-11-24T12:00:00.123Z").containsEntry("level", "error")
                .containsEntry("type", "api").containsEntry("source", "checkout-svc")
                .containsEntry("branch", "team-a/feat.1").containsEntry("msg", "order placed");
        assertThat(event.get("attrs")).isEqualTo(Map.of("orderId", "42", "ms", 17L, "ok", true, "ratio", 0.5));
    }

    static Stream<Arguments> timestamps() {
        return Stream.of(
                Arguments.of("\"2026-11-24T12:00:00.123Z\"", "2026-11-24T12:00:00.123Z"),
                Arguments.of("\"2026-11-24T14:00:00+02:00\"", "2026-11-24T12:00:00.000Z"),
                Arguments.of("\"2026-11-24T12:00:00.123456789Z\"", "2026-11-24T12:00:00.123Z"),
                Arguments.of("\"2026-11-24t12:00:00z\"", "2026-11-24T12:00:00.000Z"),
                Arguments.of("1700000000123", "2023-11-14T22:13:20.123Z"),
                Arguments.of("0", "1970-01-01T00:00:00.000Z"));
    }

    @ParameterizedTest(name = "ts {0}")
    @MethodSource("timestamps")
    void tsIsReadAsRfc3339OrEpochMillis(String ts, String expected) throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post("application/json", "{\"ts\":" + ts + ",\"msg\":\"t\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(single(broker.eventsAfter(before))).containsEntry("ts", expected);
    }

    @ParameterizedTest(name = "level {0}")
    @MethodSource("levels")
    void levelIsReadInAnyCase(String given, String expected) throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post("application/json", "{\"level\":\"" + given + "\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(single(broker.eventsAfter(before))).containsEntry("level", expected);
    }

    static Stream<Arguments> levels() {
        return Stream.of(Arguments.of("TRACE", "trace"), Arguments.of("Debug", "debug"), Arguments.of("info", "info"),
                Arguments.of("WaRn", "warn"), Arguments.of("ERROR", "error"), Arguments.of("fatal", "fatal"));
    }

    @Test
    void anIdSentByTheProducerIsIgnored() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post("application/json", "{\"id\":\"1\",\"msg\":\"mine\",\"future\":{\"x\":[1]}}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(single(broker.eventsAfter(before))).containsEntry("id", Long.toUnsignedString(before + 1))
                .doesNotContainKey("future");
    }

    @Test
    void acceptedEventsReachALiveStreamWithTheirIds() throws Exception {
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream")) {
            assertThat(stream.status()).isEqualTo(200);
            awaitLive(stream);

            HttpResponse<String> r = broker.post("application/x-ndjson",
                    "{\"msg\":\"a\",\"branch\":\"feat\"}\n{\"msg\":\"b\\nc\",\"level\":\"warn\"}\n");

            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            Map<String, Object> answer = BrokerFixture.jsonObject(r.body());
            List<SseClient.Event> got = messagesAfterProbes(stream, 2);
            assertThat(got).extracting(SseClient.Event::id)
                    .containsExactly((String) answer.get("first"), (String) answer.get("last"));
            Map<String, Object> a = BrokerFixture.jsonObject(got.get(0).data());
            Map<String, Object> b = BrokerFixture.jsonObject(got.get(1).data());
            assertThat(a).containsEntry("id", answer.get("first")).containsEntry("msg", "a")
                    .containsEntry("branch", "feat").containsEntry("level", "info").containsEntry("type", "log")
                    .containsEntry("source", "unknown");
            assertThat(b).containsEntry("msg", "b\nc").containsEntry("level", "warn").containsEntry("branch", "main");
        }
    }

    @Test
    void bodyExactlyAtTheLimitIsAccepted() throws Exception {
        String head = "{\"msg\":\"";
        String tail = "\"}";
        int limit = 64 * 1024;
        // the body is padded with spaces around the object, so msg stays within its own limit
        String event = head + "x".repeat(100) + tail;
        String body = event + " ".repeat(limit - event.length());

        HttpResponse<String> r = broker.post("application/json", body);

        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(limit);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    @Test
    void exactlyMaxEventsInOneRequestAreAccepted() throws Exception {
        long before = broker.lastEventId();
        String body = "[" + String.join(",", java.util.Collections.nCopies(50, "{\"msg\":\"m\"}")) + "]";

        HttpResponse<String> r = broker.post("application/json", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(BrokerFixture.jsonObject(r.body())).containsEntry("accepted", 50L);
        assertThat(broker.eventsAfter(before)).hasSize(50);
    }

    /** Waits until the stream is live: a probe event posted now arrives on it. */
    private static void awaitLive(SseClient stream) throws Exception {
        broker.post("application/json", "{\"msg\":\"probe\",\"type\":\"probe\"}");
        SseClient.Event e = stream.nextMessage(5_000);
        assertThat(e).as("probe on the stream").isNotNull();
    }

    private static List<SseClient.Event> messagesAfterProbes(SseClient stream, int n) throws InterruptedException {
        List<SseClient.Event> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            SseClient.Event e = stream.nextMessage(5_000);
            assertThat(e).as("message " + out.size() + " of " + n).isNotNull();
            if (!e.data().contains("\"type\":\"probe\"")) {
                out.add(e);
            }
        }
        return out;
    }

    private static Map<String, Object> single(List<Map<String, Object>> events) {
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
