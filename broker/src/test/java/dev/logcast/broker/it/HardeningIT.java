package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.logcast.broker.testing.BrokerFixture.RawConnection;
import dev.logcast.broker.testing.BrokerFixture.RawResponse;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP front door under attack and abuse, named for the attack (after Mercure's hardening_test.go): slow
 * clients, garbage, request smuggling, floods, oversize lines. Each test also checks that other clients keep being
 * served where the attack could hurt them.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HardeningIT {
    private static final long REQUEST_TIMEOUT_MS = 2_000;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of(
                "http.request.timeout", REQUEST_TIMEOUT_MS + "ms",
                "http.max.header", "4KiB",
                "http.max.initial.line", "8KiB",
                "ingest.max.body", "64KiB"));
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    @Test
    void slowlorisIsCutOffByTheRequestTimeoutWhileOthersKeepWorking() throws Exception {
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?q=during-slowloris");
             RawConnection slow = broker.connect()) {
            assertThat(stream.status()).isEqualTo(200);
            byte[] request = ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "X-Padding: " + "p".repeat(200) + "\r\n\r\n");
            AtomicBoolean writerFailed = new AtomicBoolean();
            long firstByteAt = System.nanoTime();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (byte b : request) {
                        slow.write(new byte[] {b});
                        Thread.sleep(300);
                    }
                } catch (IOException e) {
                    writerFailed.set(true);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CompletableFuture<Long> closedAt = CompletableFuture.supplyAsync(() -> readUntilClosed(slow));

            // meanwhile, another client posts and a stream receives, without waiting for the slow one
            int posted = 0;
            while (!closedAt.isDone() && posted < 20) {
                HttpResponse<String> r = broker.post("application/json", "{\"msg\":\"during-slowloris " + posted + "\"}");
                assertThat(r.statusCode()).isEqualTo(202);
                SseClient.Event e = stream.nextMessage(1_000);
                assertThat(e).as("event %d on the stream", posted).isNotNull();
                assertThat(e.data()).contains("during-slowloris " + posted);
                posted++;
                Thread.sleep(100);
            }

            long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(closedAt.get(10, TimeUnit.SECONDS) - firstByteAt);
            assertThat(closedAfterMs).as("slowloris closed after").isBetween(REQUEST_TIMEOUT_MS - 300,
                    REQUEST_TIMEOUT_MS + 1_500);
            assertThat(posted).isGreaterThan(3);
            writer.cancel(true);
        }
    }

    @Test
    void slowBodyIsCutOffByTheRequestTimeout() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            long t0 = System.nanoTime();
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    + "{\"msg\":\"slow");

            assertThat(c.awaitClose(REQUEST_TIMEOUT_MS + 2_000)).as("closed").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThan(REQUEST_TIMEOUT_MS - 300);
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void silentConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (BrokerFixture b = BrokerFixture.start(Map.of("http.idle.timeout", "1s"));
             RawConnection c = b.connect()) {
            long t0 = System.nanoTime();

            assertThat(c.awaitClose(4_000)).as("closed").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(700L, 3_000L);
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        try (BrokerFixture b = BrokerFixture.start(Map.of("http.idle.timeout", "1s"));
             RawConnection c = b.connect()) {
            c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            RawResponse first = c.readResponse();
            long answeredAt = System.nanoTime();
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("connection")).isNull();

            // still usable within the idle timeout
            Thread.sleep(400);
            c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(200);
            long secondAt = System.nanoTime();

            assertThat(c.awaitClose(4_000)).as("closed").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - secondAt)).isBetween(700L, 3_000L);
            assertThat(answeredAt).isLessThan(secondAt);
        }
    }

    static Stream<Arguments> garbage() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        byte[] tlsClientHello = {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03,
                0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
        return Stream.of(
                Arguments.of("random binary", concat(random, ascii("\r\n\r\n"))),
                Arguments.of("TLS client hello", tlsClientHello),
                Arguments.of("HTTP/2 preface", ascii("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")),
                Arguments.of("NUL bytes", new byte[512]),
                Arguments.of("no version", ascii("GET /healthz\r\n\r\n")),
                Arguments.of("bad version", ascii("GET /healthz HTTP/9.x\r\nHost: x\r\n\r\n")),
                Arguments.of("space in method", ascii("GE T /healthz HTTP/1.1\r\nHost: x\r\n\r\n")),
                Arguments.of("header without colon", ascii("GET /healthz HTTP/1.1\r\nHost x\r\n\r\n")),
                Arguments.of("bad chunk size", ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")),
                Arguments.of("negative content length", ascii("POST /v1/logs HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nContent-Length: -5\r\n\r\n{}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void garbageGets4xxOrACloseAndOthersAreUnharmed(String name, byte[] garbage) throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write(garbage);
            try {
                RawResponse r = c.readResponse();
                assertThat(r.status()).as("status for %s", name).isBetween(400, 499);
                if (r.body().length > 0) {
                    assertThat(r.json()).containsKeys("error", "index");
                }
                assertThat(c.awaitClose(REQUEST_TIMEOUT_MS + 2_000)).as("closed after the error").isTrue();
            } catch (java.io.EOFException | java.net.SocketException closed) {
                // closed without a word: fine
            } catch (java.net.SocketTimeoutException e) {
                fail("neither an answer nor a close for " + name);
            }
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
        assertBrokerServes();
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndClosed() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            String event = "{\"msg\":\"smuggled\"}";
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + event.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(event.length()) + "\r\n" + event + "\r\n0\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat((String) r.json().get("error")).contains("Content-Length and Transfer-Encoding");
            assertThat(c.awaitClose(2_000)).as("closed, the pipelined request unanswered").isTrue();
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    /**
     * RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; with a Content-Length as well it
     * is the same smuggling vector as in HTTP/1.1, and StrictHttpRequestDecoder says both together are refused.
     */
    @Test
    void contentLengthWithTransferEncodingOverHttp10IsRefusedToo() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            String event = "{\"msg\":\"smuggled over 1.0\"}";
            c.write("POST /v1/logs HTTP/1.0\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(event.length()) + "\r\n" + event + "\r\n0\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).as(r.bodyText()).isEqualTo(400);
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    /**
     * Request smuggling through the body's framing: a chunk size past 32 or 64 bits (Netty before 4.1.125 wrapped
     * it to 0 or 13), a Transfer-Encoding that is not chunked (Netty read the body as empty and its bytes as the next
     * request), two Transfer-Encoding headers. Each is 400 and the connection closes: the hidden POST is never
     * stored.
     */
    @ParameterizedTest
    @ValueSource(strings = {"Transfer-Encoding: chunked\r\n\r\n100000000\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n1000000000000000d\r\n",
            "Transfer-Encoding: xchunked\r\n\r\n",
            "Transfer-Encoding: gzip\r\n\r\n",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: xchunked\r\n\r\n"})
    void aHiddenRequestInTheBodyIsNeverRun(String framing) throws Exception {
        long before = broker.lastEventId();
        String hidden = post("{\"msg\":\"smuggled\"}");
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing + hidden);

            assertThat(c.readResponse().status()).isEqualTo(400);
            assertThat(c.awaitClose(5_000)).as("closed after the 400").isTrue();
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    /**
     * A client that sends its requests and at once shuts its sending side (a half-close) still gets every answer,
     * then the broker closes: before, the close came first, so a POST's events were stored with no 202 for them.
     */
    @Test
    void aHalfClosedClientGetsItsAnswersThenTheClose() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write(post("{\"msg\":\"half-closed\"}") + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            c.socket().shutdownOutput();

            RawResponse posted = c.readResponse();
            RawResponse health = c.readResponse();

            assertThat(posted.status()).isEqualTo(202);
            assertThat(health.status()).isEqualTo(200);
            assertThat(c.awaitClose(5_000)).as("closed after the answers").isTrue();
        }
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("half-closed");
    }

    /** RFC 9112 §3.2.2: absolute-form targets (as a proxy sends them) are accepted; §9.3: HTTP/1.0 keep-alive. */
    @Test
    void absoluteFormTargetsAndHttp10KeepAliveWork() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            String json = "{\"msg\":\"absolute\"}";
            c.write("GET http://127.0.0.1:" + broker.port() + "/healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + post(json).replace("POST /v1/logs", "POST HTTP://localhost/v1/logs?x=1")
                    + "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                    + "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(c.readResponse().status()).isEqualTo(200);
            assertThat(c.readResponse().status()).isEqualTo(202);
            RawResponse http10 = c.readResponse();
            assertThat(http10.status()).isEqualTo(200);
            assertThat(http10.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(c.readResponse().status()).as("still open after the HTTP/1.0 answer").isEqualTo(200);
        }
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("absolute");
    }

    @Test
    void duplicateContentLengthsAre400() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 13\r\nContent-Length: 2\r\n\r\n{\"msg\":\"ok\"}");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(400);
            assertThat(c.awaitClose(2_000)).isTrue();
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    /** RFC 9112 §3.2: an HTTP/1.1 request without a Host, or any with two, is 400; so is a version other than 1.x. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "POST /v1/logs HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"msg\":\"ok\"}",
        "POST /v1/logs HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
                + "{\"msg\":\"ok\"}",
        "POST /v1/logs HTTP/2.0\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
                + "{\"msg\":\"ok\"}"})
    void aMissingOrRepeatedHostOrAnotherHttpVersionIs400(String request) throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write(request);
            RawResponse r = c.readResponse();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).contains("\"error\"");
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void anHttp10RequestNeedsNoHostAndAHigherMinorVersionIsRead() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("GET /healthz HTTP/1.0\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
        try (RawConnection c = broker.connect()) {
            c.write("GET /healthz HTTP/1.2\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse().status()).isEqualTo(200);
        }
    }

    /**
     * A client that writes its whole body before it reads (as OTLP exporters and Python's http.client do) gets the
     * 413 of a body over the limit, not a reset: the broker reads and drops the rest before it closes.
     */
    @Test
    @Timeout(30)
    void aClientThatWritesAnOversizedBodyBeforeReadingGetsThe413() throws Exception {
        byte[] body = new byte[9 << 20];
        java.util.Arrays.fill(body, (byte) ' ');
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            c.write(body);
            RawResponse r = c.readResponse();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("\"error\"");
            assertThat(c.awaitClose(5_000)).isTrue();
        }
    }

    @Test
    void anUnsupportedExpectationIs417WithTheErrorBody() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 12\r\n\r\n");
            RawResponse r = c.readResponse();
            assertThat(r.status()).isEqualTo(417);
            assertThat(r.bodyText()).contains("\"error\"").contains("teapot");
        }
    }

    @Test
    void whitespaceBeforeTheHeaderColonIs400() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding : chunked\r\nContent-Length: 13\r\n\r\n{\"msg\":\"ok\"}");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(400);
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void crlfInjectionInTheTargetCannotAddAHeader() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("GET /nope%0d%0aX-Injected:%20yes HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("x-injected")).isNull();
            assertThat(r.bodyText()).doesNotContain("\r\n");
        }
    }

    @Test
    void headerFloodIs431() throws Exception {
        StringBuilder req = new StringBuilder("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 100; i++) {
            req.append("X-Flood-").append(i).append(": ").append("f".repeat(60)).append("\r\n");
        }
        try (RawConnection c = broker.connect()) {
            c.write(req.append("\r\n").toString());

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(431);
            assertThat(r.json()).containsOnlyKeys("error", "index");
            assertThat(c.awaitClose(2_000)).isTrue();
        }
        assertBrokerServes();
    }

    @Test
    void hugeRequestLineIs414() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("GET /v1/stream?branch=" + "b".repeat(9_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(414);
            assertThat(r.json()).containsOnlyKeys("error", "index");
            assertThat(c.awaitClose(2_000)).isTrue();
        }
        assertBrokerServes();
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + post("{\"msg\":\"p1\"}")
                    + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                    + post("{\"msg\":\"p2\"}")
                    + "HEAD /readyz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse healthz = c.readResponse();
            RawResponse p1 = c.readResponse();
            RawResponse nope = c.readResponse();
            RawResponse p2 = c.readResponse();
            RawResponse head = c.readHeadResponse();
            RawResponse delete = c.readResponse();
            RawResponse readyz = c.readResponse();

            assertThat(healthz.status()).isEqualTo(200);
            assertThat(healthz.bodyText()).isEqualTo("ok\n");
            assertThat(p1.status()).isEqualTo(202);
            assertThat(nope.status()).isEqualTo(404);
            assertThat(p2.status()).isEqualTo(202);
            assertThat(Long.parseUnsignedLong((String) p2.json().get("first")))
                    .isEqualTo(Long.parseUnsignedLong((String) p1.json().get("first")) + 1);
            assertThat(head.status()).isEqualTo(200);
            assertThat(delete.status()).isEqualTo(405);
            assertThat(readyz.status()).isEqualTo(200);
            assertThat(readyz.bodyText()).isEqualTo("ready\n");
        }
    }

    /**
     * Pipelined POSTs that arrive over several reads while earlier ones are being sequenced: every one is answered,
     * in order, and stored in order (RFC 9112 §9.3.2).
     */
    @Test
    void manyPipelinedPostsAreAnsweredAndStoredInOrder() throws Exception {
        int n = 500;
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.timeoutMs(3_000);
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < n; i++) {
                burst.append(post("{\"msg\":\"pipelined " + i + "\"}"));
                if (i % 10 == 9) {
                    c.write(burst.toString());
                    burst.setLength(0);
                }
            }

            for (int i = 0; i < n; i++) {
                RawResponse r;
                try {
                    r = c.readResponse();
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("no answer to pipelined request " + i + " of " + n + "; "
                            + storedOrder(broker.eventsAfter(before), n), e);
                }
                assertThat(r.status()).isEqualTo(202);
                assertThat(r.json()).containsEntry("first", Long.toUnsignedString(before + 1 + i));
            }
        }
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg"))
                .containsExactlyElementsOf(Stream.iterate(0, i -> i + 1).limit(n).map(i -> "pipelined " + i).toList());
    }

    /**
     * Pipelined POSTs are worked on together, but a rejected one in between, another endpoint, or a journal that
     * answers from its own thread never changes the order of the answers, and the ids follow the request order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"memory", "disk"})
    void pipelinedPostsMixedWithRejectionsKeepTheirOrder(String storage) throws Exception {
        try (BrokerFixture b = BrokerFixture.start(Map.of("storage", storage));
             RawConnection c = b.connect()) {
            c.timeoutMs(5_000);
            long before = b.lastEventId();
            List<Integer> expected = new ArrayList<>();
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 60; i++) {
                switch (i % 6) {
                    case 1 -> {
                        burst.append(post("{\"msg\":"));
                        expected.add(400);
                    }
                    case 3 -> {
                        burst.append("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                + "Content-Length: 2\r\n\r\nhi");
                        expected.add(415);
                    }
                    case 4 -> {
                        burst.append("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                        expected.add(200);
                    }
                    default -> {
                        burst.append(post("{\"msg\":\"mixed " + i + "\"}"));
                        expected.add(202);
                    }
                }
            }
            c.write(burst.toString());

            long nextId = before + 1;
            List<String> acceptedMsgs = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                RawResponse r = c.readResponse();
                assertThat(r.status()).as("answer %d", i).isEqualTo(expected.get(i));
                if (r.status() == 202) {
                    assertThat(r.json()).as("answer %d", i).containsEntry("first", Long.toUnsignedString(nextId++));
                    acceptedMsgs.add("mixed " + i);
                }
            }
            assertThat(b.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactlyElementsOf(acceptedMsgs);
        }
    }

    @Test
    void headStreamAndPollHaveTheHeadOfGetAndNoBody() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            c.write("HEAD /v1/stream?branch=h HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /v1/poll?wait=30&after=" + before + " HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "HEAD /v1/stream?level=nonsense HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /v1/poll?wait=0&after=" + before + " HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse stream = c.readHeadResponse();
            RawResponse poll = c.readHeadResponse();
            RawResponse bad = c.readHeadResponse();
            RawResponse get = c.readResponse();

            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("content-type")).isEqualTo("text/event-stream; charset=utf-8");
            assertThat(stream.header("x-accel-buffering")).isEqualTo("no");
            assertThat(stream.header("content-length")).as("a stream's body runs to the close").isNull();
            assertThat(poll.status()).as("a HEAD poll does not wait").isEqualTo(200);
            assertThat(poll.header("content-type")).startsWith("application/json");
            assertThat(Integer.parseInt(poll.header("content-length"))).isPositive();
            assertThat(bad.status()).as("the same checks as GET").isEqualTo(400);
            // had a HEAD sent a body, it would have been read as the next status line
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.json()).containsKey("events");
        }
    }

    @Test
    void headHealthzHasTheHeadOfGetAndNoBody() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

            RawResponse head = c.readHeadResponse();
            RawResponse get = c.readResponse();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("3");
            assertThat(head.header("content-type")).isEqualTo(get.header("content-type"));
            // had HEAD sent a body, it would have been read as the second status line
            assertThat(get.status()).isEqualTo(200);
            assertThat(get.bodyText()).isEqualTo("ok\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/stream?q=%zz", "/v1/stream?q=%", "/v1/stream?branch=%g0", "/v1/poll?q=%2",
            "/v1/poll?%zz=1", "/metrics?%", "/v1/po%zzll", "/healthz?x=%"})
    void aMalformedPercentEscapeIs400Json(String target) throws Exception {
        try (RawConnection c = broker.connect()) {
            RawResponse bad = c.write("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawResponse next = c.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.json()).containsEntry("index", null);
            assertThat((String) bad.json().get("error")).contains("percent-encoding");
            assertThat(next.status()).as("the connection stays usable").isEqualTo(200);
        }
    }

    @Test
    void aPostWithAMalformedPercentEscapeIs400AndStoresNothing() throws Exception {
        long before = broker.lastEventId();
        try (RawConnection c = broker.connect()) {
            RawResponse bad = c.write(post("{\"msg\":\"escaped\"}").replace("/v1/logs", "/v1/logs?x=%zz"))
                    .readResponse();
            RawResponse next = c.write(post("{\"msg\":\"after\"}")).readResponse();

            assertThat(bad.status()).isEqualTo(400);
            assertThat(next.status()).isEqualTo(202);
        }
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("after");
    }

    @Test
    void aSemicolonInTheQueryIsPartOfTheValue() throws Exception {
        long before = broker.lastEventId();
        assertThat(broker.post("application/x-ndjson",
                "{\"branch\":\"semi\",\"msg\":\"key=a;b=c\"}\n{\"branch\":\"semi\",\"msg\":\"key=a only\"}\n")
                .statusCode()).isEqualTo(202);

        HttpResponse<String> poll = broker.get("/v1/poll?branch=semi&wait=0&after=" + before + "&q=a;b");
        HttpResponse<String> badType = broker.get("/v1/poll?wait=0&type=log;zzz");

        assertThat(poll.statusCode()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events =
                (List<Map<String, Object>>) BrokerFixture.jsonObject(poll.body()).get("events");
        assertThat(events).extracting(e -> e.get("msg")).containsExactly("key=a;b=c");
        assertThat(badType.statusCode()).isEqualTo(400);
    }

    @Test
    void unknownPathIs404Json() throws Exception {
        HttpResponse<String> r = broker.get("/v1/nope?access_token=secret");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        Map<String, Object> error = BrokerFixture.jsonObject(r.body());
        assertThat(error).containsOnlyKeys("error", "index").containsEntry("index", null);
        assertThat((String) error.get("error")).contains("/v1/nope").doesNotContain("secret");
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of("GET", "/v1/logs", "POST"),
                Arguments.of("PUT", "/v1/logs", "POST"),
                Arguments.of("POST", "/v1/stream", "GET, HEAD"),
                Arguments.of("DELETE", "/v1/poll", "GET, HEAD"),
                Arguments.of("POST", "/healthz", "GET, HEAD"),
                Arguments.of("POST", "/readyz", "GET, HEAD"),
                Arguments.of("PUT", "/metrics", "GET, HEAD"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void wrongMethodIs405WithAllow(String method, String path, String allow) throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write(method + " " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(405);
            assertThat(r.header("allow")).isEqualTo(allow);
            assertThat(r.json()).containsOnlyKeys("error", "index");
        }
    }

    @Test
    void requestSplitByteByByteStillWorks() throws Exception {
        long before = broker.lastEventId();
        byte[] request = ascii(post("{\"msg\":\"byte by byte\",\"level\":\"warn\"}"));
        try (RawConnection c = broker.connect()) {
            long t0 = System.nanoTime();
            for (byte b : request) {
                c.write(new byte[] {b});
                Thread.sleep(2);
            }
            RawResponse r = c.readResponse();

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(REQUEST_TIMEOUT_MS);
            assertThat(r.status()).as(r.bodyText()).isEqualTo(202);
        }
        assertThat(broker.eventsAfter(before)).singleElement()
                .satisfies(e -> assertThat(e).containsEntry("msg", "byte by byte").containsEntry("level", "warn"));
    }

    @Test
    void expect100ContinueGetsContinueThenTheAnswer() throws Exception {
        long before = broker.lastEventId();
        String body = "{\"msg\":\"continued\"}";
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n");

            RawResponse cont = c.readResponse();
            assertThat(cont.status()).isEqualTo(100);
            c.write(body);
            RawResponse r = c.readResponse();

            assertThat(r.status()).as(r.bodyText()).isEqualTo(202);
        }
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("continued");
    }

    @Test
    void expect100ContinueOverTheBodyLimitIs413WithTheJsonErrorBody() throws Exception {
        try (RawConnection c = broker.connect()) {
            c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + (1 << 20) + "\r\n\r\n");

            RawResponse r = c.readResponse();

            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("content-type")).as("content type").startsWith("application/json");
            assertThat(r.json()).containsOnlyKeys("error", "index");
        }
    }

    @Test
    void connectionFloodOfIdleSocketsDoesNotStopService() throws Exception {
        java.util.List<RawConnection> idle = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                idle.add(broker.connect());
            }
            assertBrokerServes();
        } finally {
            for (RawConnection c : idle) {
                c.close();
            }
        }
    }

    // ---- helpers

    /** A POST and a live stream both work. */
    private static void assertBrokerServes() throws Exception {
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?q=still-serving")) {
            assertThat(stream.status()).isEqualTo(200);
            String marker = "still-serving " + System.nanoTime();
            for (int attempt = 0; attempt < 3; attempt++) {
                HttpResponse<String> r = broker.post("application/json", "{\"msg\":\"" + marker + "\"}");
                assertThat(r.statusCode()).isEqualTo(202);
                SseClient.Event e = stream.nextMessage(2_000);
                if (e != null) {
                    assertThat(e.data()).contains(marker);
                    return;
                }
            }
            fail("the stream got nothing");
        }
    }

    /** Which of "pipelined 0..n-1" are missing from the stored events, and which came out of order. */
    private static String storedOrder(List<Map<String, Object>> stored, int n) {
        java.util.List<Integer> order = stored.stream()
                .map(e -> Integer.parseInt(((String) e.get("msg")).substring("pipelined ".length()))).toList();
        java.util.List<Integer> missing = Stream.iterate(0, i -> i + 1).limit(n).filter(i -> !order.contains(i))
                .toList();
        java.util.List<String> outOfOrder = new java.util.ArrayList<>();
        for (int i = 1; i < order.size(); i++) {
            if (order.get(i) < order.get(i - 1)) {
                outOfOrder.add(order.get(i - 1) + " before " + order.get(i));
            }
        }
        return "stored " + order.size() + ", missing " + missing + ", out of order " + outOfOrder;
    }

    private static String post(String json) {
        return "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    /** Reads until the broker closes; the time it did. */
    private static long readUntilClosed(RawConnection c) {
        try {
            c.socket().setSoTimeout(20_000);
            InputStream in = c.socket().getInputStream();
            byte[] buf = new byte[1024];
            while (in.read(buf) != -1) {
                // whatever the broker says before closing is not the point here
            }
        } catch (IOException e) {
            // reset: closed too
        }
        return System.nanoTime();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
