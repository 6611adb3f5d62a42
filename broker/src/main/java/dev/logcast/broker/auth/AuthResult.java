package dev.logcast.broker.auth;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The outcome of authenticating a request: a {@link Grant}, or a refusal with its status (401 or 403), the
 * message for the JSON error body, and a short reason for the metrics.
 */
public record AuthResult(Grant grant, HttpResponseStatus status, String error, String reason) {
    public static AuthResult granted(Grant grant) {
        return new AuthResult(grant, null, null, null);
    }

    public static AuthResult refused(HttpResponseStatus status, String error, String reason) {
        return new AuthResult(null, status, error, reason);
    }

    public boolean isGranted() {
        return grant != null;
    }
}
