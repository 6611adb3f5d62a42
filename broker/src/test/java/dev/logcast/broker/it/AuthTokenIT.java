package dev.logcast.broker.it;

import static dev.logcast.broker.it.AuthHttp.bearer;
import static dev.logcast.broker.it.AuthHttp.get;
import static dev.logcast.broker.it.AuthHttp.post;
import static dev.logcast.broker.it.AuthHttp.withToken;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.HmacKeys;
import dev.logcast.broker.testing.SseClient;
import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hardening: every bad token a client can send, in {@code Authorization} and in {@code access_token}, gets its
 * status, its {@code WWW-Authenticate} challenge and the JSON error body, and never reaches a service. A broker
 * with {@code auth.mode=hmac} and no leeway for clocks, so that an expired token is expired at once.
 */
@Timeout(30)
class AuthTokenIT {
    private static HmacKeys keys;
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        keys = HmacKeys.create("k1", "k2");
        broker = BrokerFixture.start(keys.settings("auth.clock.skew", "0s"));
    }

    @AfterAll
    static void stop() throws Exception {
        broker.close();
        keys.delete();
    }

    private static String valid(String scope) {
        return keys.token("k1", scope, null, null, null);
    }

    private static String claimsOf(long iat, long exp, String scope) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                new TokenClaims("t", List.of(scope), null, null, exp, iat, null).toJson());
    }

    /** Bad tokens and the 401 reason each must get; used in the header and in {@code access_token}. */
    static Stream<Arguments> badTokens() {
        String t = valid("read");
        int d3 = t.lastIndexOf('.');
        int d2 = t.lastIndexOf('.', d3 - 1);
        String sig = t.substring(d3 + 1);
        long now = System.currentTimeMillis() / 1000;
        HmacKey stranger = HmacKey.generate("k1", new SecureRandom());
        return Stream.of(
                Arguments.of("forged signature", t.substring(0, d3 + 1) + (sig.charAt(0) == 'A' ? 'B' : 'A')
                        + sig.substring(1), "bad_signature"),
                Arguments.of("another key's token", TokenFormat.mint(stranger,
                        new TokenClaims("t", List.of("read"), null, null, now + 60, now, null)), "bad_signature"),
                Arguments.of("claims widened, signature kept", t.substring(0, d2 + 1) + claimsOf(now, now + 99_999,
                        "admin") + "." + sig, "bad_signature"),
                Arguments.of("wrong kid", t.replace("lc1.k1.", "lc1.k3."), "unknown_kid"),
                Arguments.of("truncated", t.substring(0, t.length() - 5), "malformed"),
                Arguments.of("extra segment", t + ".x", "malformed"),
                Arguments.of("missing segment", "lc1." + t.substring(d2 + 1), "malformed"),
                Arguments.of("bad base64", t.substring(0, d2 + 1) + "%%%" + t.substring(d2 + 4), "malformed"),
                Arguments.of("lc2", "lc2" + t.substring(3), "malformed"),
                Arguments.of("far-future iat", TokenFormat.mint(keys.key("k1"),
                        new TokenClaims("t", List.of("read"), null, null, now + 7200, now + 3600, null)),
                        "iat_in_future"),
                Arguments.of("expired an hour ago", TokenFormat.mint(keys.key("k1"),
                        new TokenClaims("t", List.of("read"), null, null, now - 3600, now - 7200, null)), "expired"),
                Arguments.of("a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "malformed"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenInTheHeaderIs401InvalidToken(String name, String token, String reason) throws Exception {
        HttpResponse<String> r = get(broker.port(), "/v1/poll", bearer(token));

        assertInvalidToken(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenInAccessTokenIs401InvalidToken(String name, String token, String reason) throws Exception {
        HttpResponse<String> r = get(broker.port(), withToken("/v1/poll", token), Map.of());

        assertInvalidToken(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenOpensNoStream(String name, String token, String reason) throws Exception {
        try (SseClient s = SseClient.open(broker.port(), withToken("/v1/stream", token))) {
            assertThat(s.status()).isEqualTo(401);
            assertThat(s.header("www-authenticate")).isEqualTo("Bearer error=\"invalid_token\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void aBadTokenStoresNothing(String name, String token, String reason) throws Exception {
        long before = lastId();

        HttpResponse<String> r = post(broker.port(), "{\"msg\":\"x\"}", bearer(token));

        assertInvalidToken(r);
        assertThat(lastId()).isEqualTo(before);
    }

    @Test
    void aTokenMintedShortIsRefusedOnceItRunsOut() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String shortLived = TokenFormat.mint(keys.key("k2"),
                new TokenClaims("t", List.of("read"), null, null, now + 1, now, null));
        assertThat(get(broker.port(), "/v1/poll", bearer(shortLived)).statusCode()).isEqualTo(200);

        Thread.sleep((now + 2) * 1000 - System.currentTimeMillis() + 50);

        HttpResponse<String> header = get(broker.port(), "/v1/poll", bearer(shortLived));
        HttpResponse<String> query = get(broker.port(), withToken("/v1/poll", shortLived), Map.of());
        assertInvalidToken(header);
        assertInvalidToken(query);
        assertThat(BrokerFixture.jsonObject(header.body()).get("error")).isEqualTo("token expired");
    }

    @Test
    void aStreamEndsWhenItsTokenExpires() throws Exception {
        long now = System.currentTimeMillis() / 1000;
        String shortLived = TokenFormat.mint(keys.key("k1"),
                new TokenClaims("t", List.of("read"), null, null, now + 2, now, null));
        try (SseClient s = SseClient.open(broker.port(), withToken("/v1/stream", shortLived))) {
            assertThat(s.status()).isEqualTo(200);
            SseClient.Event goodbye = null;
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(6);
            while (goodbye == null && System.nanoTime() < deadline) {
                SseClient.Event e = s.next(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (e != null && e.isComment() && e.data().contains("token expired")) {
                    goodbye = e;
                }
            }
            assertThat(goodbye).as("the expiry comment").isNotNull();
            assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo((now + 2) * 1000);
            for (int i = 0; i < 50 && !s.isClosedByServer(); i++) {
                Thread.sleep(20);
            }
            assertThat(s.isClosedByServer()).isTrue();
        }
    }

    @Test
    void noTokenEmptyBearerAndBasicAre401() throws Exception {
        HttpResponse<String> none = get(broker.port(), "/v1/poll", Map.of());
        HttpResponse<String> basic = get(broker.port(), "/v1/poll", Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        HttpResponse<String> emptyBearer = get(broker.port(), "/v1/poll", Map.of("Authorization", "Bearer "));
        HttpResponse<String> emptyParam = get(broker.port(), "/v1/poll?access_token=", Map.of());

        for (HttpResponse<String> r : List.of(none, basic)) {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer");
            assertThat(BrokerFixture.jsonObject(r.body()).get("error").toString()).startsWith("authentication required");
        }
        assertInvalidToken(emptyBearer);
        assertInvalidToken(emptyParam);
    }

    @Test
    void aValidTokenWithoutTheScopeIs403() throws Exception {
        HttpResponse<String> readPosts = post(broker.port(), "{\"msg\":\"x\"}", bearer(valid("read")));
        HttpResponse<String> writeReads = get(broker.port(), withToken("/v1/poll", valid("write")), Map.of());

        for (HttpResponse<String> r : List.of(readPosts, writeReads)) {
            assertThat(r.statusCode()).isEqualTo(403);
            assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer error=\"insufficient_scope\"");
            assertThat(BrokerFixture.jsonObject(r.body())).containsEntry("index", null);
        }
    }

    @Test
    void anOtlpProtobufPostIsRefusedWithAGoogleRpcStatus() throws Exception {
        HttpResponse<byte[]> none = postProtobuf(Map.of());
        HttpResponse<byte[]> malformed = postProtobuf(bearer("lc1.x.y.z"));
        HttpResponse<byte[]> readOnly = postProtobuf(bearer(valid("read")));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(malformed.statusCode()).isEqualTo(401);
        assertThat(readOnly.statusCode()).isEqualTo(403);
        for (HttpResponse<byte[]> r : List.of(none, malformed, readOnly)) {
            assertThat(r.headers().firstValue("content-type")).hasValue("application/x-protobuf");
            assertThat(r.headers().firstValue("www-authenticate")).isPresent();
            assertThat(Status.parseFrom(r.body()).getMessage()).isNotBlank();
        }
        assertThat(Status.parseFrom(none.body()).getCode()).isEqualTo(Code.UNAUTHENTICATED.getNumber());
        assertThat(Status.parseFrom(readOnly.body()).getCode()).isEqualTo(Code.PERMISSION_DENIED.getNumber());
    }

    /** An empty OTLP protobuf request (valid: no resource logs) with {@code headers}. */
    private static HttpResponse<byte[]> postProtobuf(Map<String, String> headers) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(broker.uri("/v1/logs"))
                .header("Content-Type", "application/x-protobuf")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(new byte[0]))
                .timeout(java.time.Duration.ofSeconds(10));
        headers.forEach(b::header);
        return broker.http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void aTokenInTheQueryOfAPostIsRefused() throws Exception {
        HttpResponse<String> r = AuthHttp.send(broker.port(), "POST", withToken("/v1/logs", valid("write")),
                Map.of(), "{\"msg\":\"x\"}");

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer error=\"invalid_request\"");
    }

    @Test
    void validTokensOfEitherKeyAndAdminWork() throws Exception {
        assertThat(post(broker.port(), "{\"msg\":\"x\"}", bearer(keys.token("k2", "write", null, null, null)))
                .statusCode()).isEqualTo(202);
        assertThat(post(broker.port(), "{\"msg\":\"x\"}", bearer(valid("admin"))).statusCode()).isEqualTo(202);
        assertThat(get(broker.port(), withToken("/v1/poll", valid("admin")), Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void healthChecksNeedNoTokenAndMetricsNeedAnUnlimitedReader() throws Exception {
        assertThat(get(broker.port(), "/healthz", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get(broker.port(), "/readyz", Map.of()).statusCode()).isEqualTo(200);
        assertThat(get(broker.port(), "/metrics", Map.of()).statusCode()).isEqualTo(401);
        assertThat(get(broker.port(), "/metrics", bearer(valid("read"))).statusCode()).isEqualTo(200);
        assertThat(get(broker.port(), "/metrics", bearer(valid("write"))).statusCode()).isEqualTo(403);
        assertThat(get(broker.port(), "/metrics", bearer(keys.token("k1", "read", "team-a/*", null, null)))
                .statusCode()).isEqualTo(403);
        assertThat(get(broker.port(), withToken("/metrics", keys.token("k1", "admin", "team-a/*", null, null)),
                Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void authFailuresAreCountedByReason() throws Exception {
        get(broker.port(), "/v1/poll", bearer(valid("read").replace("lc1.k1.", "lc1.k3.")));
        get(broker.port(), "/v1/poll", Map.of());

        String metrics = get(broker.port(), "/metrics", bearer(valid("admin"))).body();

        assertThat(metrics).containsPattern("logcast_auth_failures_total\\{reason=\"unknown_kid\"} [1-9]")
                .containsPattern("logcast_auth_failures_total\\{reason=\"missing\"} [1-9]");
    }

    @Test
    void repeatedFailuresFromOneAddressAreSlowedDownWithoutTouchingAnother() throws Exception {
        try (BrokerFixture limited = BrokerFixture.start(keys.settings("auth.failures.per.minute", "3"))) {
            String forged = valid("read").replace("lc1.k1.", "lc1.k3.");
            for (int i = 0; i < 3; i++) {
                assertThat(get(limited.port(), "/v1/poll", bearer(forged)).statusCode()).isEqualTo(401);
            }

            HttpResponse<String> slowed = get(limited.port(), "/v1/poll", bearer(valid("read")));

            assertThat(slowed.statusCode()).isEqualTo(429);
            assertThat(slowed.headers().firstValue("retry-after")).hasValue("20");
            assertThat(BrokerFixture.jsonObject(slowed.body()).get("error").toString())
                    .startsWith("too many failed authentications");
            assertThat(rawGetFrom("127.0.0.2", limited.port(), "/v1/poll", valid("read")))
                    .as("another address").startsWith("HTTP/1.1 200");
            assertThat(get(limited.port(), "/healthz", Map.of()).statusCode()).isEqualTo(200);
        }
    }

    private static void assertInvalidToken(HttpResponse<String> r) {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate")).hasValue("Bearer error=\"invalid_token\"");
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(BrokerFixture.jsonObject(r.body())).containsEntry("index", null).containsKey("error");
    }

    private static long lastId() throws Exception {
        HttpResponse<String> r = get(broker.port(), "/v1/poll", bearer(valid("read")));
        return Long.parseUnsignedLong((String) BrokerFixture.jsonObject(r.body()).get("last"));
    }

    /** A GET from another loopback address (127.0.0.0/8 is all local on Linux); the status line and head. */
    private static String rawGetFrom(String localAddress, int port, String path, String token) throws Exception {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(localAddress, 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
