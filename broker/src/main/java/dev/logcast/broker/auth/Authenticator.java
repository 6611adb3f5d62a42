package dev.logcast.broker.auth;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;
import java.util.Map;

/**
 * Decides, before any state is created for a request, whether it may go on and with what {@link Grant}. Called on
 * the connection's event loop; implementations must not block. Thread-safe.
 */
public interface Authenticator {
    AuthResult authenticate(HttpRequest request, Map<String, List<String>> params, Scope needed);
}
