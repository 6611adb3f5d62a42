package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.logcast.broker.auth.NoneAuthenticator;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which origins get which CORS headers, and the router's answers to preflights and plain requests. */
class CorsPolicyTest {
    private static final String APP = "https://app.example.com";
    private final CorsPolicy policy = CorsPolicy.of(List.of(APP));

    static Stream<Arguments> origins() {
        return Stream.of(
                Arguments.of(APP, APP),
                Arguments.of("HTTPS://APP.EXAMPLE.COM", APP),
                Arguments.of("https://app.example.com:443", null),
                Arguments.of("https://app.example.com.evil.example", null),
                Arguments.of("http://app.example.com", null),
                Arguments.of("null", null),
                Arguments.of(null, null));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("origins")
    void onlyAListedOriginGetsItselfBack(String origin, String allowed) {
        HttpHeaders h = policy.responseHeaders(origin);

        if (allowed == null) {
            assertThat(h).isNull();
        } else {
            assertThat(h.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(allowed);
            assertThat(h.get(HttpHeaderNames.VARY)).isEqualTo("Origin");
            assertThat(h.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isFalse();
        }
    }

    @Test
    void theEmptyListAllowsNoneAndTheWildcardAllowsAllWithoutCredentials() {
        assertThat(CorsPolicy.of(List.of()).responseHeaders(APP)).isNull();
        HttpHeaders any = CorsPolicy.of(List.of("*", APP)).responseHeaders("https://x.example");
        assertThat(any.get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
        assertThat(any.contains(HttpHeaderNames.VARY)).isFalse();
        assertThat(any.contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS)).isFalse();
    }

    @Test
    void theRouterAnswersAPreflightWithoutAServiceAndAddsHeadersToOtherAnswers() {
        InflightTracker tracker = new InflightTracker();
        Services services = new Services(null, null, null, new BrokerMetrics(), new NoneAuthenticator(), tracker,
                policy);
        HttpDeadlineHandler deadline = new HttpDeadlineHandler(30_000, 60_000, tracker);
        EmbeddedChannel channel = new EmbeddedChannel(deadline, new HttpRouter(services, deadline, new java.util.ArrayDeque<>()));

        FullHttpRequest preflight = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/v1/logs");
        preflight.headers().set(HttpHeaderNames.ORIGIN, APP).set(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD, "POST");
        channel.writeInbound(preflight);
        FullHttpResponse allowed = channel.readOutbound();
        FullHttpRequest healthz = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz");
        healthz.headers().set(HttpHeaderNames.ORIGIN, APP);
        channel.writeInbound(healthz);
        FullHttpResponse health = channel.readOutbound();
        FullHttpRequest plainOptions = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.OPTIONS, "/v1/logs");
        channel.writeInbound(plainOptions);
        FullHttpResponse notPreflight = channel.readOutbound();

        assertThat(allowed.status().code()).isEqualTo(204);
        assertThat(allowed.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS)).isEqualTo("GET, HEAD, POST");
        assertThat(health.status().code()).isEqualTo(200);
        assertThat(health.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo(APP);
        assertThat(notPreflight.status().code()).isEqualTo(405);
        assertThat(notPreflight.headers().contains(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isFalse();
        allowed.release();
        health.release();
        notPreflight.release();
        assertFalse(channel.finishAndReleaseAll());
    }
}
