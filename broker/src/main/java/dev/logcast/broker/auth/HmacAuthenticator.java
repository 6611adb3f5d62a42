package dev.logcast.broker.auth;

import dev.logcast.protocol.token.TokenCheck;
import dev.logcast.protocol.token.TokenFormat;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * {@code auth.mode=hmac}: every request but health checks and CORS preflights carries a token of the contract's
 * format ({@link TokenFormat}), from {@code Authorization: Bearer} (RFC 6750 §2.1) or, on GET and HEAD only, from the
 * {@code access_token} query parameter (§2.3; EventSource cannot set headers). In order: the address's failure
 * budget ({@link FailureLimiter}, skipped for a token verified before), the token's shape, its kid, its signature
 * (constant-time), {@code exp} and {@code iat} with {@code auth.clock.skew} of leeway, then the scope.
 *
 * <p>A token that verified is remembered ({@link VerifiedTokens}) until it expires, so the hot path (a POST per
 * event) is one cache lookup. The key ring is replaced whole on {@link #reload()}; in-flight checks finish with
 * the ring they started with. Nothing here logs a token, a signature or a secret.
 *
 * <p>Thread-safe: the ring is a volatile reference to an immutable {@link KeyRing}; the cache and the limiter are
 * concurrent.
 */
public final class HmacAuthenticator implements Authenticator {
    private static final System.Logger LOG = System.getLogger(HmacAuthenticator.class.getName());
    private static final String BEARER = "Bearer";
    private static final String ACCESS_TOKEN = "access_token";

    private final Path keyFile;
    private final long skewSeconds;
    private final VerifiedTokens verified;
    private final FailureLimiter limiter;
    private final LongSupplier clockMillis;
    private volatile KeyRing ring;

    /**
     * @param keyFile           where {@link #reload()} reads the keys
     * @param ring              the keys read at start-up
     * @param skewMillis        leeway for {@code exp} and {@code iat}
     * @param cacheSize         verified tokens remembered; 0 verifies every request
     * @param failuresPerMinute failed authentications an address may make per minute; 0 for no limit
     * @param clockMillis       wall clock, epoch millis
     * @param nanoClock         monotonic clock for the failure budget
     */
    public HmacAuthenticator(Path keyFile, KeyRing ring, long skewMillis, int cacheSize, int failuresPerMinute,
                             LongSupplier clockMillis, LongSupplier nanoClock) {
        this.keyFile = keyFile;
        this.ring = ring;
        this.skewSeconds = skewMillis / 1000;
        this.verified = new VerifiedTokens(cacheSize);
        this.limiter = failuresPerMinute > 0 ? new FailureLimiter(failuresPerMinute, nanoClock) : null;
        this.clockMillis = clockMillis;
    }

    /** With the system clocks. */
    public HmacAuthenticator(Path keyFile, KeyRing ring, long skewMillis, int cacheSize, int failuresPerMinute) {
        this(keyFile, ring, skewMillis, cacheSize, failuresPerMinute, System::currentTimeMillis, System::nanoTime);
    }

    /** The keys in use. */
    public KeyRing ring() {
        return ring;
    }

    @Override
    public AuthResult authenticate(HttpRequest request, Map<String, List<String>> params, Scope needed,
                                   SocketAddress remote) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        List<String> inQuery = params.get(ACCESS_TOKEN);
        String token;
        if (inQuery != null) {
            HttpMethod method = request.method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                return AuthResult.badRequest("access_token is taken on GET only; send Authorization: Bearer <token>",
                        "token_in_query");
            }
            if (inQuery.size() > 1 || header != null) {
                // RFC 6750 §2: one method per request
                return AuthResult.badRequest("the token was sent more than once; send it in Authorization or in "
                        + "access_token, once", "token_repeated");
            }
            token = inQuery.get(0);
        } else if (header == null || !isBearer(header)) {
            return AuthResult.missing();
        } else {
            token = bearerToken(header);
        }

        KeyRing current = ring;
        long now = clockMillis.getAsLong();
        AuthResult result = verified.get(token, current, now);
        if (result == null) {
            Object address = limiter == null ? null : FailureLimiter.keyOf(remote);
            if (limiter != null) {
                long wait = limiter.retryAfterSeconds(address);
                if (wait > 0) {
                    return AuthResult.throttled(wait);
                }
            }
            TokenCheck check = TokenFormat.verify(token, current::get, Math.floorDiv(now, 1000), skewSeconds);
            if (!check.isValid()) {
                if (limiter != null) {
                    limiter.failed(address);
                }
                return AuthResult.invalid(check.fault());
            }
            result = AuthResult.granted(Grant.of(check.claims(), skewSeconds));
            verified.put(token, result, current);
        }
        if (!result.grant().allows(needed)) {
            return AuthResult.forbidden("the token does not have the " + needed.claimName() + " scope", "scope");
        }
        return result;
    }

    /** The token after {@code Bearer} and its spaces, cut once (the hot path allocates this one string). */
    private static String bearerToken(String header) {
        int from = BEARER.length();
        int to = header.length();
        while (from < to && isSpace(header.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(header.charAt(to - 1))) {
            to--;
        }
        return header.substring(from, to);
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    /** RFC 9110 §11.1: the scheme is case-insensitive and followed by a space (an empty token is malformed). */
    private static boolean isBearer(String header) {
        return header.regionMatches(true, 0, BEARER, 0, BEARER.length())
                && (header.length() == BEARER.length() || header.charAt(BEARER.length()) == ' ');
    }

    @Override
    public void reload() {
        KeyRing next;
        try {
            next = KeyFile.read(keyFile);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "auth.keys reload failed; keeping the " + ring.size()
                    + " key(s) loaded before: " + e.getMessage());
            return;
        }
        ring = next;
        verified.clear();
        LOG.log(next.isEmpty() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, "auth.keys reloaded from "
                + keyFile + ": " + describe(next));
    }

    /** The ring for a log line: how many keys and their kids, never a secret. */
    public static String describe(KeyRing ring) {
        return ring.isEmpty() ? "no keys; NO TOKEN VERIFIES until one is added (logcast keygen)"
                : ring.size() + " key(s) (" + ring.kids() + ")";
    }
}
