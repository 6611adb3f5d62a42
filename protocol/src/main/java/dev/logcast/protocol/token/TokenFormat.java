package dev.logcast.protocol.token;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.Function;

/**
 * The token: {@code lc1.<kid>.<claims>.<sig>}, where {@code <claims>} is the base64url (RFC 4648 §5, no padding)
 * of the claims' JSON ({@link TokenClaims}) and {@code <sig>} the base64url of the HMAC-SHA256 of
 * {@code lc1.<kid>.<claims>} under the key {@code <kid>} ({@link HmacKey}). Stateless and thread-safe.
 *
 * <p>Verification checks, in this order and before anything of the claims is read: the shape (four segments, the
 * version {@code lc1}, the characters of each segment, a signature of exactly 32 bytes in its one canonical
 * encoding), that the kid is known, and the signature, compared in constant time. Only then are the claims decoded
 * and {@code exp} and {@code iat} compared with the clock, with a leeway for skew between machines.
 */
public final class TokenFormat {
    /** The first segment of every token of this format. */
    public static final String VERSION = "lc1";
    /** Longest token accepted; a real one is a few hundred characters. */
    public static final int MAX_TOKEN_CHARS = 4096;
    /** Longest kid. */
    public static final int MAX_KID_CHARS = 64;
    private static final int SIGNATURE_BYTES = 32;
    /** 32 bytes in unpadded base64: 43 characters, the last carrying 2 bits of data and 4 zero bits. */
    private static final int SIGNATURE_CHARS = 43;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final byte[] DECODE = new byte[128];

    static {
        java.util.Arrays.fill(DECODE, (byte) -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for (int i = 0; i < alphabet.length(); i++) {
            DECODE[alphabet.charAt(i)] = (byte) i;
        }
    }

    private TokenFormat() {
    }

    /** Whether {@code kid} is a valid key id: {@code [A-Za-z0-9_-]{1,64}}. */
    public static boolean isKid(String kid) {
        if (kid == null || kid.isEmpty() || kid.length() > MAX_KID_CHARS) {
            return false;
        }
        for (int i = 0; i < kid.length(); i++) {
            char c = kid.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /** A token carrying {@code claims}, signed with {@code key}. */
    public static String mint(HmacKey key, TokenClaims claims) {
        String signed = VERSION + "." + key.kid() + "." + ENCODER.encodeToString(claims.toJson());
        byte[] bytes = signed.getBytes(StandardCharsets.US_ASCII);
        return signed + "." + ENCODER.encodeToString(key.sign(bytes, bytes.length));
    }

    /**
     * Verifies {@code token} and returns its claims, or the fault that refuses it.
     *
     * @param keys        the key of a kid, or {@code null} when the kid is unknown
     * @param nowSeconds  the current time, epoch seconds
     * @param skewSeconds leeway for {@code exp} (may be this much past) and {@code iat} (this much ahead)
     */
    public static TokenCheck verify(String token, Function<String, HmacKey> keys, long nowSeconds,
                                    long skewSeconds) {
        int length = token == null ? 0 : token.length();
        if (length == 0 || length > MAX_TOKEN_CHARS) {
            return TokenCheck.refused(TokenFault.MALFORMED);
        }
        int d1 = token.indexOf('.');
        int d2 = d1 < 0 ? -1 : token.indexOf('.', d1 + 1);
        int d3 = d2 < 0 ? -1 : token.indexOf('.', d2 + 1);
        if (d3 < 0 || token.indexOf('.', d3 + 1) >= 0 || !token.startsWith(VERSION) || d1 != VERSION.length()) {
            return TokenCheck.refused(TokenFault.MALFORMED);
        }
        int kidChars = d2 - d1 - 1;
        int claimsChars = d3 - d2 - 1;
        if (kidChars < 1 || kidChars > MAX_KID_CHARS || !base64url(token, d1 + 1, d2)
                || claimsChars < 2 || claimsChars % 4 == 1 || !base64url(token, d2 + 1, d3)
                || length - d3 - 1 != SIGNATURE_CHARS || !base64url(token, d3 + 1, length)
                || (DECODE[token.charAt(length - 1)] & 0b11) != 0) {
            return TokenCheck.refused(TokenFault.MALFORMED);
        }
        HmacKey key = keys.apply(token.substring(d1 + 1, d2));
        if (key == null) {
            return TokenCheck.refused(TokenFault.UNKNOWN_KID);
        }
        byte[] ascii = token.getBytes(StandardCharsets.US_ASCII);
        byte[] signature = DECODER.decode(token.substring(d3 + 1));
        if (signature.length != SIGNATURE_BYTES || !key.verify(ascii, d3, signature)) {
            return TokenCheck.refused(TokenFault.BAD_SIGNATURE);
        }
        TokenClaims claims;
        try {
            claims = TokenClaims.fromJson(DECODER.decode(token.substring(d2 + 1, d3)));
        } catch (IllegalArgumentException e) {
            return TokenCheck.refused(TokenFault.MALFORMED);
        }
        if (nowSeconds > claims.exp() + skewSeconds) {
            return TokenCheck.refused(TokenFault.EXPIRED);
        }
        if (claims.iat() > nowSeconds + skewSeconds) {
            return TokenCheck.refused(TokenFault.ISSUED_IN_FUTURE);
        }
        return TokenCheck.valid(claims);
    }

    private static boolean base64url(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 128 || DECODE[c] < 0) {
                return false;
            }
        }
        return true;
    }
}
