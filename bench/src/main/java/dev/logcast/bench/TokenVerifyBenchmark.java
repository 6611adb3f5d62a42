package dev.logcast.bench;

import dev.logcast.broker.auth.AuthResult;
import dev.logcast.broker.auth.HmacAuthenticator;
import dev.logcast.broker.auth.KeyRing;
import dev.logcast.protocol.token.HmacKey;
import dev.logcast.protocol.token.TokenCheck;
import dev.logcast.protocol.token.TokenClaims;
import dev.logcast.protocol.token.TokenFormat;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of authenticating one request with a bearer token, the hot path of a POST per event:
 * {@code authenticate} is the broker's whole check (header, cache lookup or HMAC-SHA256 and claims, scope) with the
 * verified-token cache on ({@code cacheSize=10000}) and off ({@code 0}); {@code verifyOnly} is the token format's
 * verification alone (shape, kid, constant-time HMAC, claims JSON, times). A typical token: two scopes, one branch
 * glob, about 190 characters.
 *
 * <p>{@code java -cp bench/target/logcast-bench.jar org.openjdk.jmh.Main TokenVerifyBenchmark -prof gc}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m", "-Dio.netty.leakDetection.level=disabled"})
public class TokenVerifyBenchmark {
    private HmacKey key;
    private String token;
    private HttpRequest request;
    private final Map<String, List<String>> noParams = Map.of();
    private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 40000);

    /** The broker's authenticator with the verified-token cache on or off. */
    @State(Scope.Benchmark)
    public static class Authenticator {
        @Param({"10000", "0"})
        int cacheSize;

        HmacAuthenticator authenticator;

        @Setup
        public void setUp(TokenVerifyBenchmark bench) {
            authenticator = new HmacAuthenticator(Path.of("unused"), new KeyRing(List.of(bench.key)), 60_000,
                    cacheSize, 30);
        }
    }

    @Setup
    public void setUp() {
        key = HmacKey.generate("k20261124-a1b2", new SecureRandom());
        long now = System.currentTimeMillis() / 1000;
        token = TokenFormat.mint(key, new TokenClaims("checkout-svc", List.of("read", "write"), List.of("team-a/*"),
                null, now + 86_400, now, null));
        request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/logs");
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
    }

    @Benchmark
    public AuthResult authenticate(Authenticator state) {
        return state.authenticator.authenticate(request, noParams, dev.logcast.broker.auth.Scope.WRITE, client);
    }

    @Benchmark
    public TokenCheck verifyOnly() {
        return TokenFormat.verify(token, kid -> key, System.currentTimeMillis() / 1000, 60);
    }
}
