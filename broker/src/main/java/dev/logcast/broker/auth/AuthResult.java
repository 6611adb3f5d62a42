package dev.logcast.broker.auth;

import dev.logcast.protocol.token.TokenFault;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The outcome of authenticating a request: a {@link Grant}, or a refusal with its status (401, 403 or 429), the
 * message for the JSON error body, a short reason for the metrics, the {@code WWW-Authenticate} challenge
 * (RFC 6750 §3) and, for 429, the {@code Retry-After} seconds. Immutable.
 *
 * @param challenge         the {@code WWW-Authenticate} value, or {@code null}
 * @param retryAfterSeconds the {@code Retry-After} value, or 0 for none
 */
public record AuthResult(Grant grant, HttpResponseStatus status, String error, String reason, String challenge,
                         long retryAfterSeconds) {
    /** RFC 6750 §3: no error code when the request had no credentials at all. */
    static final String CHALLENGE = "Bearer";
    static final String INVALID_TOKEN = "Bearer error=\"invalid_token\"";
    static final String INVALID_REQUEST = "Bearer error=\"invalid_request\"";
    /** RFC 6750 §3.1: the token is valid but may not do what was asked. */
    public static final String INSUFFICIENT_SCOPE = "Bearer error=\"insufficient_scope\"";

    public static AuthResult granted(Grant grant) {
        return new AuthResult(grant, null, null, null, null, 0);
    }

    /** 401 for a request without a bearer token (none, or another scheme such as Basic). */
    public static AuthResult missing() {
        return new AuthResult(null, HttpResponseStatus.UNAUTHORIZED,
                "authentication required: send Authorization: Bearer <token> (on GET also ?access_token=<token>)",
                "missing", CHALLENGE, 0);
    }

    /** 401 for a token that does not verify. */
    public static AuthResult invalid(TokenFault fault) {
        return new AuthResult(null, HttpResponseStatus.UNAUTHORIZED, fault.message(), fault.reason(), INVALID_TOKEN,
                0);
    }

    /** 401 for a token sent in a way the broker does not take (twice, or in the query of a POST). */
    public static AuthResult badRequest(String error, String reason) {
        return new AuthResult(null, HttpResponseStatus.UNAUTHORIZED, error, reason, INVALID_REQUEST, 0);
    }

    /** 403 for a valid token that may not do what the request asks (scope, branch or type). */
    public static AuthResult forbidden(String error, String reason) {
        return new AuthResult(null, HttpResponseStatus.FORBIDDEN, error, reason, INSUFFICIENT_SCOPE, 0);
    }

    /** 429 for an address over its budget of failed authentications. */
    public static AuthResult throttled(long retryAfterSeconds) {
        return new AuthResult(null, HttpResponseStatus.TOO_MANY_REQUESTS,
                "too many failed authentications from this address; retry later", "throttled", null,
                retryAfterSeconds);
    }

    public boolean isGranted() {
        return grant != null;
    }
}
