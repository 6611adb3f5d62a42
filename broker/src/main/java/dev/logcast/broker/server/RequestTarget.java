package dev.logcast.broker.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/**
 * How every request target is read: Netty's {@link QueryStringDecoder} with only {@code &} between parameters (a
 * {@code ;} is an ordinary character, so {@code q=a;b} searches for {@code a;b}). Its path and parameters are
 * decoded lazily and throw {@link IllegalArgumentException} on a bad percent-escape ({@code %zz}, a lone
 * {@code %}): {@link #decode} decodes both at once, so that a malformed target is one 400 where it is read first.
 * Stateless.
 */
final class RequestTarget {
    /** Netty's default bound on the number of parameters. */
    private static final int MAX_PARAMS = 1024;

    private RequestTarget() {
    }

    /**
     * The decoded target.
     *
     * @throws IllegalArgumentException when the path or a parameter holds a malformed percent-escape
     */
    static QueryStringDecoder decode(String uri) {
        QueryStringDecoder query = new QueryStringDecoder(originForm(uri), StandardCharsets.UTF_8, true, MAX_PARAMS,
                true);
        query.path();
        query.parameters();
        return query;
    }

    /**
     * The target in origin form: an absolute-form target ({@code http://host:port/v1/poll?x}, which RFC 9112 §3.2.2
     * says a server must accept, as a proxy sends it) loses its scheme and authority; any other is left as it is.
     */
    static String originForm(String uri) {
        int scheme = uri.regionMatches(true, 0, "http://", 0, 7) ? 7
                : uri.regionMatches(true, 0, "https://", 0, 8) ? 8 : -1;
        if (scheme < 0) {
            return uri;
        }
        int path = scheme;
        while (path < uri.length() && uri.charAt(path) != '/' && uri.charAt(path) != '?') {
            path++;
        }
        return path == uri.length() ? "/" : uri.charAt(path) == '?' ? "/" + uri.substring(path) : uri.substring(path);
    }

    /** The decoded path of {@code uri}, or null when it cannot be decoded. */
    static String pathOrNull(String uri) {
        try {
            return new QueryStringDecoder(originForm(uri), StandardCharsets.UTF_8, true, MAX_PARAMS, true).path();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
