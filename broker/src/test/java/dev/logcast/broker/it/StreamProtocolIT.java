package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Accepted;
import dev.logcast.broker.it.streamsupport.Json;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.it.streamsupport.Publisher;
import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.it.streamsupport.Subscriber;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.ChunkedBody;
import dev.logcast.broker.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code GET /v1/stream} as a client sees it on the wire: the response head, the preamble, heartbeats, framing that
 * no message content can break, gzip flushed per batch, and 400s for bad filters.
 */
class StreamProtocolIT {

    @Test
    @Timeout(20)
    void streamAnswersWithEventStreamHeadersAndFlushesRetryAndACommentBeforeAnyEvent() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.retry", "1500ms"));
             RawHttp raw = RawHttp.connect(broker.port())) {
            raw.send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
            RawHttp.Response head = raw.readHead();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
            assertThat(head.header("cache-control")).isEqualTo("no-cache");
            assertThat(head.header("x-accel-buffering")).isEqualTo("no");
            assertThat(head.header("vary")).as("gzip is enabled: the answer depends on Accept-Encoding")
                    .isEqualTo("accept-encoding");
            // RFC 9112 §7.1: an HTTP/1.1 client gets the body in chunks, each as soon as it is written (a client
            // reading through a fixed-size buffer would otherwise wait for it to fill)
            assertThat(head.header("content-length")).isNull();
            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");

            // nothing was posted: these bytes can only be the preamble, and they must not wait for an event
            String first = readUntilBlankLine(new ChunkedBody(raw.input()));
            assertThat(first).startsWith("retry: 1500\n:");
            assertThat(first.lines().toList()).hasSize(2).allSatisfy(line ->
                    assertThat(line.startsWith("retry: ") || line.startsWith(":")).as(line).isTrue());
        }
    }

    @Test
    @Timeout(20)
    void idleStreamGetsAHeartbeatCommentWithinTheConfiguredInterval() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.heartbeat", "500ms"));
             Subscriber s = Subscriber.open(broker.port(), "")) {
            SseClient.Event preamble = s.client().next(2, TimeUnit.SECONDS);
            assertThat(preamble).isNotNull();
            assertThat(preamble.isComment()).isTrue();
            for (int beat = 0; beat < 3; beat++) {
                SseClient.Event e = s.client().next(1_000, TimeUnit.MILLISECONDS);
                assertThat(e).as("heartbeat %s within 1 s of the last thing sent", beat).isNotNull();
                assertThat(e.isComment()).as("%s", e).isTrue();
            }
        }
    }

    /** Messages a producer could send to forge SSE fields or split a message, and text that is merely unusual. */
    private static final List<String> HOSTILE_MSGS = List.of(
            "line one\nline two",
            "carriage\rreturn",
            "crlf\r\nend",
            "nul\u0000byte",
            "\n\ndata: forged",
            "event: x",
            "id: 1\n\nevent: overflow\ndata: {\"last\":\"1\"}\n\n",
            "\r\rretry: 1\r\r",
            ": not a comment\n:\n",
            "line separators \u2028 and \u2029 and \u0085",
            "emoji 😀🧵 and 𝄞",
            "",
            "\n",
            "tab\there and a backslash \\ and a quote \"",
            "\u001b[31mansi\u001b[0m \u007f");

    @Test
    @Timeout(20)
    void crlfAndNulInjectionInMsgCannotForgeOrSplitSseMessages() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             Subscriber s = Subscriber.open(broker.port(), "")) {
            List<LogSpec> events = new ArrayList<>();
            for (String msg : HOSTILE_MSGS) {
                events.add(new LogSpec("main", "log", "info", "hostile", msg, Map.of("echo", msg)));
            }
            var accepted = new Publisher(broker.port()).post(events);

            List<Received> got = s.eventsThrough(accepted.last(), 10_000);
            assertThat(Subscriber.ids(got)).hasSize(HOSTILE_MSGS.size());
            for (int i = 0; i < HOSTILE_MSGS.size(); i++) {
                assertThat(got.get(i).id()).isEqualTo(accepted.id(i));
                assertThat(got.get(i).msg()).as("msg %s", i).isEqualTo(HOSTILE_MSGS.get(i));
                assertThat(got.get(i).attrs()).as("attrs %s", i).isEqualTo(Map.of("echo", HOSTILE_MSGS.get(i)));
            }
            assertThat(s.messagesWithin(200)).as("forged messages").isEmpty();
        }
    }

    @Test
    @Timeout(20)
    void gzipStreamIsFlushedAfterEveryBatch() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start();
             Subscriber s = Subscriber.open(broker.port(), "branch=gz", Map.of("Accept-Encoding", "gzip"))) {
            assertThat(s.client().header("content-encoding")).isEqualTo("gzip");
            assertThat(s.client().header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
            SseClient.Event preamble = s.client().next(2, TimeUnit.SECONDS);
            assertThat(preamble).as("the preamble, through the compressor").isNotNull();
            assertThat(preamble.isComment()).isTrue();

            Publisher publisher = new Publisher(broker.port());
            // each small batch must come out of the compressor on its own, with nothing behind it to push it out
            for (int round = 0; round < 3; round++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i <= round; i++) {
                    batch.add(LogSpec.of("gz", "log", "info", "zip", "round " + round + " event " + i));
                }
                var accepted = publisher.post(batch);
                List<Received> got = s.eventsThrough(accepted.last(), 3_000);
                assertThat(Subscriber.ids(got)).as("round %s", round)
                        .containsExactlyElementsOf(idsOf(accepted.first(), accepted.last()));
                assertThat(got.get(0).msg()).isEqualTo("round " + round + " event 0");
            }
        }
    }

    static Stream<Arguments> badFilters() {
        return Stream.of(
                Arguments.of("level=loud", "level"),
                Arguments.of("level=info,verbose", "level"),
                Arguments.of("type=not%20a%20type", "type"),
                Arguments.of("type=" + "t".repeat(33), "type"),
                Arguments.of("branch=team%20a", "branch"),
                Arguments.of("branch=" + "b".repeat(129), "branch"),
                Arguments.of("branch=ok&branch=bad%0Abranch", "branch"),
                Arguments.of("source=svc%24", "source"),
                Arguments.of("lastEventId=abc", "lastEventId"),
                Arguments.of("lastEventId=-5", "lastEventId"),
                Arguments.of("tail=-1", "tail"),
                Arguments.of("tail=ten", "tail"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFilters")
    @Timeout(10)
    void badFilterValueIs400WithJsonErrorNamingTheParameter(String query, String parameter) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            HttpResponse<String> r = broker.get("/v1/stream?" + query);
            assertBadRequest(r, parameter);
        }
    }

    @Test
    @Timeout(10)
    void badLastEventIdHeaderIs400WithJsonError() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            HttpResponse<String> r = broker.http().send(HttpRequest.newBuilder(broker.uri("/v1/stream"))
                    .header("Last-Event-ID", "12x").timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertBadRequest(r, "Last-Event-ID");
        }
    }

    static void assertBadRequest(HttpResponse<String> r, String parameter) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        Map<String, Object> body = Json.object(r.body());
        assertThat(body).containsOnlyKeys("error", "index");
        assertThat(body.get("index")).isNull();
        assertThat(body.get("error")).isInstanceOf(String.class);
        assertThat((String) body.get("error")).contains(parameter);
    }

    private static List<Long> idsOf(long first, long last) {
        List<Long> ids = new ArrayList<>();
        for (long id = first; id <= last; id++) {
            ids.add(id);
        }
        return ids;
    }

    /**
     * A stream is live once its head arrives: an event posted right then (from another connection, sequenced on
     * another loop) reaches it. The stream used to join its shard only after flushing its head, and an event
     * sequenced in between went to no one on that shard (IngestIT lost its probe that way under load).
     */
    @Test
    @Timeout(60)
    void anEventPostedAsSoonAsTheHeadArrivesReachesTheStream() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start()) {
            for (int i = 0; i < 40; i++) {
                try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?branch=race-" + i)) {
                    assertThat(stream.status()).isEqualTo(200);
                    HttpResponse<String> r = broker.post("application/json",
                            "{\"msg\":\"at once " + i + "\",\"branch\":\"race-" + i + "\"}");
                    assertThat(r.statusCode()).isEqualTo(202);
                    SseClient.Event e = stream.nextMessage(5_000);
                    assertThat(e).as("the event posted at once, stream " + i).isNotNull();
                    assertThat(e.data()).contains("at once " + i);
                }
            }
        }
    }

    /**
     * RFC 9112 §6.3: an HTTP/1.0 client cannot take chunks; its body runs to the close. At shutdown an HTTP/1.1
     * stream ends with the last chunk, so its client can tell a finished body from a cut one.
     */
    @Test
    @Timeout(20)
    void anHttp10ClientGetsTheBodyUntilTheCloseAndAnHttp11OneAFinishedChunkedBody() throws Exception {
        BrokerFixture broker = BrokerFixture.start(Map.of("stream.retry", "1500ms"));
        boolean closed = false;
        try (RawHttp old = RawHttp.connect(broker.port());
             RawHttp current = RawHttp.connect(broker.port())) {
            old.send("GET /v1/stream HTTP/1.0\r\nAccept: text/event-stream\r\n\r\n");
            current.send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            RawHttp.Response oldHead = old.readHead();
            RawHttp.Response currentHead = current.readHead();
            assertThat(oldHead.status()).isEqualTo(200);
            assertThat(oldHead.header("transfer-encoding")).isNull();
            assertThat(oldHead.header("content-length")).isNull();
            assertThat(currentHead.header("transfer-encoding")).isEqualTo("chunked");
            Metrics.await(broker, "logcast_subscribers", 2, 5_000);

            Accepted accepted = new Publisher(broker.port()).post(List.of(LogSpec.of("main", "log", "info", "svc",
                    "one event")));
            broker.close();
            closed = true;

            String oldBody = new String(old.readToClose(), StandardCharsets.UTF_8);
            ChunkedBody.Decoded currentBody = ChunkedBody.decode(current.readToClose());
            assertThat(currentBody.ended()).as("the last chunk before the close").isTrue();
            for (String body : List.of(oldBody, new String(currentBody.bytes(), StandardCharsets.UTF_8))) {
                assertThat(body).startsWith("retry: 1500\n:").contains("id: " + accepted.last() + "\n")
                        .endsWith(": shutdown\n\n");
            }
        } finally {
            if (!closed) {
                broker.close();
            }
        }
    }

    /** Bytes up to and including the first blank line (LF LF), as text with the final blank line cut. */
    private static String readUntilBlankLine(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n' && previous == '\n') {
                return out.toString(StandardCharsets.UTF_8);
            }
            out.write(b);
            previous = b;
        }
        throw new AssertionError("stream closed after " + out.toString(StandardCharsets.UTF_8));
    }
}
