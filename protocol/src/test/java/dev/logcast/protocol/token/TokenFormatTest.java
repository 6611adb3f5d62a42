package dev.logcast.protocol.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenFormatTest {
    private static final long NOW = 1_800_000_000L;
    private static final long SKEW = 60;
    private static final byte[] SECRET = new byte[32];
    private static final HmacKey KEY;
    private static final HmacKey OTHER_SECRET_SAME_KID = HmacKey.generate("k1", new SecureRandom());
    private static final HmacKey SECOND = HmacKey.generate("k2", new SecureRandom());
    private static final Function<String, HmacKey> KEYS;

    static {
        for (int i = 0; i < SECRET.length; i++) {
            SECRET[i] = (byte) i;
        }
        KEY = new HmacKey("k1", SECRET);
        Map<String, HmacKey> ring = Map.of("k1", KEY, "k2", SECOND);
        KEYS = ring::get;
    }

    private static TokenClaims claims(long iat, long exp) {
        return new TokenClaims("ci", List.of("read", "write"), List.of("team-a/*"), List.of("log"), exp, iat, "svc");
    }

    private static String good() {
        return TokenFormat.mint(KEY, claims(NOW - 10, NOW + 3600));
    }

    @Test
    void aMintedTokenVerifiesWithItsClaims() {
        TokenCheck check = TokenFormat.verify(good(), KEYS, NOW, SKEW);

        assertThat(check.fault()).isNull();
        assertThat(check.claims()).isEqualTo(claims(NOW - 10, NOW + 3600));
    }

    @Test
    void theFormatIsPinnedByAVectorComputedElsewhere() {
        // HMAC-SHA256 and base64url computed with Python's hmac and base64 modules, secret = bytes 0..31
        String token = "lc1.k1.eyJzdWIiOiJjaSIsInNjb3BlIjpbInJlYWQiXSwiYnJhbmNoZXMiOlsidGVhbS1hLyoiXSwiaWF0IjoxNz"
                + "AwMDAwMDAwLCJleHAiOjE3MDAwODY0MDB9.xNRWr72w87ZI6OvXlGo1t0XivltZr99-kK9eZNa_Ank";

        TokenCheck check = TokenFormat.verify(token, KEYS, 1_700_000_100L, SKEW);

        assertThat(check.claims()).isEqualTo(new TokenClaims("ci", List.of("read"), List.of("team-a/*"), null,
                1_700_086_400L, 1_700_000_000L, null));
        assertThat(TokenFormat.mint(KEY, check.claims())).isEqualTo(token);
    }

    @Test
    void aTokenOfEitherKeyVerifies() {
        String second = TokenFormat.mint(SECOND, claims(NOW, NOW + 60));

        assertThat(TokenFormat.verify(second, KEYS, NOW, SKEW).isValid()).isTrue();
        assertThat(TokenFormat.verify(good(), KEYS, NOW, SKEW).isValid()).isTrue();
    }

    static Stream<Arguments> faults() {
        String t = good();
        int d3 = t.lastIndexOf('.');
        int d2 = t.lastIndexOf('.', d3 - 1);
        String sig = t.substring(d3 + 1);
        String head = t.substring(0, d3);
        char last = sig.charAt(sig.length() - 1);
        String wider = Base64.getUrlEncoder().withoutPadding().encodeToString(
                new TokenClaims("ci", List.of("admin"), null, null, NOW + 3600, NOW, null).toJson());
        return Stream.of(
                Arguments.of("forged signature", head + "." + flip(sig, 5), TokenFault.BAD_SIGNATURE),
                Arguments.of("another key's token", TokenFormat.mint(OTHER_SECRET_SAME_KID,
                        claims(NOW, NOW + 60)), TokenFault.BAD_SIGNATURE),
                Arguments.of("claims swapped, signature kept", t.substring(0, d2 + 1) + wider + "." + sig,
                        TokenFault.BAD_SIGNATURE),
                Arguments.of("kid swapped to another known key", t.replace("lc1.k1.", "lc1.k2."),
                        TokenFault.BAD_SIGNATURE),
                Arguments.of("unknown kid", t.replace("lc1.k1.", "lc1.k9."), TokenFault.UNKNOWN_KID),
                Arguments.of("truncated", t.substring(0, t.length() - 1), TokenFault.MALFORMED),
                Arguments.of("truncated to the claims", head, TokenFault.MALFORMED),
                Arguments.of("extra segment", t + ".abc", TokenFault.MALFORMED),
                Arguments.of("missing segment", "lc1." + t.substring(d2 + 1), TokenFault.MALFORMED),
                Arguments.of("empty kid", "lc1.." + t.substring(d2 + 1), TokenFault.MALFORMED),
                Arguments.of("bad base64 in the claims", t.substring(0, d2 + 1) + "e!" + t.substring(d2 + 3),
                        TokenFault.MALFORMED),
                Arguments.of("standard base64 alphabet", head + "." + sig.replace('-', '+').replace('_', '/')
                        + (sig.contains("-") || sig.contains("_") ? "" : "+"), TokenFault.MALFORMED),
                Arguments.of("padded signature", t + "=", TokenFault.MALFORMED),
                Arguments.of("non-canonical signature", head + "." + sig.substring(0, sig.length() - 1)
                        + nonCanonical(last), TokenFault.MALFORMED),
                Arguments.of("lc2", "lc2" + t.substring(3), TokenFault.MALFORMED),
                Arguments.of("no version", t.substring(4), TokenFault.MALFORMED),
                Arguments.of("empty", "", TokenFault.MALFORMED),
                Arguments.of("dots only", "...", TokenFault.MALFORMED),
                Arguments.of("non-ASCII", t.substring(0, d2 + 1) + "é" + t.substring(d2 + 2), TokenFault.MALFORMED),
                Arguments.of("too long", "lc1.k1." + "A".repeat(TokenFormat.MAX_TOKEN_CHARS) + "." + sig,
                        TokenFault.MALFORMED),
                Arguments.of("a JWT", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", TokenFault.MALFORMED),
                Arguments.of("signed claims that are not JSON", signedRaw("not json"), TokenFault.MALFORMED),
                Arguments.of("signed claims without exp", signedRaw("{\"sub\":\"x\",\"scope\":[\"read\"],"
                        + "\"iat\":" + NOW + "}"), TokenFault.MALFORMED),
                Arguments.of("expired", TokenFormat.mint(KEY, claims(NOW - 7200, NOW - SKEW - 1)),
                        TokenFault.EXPIRED),
                Arguments.of("issued in the far future", TokenFormat.mint(KEY, claims(NOW + 3600, NOW + 7200)),
                        TokenFault.ISSUED_IN_FUTURE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void everyFaultHasItsReason(String name, String token, TokenFault expected) {
        assertThat(TokenFormat.verify(token, KEYS, NOW, SKEW).fault()).isEqualTo(expected);
    }

    @Test
    void expiryAndIssueTimeHaveTheSkewLeeway() {
        assertThat(TokenFormat.verify(TokenFormat.mint(KEY, claims(NOW - 100, NOW - SKEW)), KEYS, NOW, SKEW)
                .isValid()).isTrue();
        assertThat(TokenFormat.verify(TokenFormat.mint(KEY, claims(NOW + SKEW, NOW + 100)), KEYS, NOW, SKEW)
                .isValid()).isTrue();
        assertThat(TokenFormat.verify(TokenFormat.mint(KEY, claims(NOW - 100, NOW - 1)), KEYS, NOW, 0)
                .fault()).isEqualTo(TokenFault.EXPIRED);
    }

    @Test
    void theKeyNeverShowsItsSecret() {
        assertThat(KEY.toString()).isEqualTo("HmacKey[k1]");
        assertThat(KEY.keyFileLine()).isEqualTo("k1 " + Base64.getEncoder().encodeToString(SECRET));
    }

    @Test
    void kidsAreBase64urlCharactersUpTo64() {
        assertThat(TokenFormat.isKid("k-2026_a")).isTrue();
        assertThat(TokenFormat.isKid("a".repeat(64))).isTrue();
        assertThat(TokenFormat.isKid("a".repeat(65))).isFalse();
        assertThat(TokenFormat.isKid("a.b")).isFalse();
        assertThat(TokenFormat.isKid("")).isFalse();
        assertThat(TokenFormat.isKid("a b")).isFalse();
    }

    private static String signedRaw(String claimsJson) {
        String signed = "lc1.k1." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        byte[] bytes = signed.getBytes(StandardCharsets.US_ASCII);
        return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(KEY.sign(bytes, bytes.length));
    }

    private static String flip(String s, int i) {
        char c = s.charAt(i);
        return s.substring(0, i) + (c == 'A' ? 'B' : 'A') + s.substring(i + 1);
    }

    /** The same 2 data bits as {@code last} with a non-zero unused bit: decodes to the same bytes. */
    private static char nonCanonical(char last) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        return alphabet.charAt(alphabet.indexOf(last) | 1);
    }
}
