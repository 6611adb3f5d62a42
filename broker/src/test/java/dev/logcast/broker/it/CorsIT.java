package dev.logcast.broker.it;

import static dev.logcast.broker.it.AuthHttp.get;
import static dev.logcast.broker.it.AuthHttp.post;
import static dev.logcast.broker.it.AuthHttp.send;
import static dev.logcast.broker.it.AuthHttp.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import dev.logcast.broker.testing.SseClient;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CORS: an allowed origin gets {@code Access-Control-Allow-Origin} on every answer (the stream's and the poll's,
 * refusals too); other origins get none; preflights are answered with the allowed methods and headers, without a
 * token; by default no origin is allowed; never {@code Access-Control-Allow-Credentials}.
 */
@Timeout(30)
class CorsIT {
    private static final String APP = "https://app.example.com";
    private static final String EVIL = "https://evil.example.com";
    private static HmacKeys keys;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        keys = HmacKeys.create("k1");
        broker = BrokerFixture.start(keys.settings("cors.origins", APP + ",http://localhost:3000"));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        keys.delete();
    }

    private static Map<String, String> from(String origin, String token) {
        Map<String, String> h = new HashMap<>();
        h.put("Origin", origin);
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        return h;
    }

    private static void assertAllowed(HttpResponse<String> r, String origin) {
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(origin);
        assertThat(r.headers().allValues("vary")).anyMatch(v -> v.contains("Origin"));
        assertThat(r.headers().firstValue("access-control-expose-headers")).hasValue("Retry-After, WWW-Authenticate");
        assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
    }

    private static void assertNoCors(HttpResponse<String> r) {
        assertThat(r.headers().map().keySet()).noneMatch(h -> h.toLowerCase().startsWith("access-control-"));
    }

    @Test
    void anAllowedOriginGetsTheHeadersOnPostPollAndRefusals() throws Exception {
        String admin = keys.token("admin", null, null, null);

        HttpResponse<String> posted = post(broker.port(), "{\"msg\":\"x\"}", from(APP, admin));
        HttpResponse<String> polled = get(broker.port(), withToken("/v1/poll", admin), Map.of("Origin", APP));
        HttpResponse<String> refused = get(broker.port(), "/v1/poll", Map.of("Origin", APP));
        HttpResponse<String> local = get(broker.port(), "/v1/poll", from("http://localhost:3000", admin));

        assertThat(posted.statusCode()).isEqualTo(202);
        assertAllowed(posted, APP);
        assertThat(polled.statusCode()).isEqualTo(200);
        assertAllowed(polled, APP);
        assertThat(refused.statusCode()).isEqualTo(401);
        assertAllowed(refused, APP);
        assertAllowed(local, "http://localhost:3000");
    }

    @Test
    void theStreamsHeadCarriesTheHeaders() throws Exception {
        String reader = keys.token("read", null, null, null);
        try (SseClient allowed = SseClient.open(broker.port(), withToken("/v1/stream", reader), Map.of("Origin", APP));
             SseClient other = SseClient.open(broker.port(), withToken("/v1/stream", reader),
                     Map.of("Origin", EVIL))) {
            assertThat(allowed.status()).isEqualTo(200);
            assertThat(allowed.header("access-control-allow-origin")).isEqualTo(APP);
            assertThat(allowed.header("access-control-allow-credentials")).isNull();
            assertThat(other.status()).isEqualTo(200);
            assertThat(other.header("access-control-allow-origin")).isNull();
        }
    }

    @Test
    void otherOriginsGetNoCorsHeaders() throws Exception {
        String admin = keys.token("admin", null, null, null);

        assertNoCors(post(broker.port(), "{\"msg\":\"x\"}", from(EVIL, admin)));
        assertNoCors(get(broker.port(), "/v1/poll", from(EVIL, admin)));
        assertNoCors(get(broker.port(), "/v1/poll", from("null", admin)));
        assertNoCors(get(broker.port(), "/v1/poll", from(APP + ".evil.example", admin)));
        assertNoCors(get(broker.port(), "/v1/poll", Map.of("Authorization", "Bearer " + admin)));
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredWithoutAToken() throws Exception {
        HttpResponse<String> r = send(broker.port(), "OPTIONS", "/v1/logs", Map.of("Origin", APP,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type, content-encoding"), null);

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue(APP);
        assertThat(r.headers().firstValue("access-control-allow-methods")).hasValue("GET, HEAD, POST");
        assertThat(r.headers().firstValue("access-control-allow-headers"))
                .hasValue("Authorization, Content-Type, Content-Encoding, Last-Event-ID, traceparent, tracestate");
        assertThat(r.headers().firstValue("access-control-max-age")).hasValue("600");
        assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
        assertThat(r.headers().firstValue("vary")).hasValueSatisfying(v -> assertThat(v).contains("Origin"));
    }

    @Test
    void aPreflightFromAnotherOriginOrForAnotherMethodIsRefused() throws Exception {
        for (Map<String, String> headers : List.of(
                Map.of("Origin", EVIL, "Access-Control-Request-Method", "POST"),
                Map.of("Origin", APP, "Access-Control-Request-Method", "DELETE"))) {
            HttpResponse<String> r = send(broker.port(), "OPTIONS", "/v1/stream", headers, null);
            assertThat(r.statusCode()).isEqualTo(403);
            assertNoCors(r);
            assertThat(BrokerFixture.jsonObject(r.body())).containsEntry("index", null);
        }
    }

    @Test
    void byDefaultNoOriginIsAllowed() throws Exception {
        try (BrokerFixture closed = BrokerFixture.start(keys.settings())) {
            String admin = keys.token("admin", null, null, null);
            HttpResponse<String> preflight = send(closed.port(), "OPTIONS", "/v1/logs", Map.of("Origin", APP,
                    "Access-Control-Request-Method", "POST"), null);

            assertThat(preflight.statusCode()).isEqualTo(403);
            assertNoCors(preflight);
            assertNoCors(post(closed.port(), "{\"msg\":\"x\"}", from(APP, admin)));
        }
    }

    @Test
    void aWildcardListAllowsAnyOriginAndStillNoCredentials() throws Exception {
        try (BrokerFixture open = BrokerFixture.start(keys.settings("cors.origins", "*"))) {
            HttpResponse<String> r = get(open.port(), "/v1/poll", from(EVIL, keys.token("read", null, null, null)));

            assertThat(r.headers().firstValue("access-control-allow-origin")).hasValue("*");
            assertThat(r.headers().firstValue("access-control-allow-credentials")).isEmpty();
        }
    }
}
