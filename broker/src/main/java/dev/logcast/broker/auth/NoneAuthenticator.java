package dev.logcast.broker.auth;

import io.netty.handler.codec.http.HttpRequest;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;

/** {@code auth.mode=none}: every request may do everything. Only by explicit configuration, with a warning. */
public final class NoneAuthenticator implements Authenticator {
    private static final AuthResult ALL = AuthResult.granted(Grant.ALL);

    @Override
    public AuthResult authenticate(HttpRequest request, Map<String, List<String>> params, Scope needed,
                                   SocketAddress remote) {
        return ALL;
    }
}
