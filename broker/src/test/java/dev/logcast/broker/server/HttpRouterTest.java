package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.logcast.broker.auth.NoneAuthenticator;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Routing of whole requests to answers that need no service: health, readiness, metrics, 404, 405, refused
 * requests, and query checks that fail before a stream or poll is created (those services are absent here).
 */
class HttpRouterTest {
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final InflightTracker tracker = new InflightTracker();
    private final Services services = new Services(null, null, null, metrics, new NoneAuthenticator(), tracker);
    private final HttpDeadlineHandler deadline = new HttpDeadlineHandler(30_000, 60_000, tracker);
    private final EmbeddedChannel channel = new EmbeddedChannel(deadline, new HttpRouter(services, deadline, new java.util.ArrayDeque<>()));

    @Test
    void healthzIsOkAndKeepsTheConnection() {
        FullHttpResponse r = exchange(request(HttpMethod.GET, "/healthz"));

        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/plain; charset=utf-8");
        assertThat(body(r)).isEqualTo("ok\n");
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isNull();
        r.release();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void headHasTheHeadOfGetWithoutTheBody() {
        FullHttpResponse r = exchange(request(HttpMethod.HEAD, "/healthz"));

        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.content().readableBytes()).isZero();
        assertThat(r.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(3);
        r.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void readyzIsOkWhileRunning() {
        FullHttpResponse r = exchange(request(HttpMethod.GET, "/readyz"));

        assertThat(r.status().code()).isEqualTo(200);
        assertThat(body(r)).isEqualTo("ready\n");
        r.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void readyzIs503AndClosesWhileDraining() {
        services.startDraining();

        FullHttpResponse r = exchange(request(HttpMethod.GET, "/readyz"));

        assertThat(r.status().code()).isEqualTo(503);
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        r.release();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void metricsAreThePrometheusText() {
        metrics.ingested(3);

        FullHttpResponse r = exchange(request(HttpMethod.GET, "/metrics"));

        assertThat(r.status().code()).isEqualTo(200);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(BrokerMetrics.contentType());
        assertThat(body(r)).contains("logcast_ingested_events_total 3.0");
        r.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void unknownPathIs404JsonWithoutTheQuery() {
        FullHttpResponse r = exchange(request(HttpMethod.GET, "/v2/logs?access_token=secret"));

        assertThat(r.status().code()).isEqualTo(404);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(body(r)).isEqualTo("{\"error\":\"no such endpoint: /v2/logs\",\"index\":null}");
        r.release();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> wrongMethods() {
        return Stream.of(
                Arguments.of(HttpMethod.GET, "/v1/logs", "POST"),
                Arguments.of(HttpMethod.DELETE, "/v1/logs", "POST"),
                Arguments.of(HttpMethod.POST, "/v1/stream", "GET, HEAD"),
                Arguments.of(HttpMethod.DELETE, "/v1/stream", "GET, HEAD"),
                Arguments.of(HttpMethod.PUT, "/v1/poll", "GET, HEAD"),
                Arguments.of(HttpMethod.POST, "/healthz", "GET, HEAD"),
                Arguments.of(HttpMethod.OPTIONS, "/readyz", "GET, HEAD"),
                Arguments.of(HttpMethod.PATCH, "/metrics", "GET, HEAD"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongMethods")
    void wrongMethodIs405WithAllow(HttpMethod method, String path, String allow) {
        FullHttpResponse r = exchange(request(method, path));

        assertThat(r.status().code()).isEqualTo(405);
        assertThat(r.headers().get(HttpHeaderNames.ALLOW)).isEqualTo(allow);
        assertThat(r.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        r.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> undecodable() {
        return Stream.of(
                Arguments.of(new TooLongHttpLineException("line"), 414),
                Arguments.of(new TooLongHttpHeaderException("headers"), 431),
                Arguments.of(new TooLongFrameException("frame"), 413),
                Arguments.of(new IllegalArgumentException(StrictHttpRequestDecoder.BOTH_LENGTHS), 400),
                Arguments.of(new IllegalArgumentException("invalid version format: HTTP/9.X"), 400));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("undecodable")
    void undecodableRequestGetsItsStatusAndCloses(Exception cause, int status) {
        FullHttpRequest request = request(HttpMethod.GET, "/bad-request");
        request.setDecoderResult(DecoderResult.failure(cause));

        FullHttpResponse r = exchange(request);

        assertThat(r.status().code()).isEqualTo(status);
        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(body(r)).startsWith("{\"error\":").endsWith(",\"index\":null}");
        r.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat(new String(metrics.scrape(), StandardCharsets.UTF_8))
                .contains("logcast_rejected_total{reason=\"bad_http\"} 1.0");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void connectionCloseIsHonoured() {
        FullHttpRequest request = request(HttpMethod.GET, "/healthz");
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

        FullHttpResponse r = exchange(request);

        assertThat(r.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        r.release();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheAnswer() {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/healthz");

        FullHttpResponse r = exchange(request);

        assertThat(r.status().code()).isEqualTo(200);
        r.release();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("/v1/stream?level=loud", "level"),
                Arguments.of("/v1/stream?type=Not%20A%20Type", "type"),
                Arguments.of("/v1/stream?branch=a%20b", "branch"),
                Arguments.of("/v1/stream?tail=-1", "tail"),
                Arguments.of("/v1/stream?tail=many", "tail"),
                Arguments.of("/v1/stream?lastEventId=abc", "lastEventId"),
                Arguments.of("/v1/poll?after=-5", "after"),
                Arguments.of("/v1/poll?limit=0", "limit"),
                Arguments.of("/v1/poll?wait=soon", "wait"),
                Arguments.of("/v1/poll?source=" + "s".repeat(129), "source"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badQueries")
    void badQueryIs400NamingTheParameterBeforeAnyServiceRuns(String uri, String parameter) {
        FullHttpResponse r = exchange(request(HttpMethod.GET, uri));

        assertThat(r.status().code()).isEqualTo(400);
        assertThat(body(r)).contains(parameter).endsWith(",\"index\":null}");
        r.release();
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void badLastEventIdHeaderIs400() {
        FullHttpRequest request = request(HttpMethod.GET, "/v1/stream");
        request.headers().set("Last-Event-ID", "12x");

        FullHttpResponse r = exchange(request);

        assertThat(r.status().code()).isEqualTo(400);
        assertThat(body(r)).contains("Last-Event-ID");
        r.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anythingButAWholeRequestIsReleasedAndIgnored() {
        io.netty.buffer.ByteBuf stray = Unpooled.copiedBuffer("stray", StandardCharsets.US_ASCII);

        channel.writeInbound(stray);

        assertThat(stray.refCnt()).isZero();
        assertThat((Object) channel.readOutbound()).isNull();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void requestsInARowAreAnsweredInOrder() {
        channel.writeInbound(request(HttpMethod.GET, "/healthz"), request(HttpMethod.GET, "/nope"),
                request(HttpMethod.GET, "/readyz"));
        channel.runPendingTasks();

        FullHttpResponse a = channel.readOutbound();
        FullHttpResponse b = channel.readOutbound();
        FullHttpResponse c = channel.readOutbound();

        assertThat(a.status().code()).isEqualTo(200);
        assertThat(b.status().code()).isEqualTo(404);
        assertThat(c.status().code()).isEqualTo(200);
        assertThat(body(c)).isEqualTo("ready\n");
        a.release();
        b.release();
        c.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    static Stream<Arguments> safePaths() {
        return Stream.of(
                Arguments.of("/v1/stream?access_token=secret", "/v1/stream"),
                Arguments.of("/v1/logs", "/v1/logs"),
                Arguments.of("/?", "/"),
                Arguments.of("/" + "a".repeat(300), "/" + "a".repeat(199) + "..."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("safePaths")
    void safePathDropsTheQueryAndCutsLongPaths(String uri, String expected) {
        assertThat(HttpRouter.safePath(uri)).isEqualTo(expected);
        assertFalse(channel.finishAndReleaseAll());
    }

    private FullHttpResponse exchange(FullHttpRequest request) {
        channel.writeInbound(request);
        channel.runPendingTasks();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).as("a response").isNotNull();
        assertThat(request.refCnt()).as("request released").isZero();
        return response;
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    private static String body(FullHttpResponse r) {
        return r.content().toString(StandardCharsets.UTF_8);
    }
}
