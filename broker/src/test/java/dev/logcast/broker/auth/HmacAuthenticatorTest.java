package dev.logcast.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The authenticator on a fake clock: where the token is taken from, scopes, the cache, reloads, the slow-down. */
class HmacAuthenticatorTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.1", 40000);
    private static final InetSocketAddress OTHER = new InetSocketAddress("192.0.2.2", 40000);

    @TempDir
    Path dir;

    private final AtomicLong wallMillis = new AtomicLong(1_800_000_000_000L);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Path keyFile;
    private HmacKey k1;
    private HmacKey k2;

    @BeforeEach
    void keys() throws IOException {
        keyFile = dir.resolve("keys");
        k1 = KeyFile.append(keyFile, "k1", new SecureRandom());
        k2 = KeyFile.append(keyFile, "k2", new SecureRandom());
    }

    private HmacAuthenticator authenticator(int cacheSize, int failuresPerMinute) throws IOException {
        return new HmacAuthenticator(keyFile, KeyFile.read(keyFile), 60_000, cacheSize, failuresPerMinute,
                wallMillis::get, nanos::get);
    }

    private String token(HmacKey key, String scope, long ttlSeconds) {
        long now = wallMillis.get() / 1000;
        return TokenFormat.mint(key, new TokenClaims("t", List.of(scope.split(",")), null, null, now + ttlSeconds,
                now, null));
    }

    private static AuthResult get(Authenticator a, String uri, String authorization, Scope scope,
                                  InetSocketAddress from) {
        return call(a, HttpMethod.GET, uri, authorization, scope, from);
    }

    private static AuthResult call(Authenticator a, HttpMethod method, String uri, String authorization,
                                   Scope scope, InetSocketAddress from) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        try {
            if (authorization != null) {
                request.headers().set(HttpHeaderNames.AUTHORIZATION, authorization);
            }
            return a.authenticate(request, new QueryStringDecoder(uri).parameters(), scope, from);
        } finally {
            request.release();
        }
    }

    @Test
    void aBearerTokenWithTheScopeIsGranted() throws IOException {
        AuthResult r = get(authenticator(100, 0), "/v1/stream", "Bearer " + token(k1, "read", 60), Scope.READ,
                CLIENT);

        assertThat(r.isGranted()).isTrue();
        assertThat(r.grant().subject()).isEqualTo("t");
    }

    @Test
    void theSchemeIsCaseInsensitiveAndTheAccessTokenParameterWorksOnGet() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);
        String t = token(k2, "read", 60);

        assertThat(get(a, "/v1/stream", "bearer " + t, Scope.READ, CLIENT).isGranted()).isTrue();
        assertThat(get(a, "/v1/stream?access_token=" + t, null, Scope.READ, CLIENT).isGranted()).isTrue();
        assertThat(call(a, HttpMethod.HEAD, "/metrics?access_token=" + t, null, Scope.READ, CLIENT).isGranted())
                .isTrue();
    }

    @Test
    void noTokenOrAnotherSchemeIsMissingWithABareChallenge() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);

        for (String header : new String[] {null, "Basic dXNlcjpwYXNz", "Bearerx abc", "Token abc"}) {
            AuthResult r = get(a, "/v1/poll", header, Scope.READ, CLIENT);
            assertThat(r.status().code()).as(String.valueOf(header)).isEqualTo(401);
            assertThat(r.challenge()).isEqualTo("Bearer");
            assertThat(r.reason()).isEqualTo("missing");
        }
    }

    @Test
    void anEmptyBearerIsAMalformedToken() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);

        for (String header : new String[] {"Bearer", "Bearer ", "Bearer    "}) {
            AuthResult r = get(a, "/v1/poll", header, Scope.READ, CLIENT);
            assertThat(r.status().code()).isEqualTo(401);
            assertThat(r.challenge()).isEqualTo("Bearer error=\"invalid_token\"");
            assertThat(r.reason()).isEqualTo("malformed");
        }
        assertThat(get(a, "/v1/poll?access_token=", null, Scope.READ, CLIENT).reason()).isEqualTo("malformed");
    }

    @Test
    void aTokenInTheQueryOfAPostOrSentTwiceIsRefused() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);
        String t = token(k1, "write", 60);

        AuthResult post = call(a, HttpMethod.POST, "/v1/logs?access_token=" + t, null, Scope.WRITE, CLIENT);
        AuthResult both = get(a, "/v1/poll?access_token=" + t, "Bearer " + t, Scope.READ, CLIENT);
        AuthResult twice = get(a, "/v1/poll?access_token=" + t + "&access_token=" + t, null, Scope.READ, CLIENT);

        assertThat(post.status().code()).isEqualTo(401);
        assertThat(post.reason()).isEqualTo("token_in_query");
        assertThat(both.reason()).isEqualTo("token_repeated");
        assertThat(twice.reason()).isEqualTo("token_repeated");
        assertThat(post.challenge()).isEqualTo("Bearer error=\"invalid_request\"");
    }

    @Test
    void aValidTokenWithoutTheScopeIs403AndAdminPassesEveryScope() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);

        AuthResult r = get(a, "/v1/logs", "Bearer " + token(k1, "read", 60), Scope.WRITE, CLIENT);

        assertThat(r.status().code()).isEqualTo(403);
        assertThat(r.error()).isEqualTo("the token does not have the write scope");
        assertThat(r.challenge()).isEqualTo("Bearer error=\"insufficient_scope\"");
        for (Scope scope : Scope.values()) {
            assertThat(get(a, "/", "Bearer " + token(k1, "admin", 60), scope, CLIENT).isGranted()).isTrue();
        }
    }

    @Test
    void aVerifiedTokenIsAnsweredFromTheCacheUntilItExpires() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);
        String t = token(k1, "read", 10);

        AuthResult first = get(a, "/", "Bearer " + t, Scope.READ, CLIENT);
        AuthResult second = get(a, "/", "Bearer " + t, Scope.READ, CLIENT);
        wallMillis.addAndGet(TimeUnit.SECONDS.toMillis(10 + 60 + 1));
        AuthResult late = get(a, "/", "Bearer " + t, Scope.READ, CLIENT);

        assertThat(second).isSameAs(first);
        assertThat(late.status().code()).isEqualTo(401);
        assertThat(late.reason()).isEqualTo("expired");
    }

    @Test
    void aReloadWithoutAKidRevokesItsTokensAlsoWhenCached() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);
        String t1 = token(k1, "read", 600);
        String t2 = token(k2, "read", 600);
        assertThat(get(a, "/", "Bearer " + t1, Scope.READ, CLIENT).isGranted()).isTrue();

        Files.writeString(keyFile, k2.keyFileLine() + "\n");
        a.reload();

        assertThat(get(a, "/", "Bearer " + t1, Scope.READ, CLIENT).reason()).isEqualTo("unknown_kid");
        assertThat(get(a, "/", "Bearer " + t2, Scope.READ, CLIENT).isGranted()).isTrue();
    }

    @Test
    void aBadKeyFileOnReloadKeepsTheKeysInUse() throws IOException {
        HmacAuthenticator a = authenticator(100, 0);
        Files.writeString(keyFile, "k1 not-base64!\n");

        a.reload();

        assertThat(a.ring().size()).isEqualTo(2);
        assertThat(get(a, "/", "Bearer " + token(k1, "read", 60), Scope.READ, CLIENT).isGranted()).isTrue();
    }

    @Test
    void repeatedFailuresFromOneAddressGet429WithRetryAfterWhileOthersGoOn() throws IOException {
        HmacAuthenticator a = authenticator(100, 3);
        String forged = token(HmacKey.generate("k1", new SecureRandom()), "read", 60);
        String good = token(k1, "read", 60);
        String goodUnseen = token(k2, "read", 60);
        assertThat(get(a, "/", "Bearer " + good, Scope.READ, CLIENT).isGranted()).isTrue();

        for (int i = 0; i < 3; i++) {
            assertThat(get(a, "/", "Bearer " + forged, Scope.READ, CLIENT).reason()).isEqualTo("bad_signature");
        }
        AuthResult throttled = get(a, "/", "Bearer " + forged, Scope.READ, CLIENT);

        assertThat(throttled.status().code()).isEqualTo(429);
        assertThat(throttled.retryAfterSeconds()).isEqualTo(20);
        assertThat(get(a, "/", "Bearer " + goodUnseen, Scope.READ, CLIENT).status().code())
                .as("an unverified token from the throttled address is not checked").isEqualTo(429);
        assertThat(get(a, "/", "Bearer " + good, Scope.READ, CLIENT).isGranted())
                .as("a token verified before still passes").isTrue();
        assertThat(get(a, "/", "Bearer " + forged, Scope.READ, OTHER).reason())
                .as("another address is not touched").isEqualTo("bad_signature");

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(20));
        assertThat(get(a, "/", "Bearer " + goodUnseen, Scope.READ, CLIENT).isGranted()).isTrue();
    }

    @Test
    void ipv6ClientsAreCountedByTheir64() throws IOException {
        HmacAuthenticator a = authenticator(0, 1);
        String forged = token(HmacKey.generate("k1", new SecureRandom()), "read", 60);

        get(a, "/", "Bearer " + forged, Scope.READ, new InetSocketAddress("2001:db8:0:1::1", 1));

        assertThat(get(a, "/", "Bearer " + forged, Scope.READ, new InetSocketAddress("2001:db8:0:1::ffff", 1))
                .status().code()).isEqualTo(429);
        assertThat(get(a, "/", "Bearer " + forged, Scope.READ, new InetSocketAddress("2001:db8:0:2::1", 1))
                .reason()).isEqualTo("bad_signature");
    }
}
