package dev.logcast.protocol.token;

/**
 * Why a token was refused. Each fault is a 401 ({@code WWW-Authenticate: Bearer error="invalid_token"}); the
 * {@link #reason()} labels the auth-failure metric and the {@link #message()} goes into the JSON error body. The
 * messages say what is wrong without echoing any part of the token.
 */
public enum TokenFault {
    /** Not {@code lc1.<kid>.<claims>.<sig>}: segments, characters, base64url, signature length, claims JSON. */
    MALFORMED("malformed", "malformed token"),
    /** The {@code kid} is not in the key file (never was, or was removed: revoked). */
    UNKNOWN_KID("unknown_kid", "token signed with an unknown key"),
    /** The signature does not match the kid's key. */
    BAD_SIGNATURE("bad_signature", "token signature does not verify"),
    /** {@code exp} is past, beyond the clock-skew leeway. */
    EXPIRED("expired", "token expired"),
    /** {@code iat} is in the future, beyond the clock-skew leeway. */
    ISSUED_IN_FUTURE("iat_in_future", "token issued in the future");

    private final String reason;
    private final String message;

    TokenFault(String reason, String message) {
        this.reason = reason;
        this.message = message;
    }

    /** A short snake_case word for metrics. */
    public String reason() {
        return reason;
    }

    /** The error text for the response body. */
    public String message() {
        return message;
    }
}
