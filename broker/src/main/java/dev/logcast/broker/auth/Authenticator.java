package dev.logcast.broker.auth;

import io.netty.handler.codec.http.HttpRequest;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/**
 * Decides, before any state is created for a request, whether it may go on and with what {@link Grant}. Called on
 * the connection's event loop; implementations must not block. Thread-safe.
 */
public interface Authenticator {
    /**
     * @param params the decoded query parameters (a token may travel in {@code access_token})
     * @param needed the scope the endpoint needs
     * @param remote the client's address, for the slow-down of repeated failures
     */
    AuthResult authenticate(HttpRequest request, Map<String, List<String>> params, Scope needed,
                            SocketAddress remote);

    /**
     * Re-reads what can change while running (the key file), keeping the old state when the new one is bad.
     * Called from a signal handler's thread, never from an event loop. Open streams are not touched.
     */
    default void reload() {
    }
}
