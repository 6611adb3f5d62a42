package dev.logcast.broker.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import io.netty.util.AsciiString;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CORS (WHATWG Fetch §3.2) for the origins of {@code cors.origins}: which response headers a request from an origin
 * gets, and the answer to a preflight. A response to an allowed origin carries
 * {@code Access-Control-Allow-Origin} (the origin itself, with {@code Vary: Origin}, or {@code *} when the list is
 * {@code *}) and exposes {@code Retry-After} and {@code WWW-Authenticate}; other origins get no CORS header. No
 * response ever says {@code Access-Control-Allow-Credentials}: tokens travel in {@code Authorization} or
 * {@code access_token}, never in cookies, so a browser's credentials are never needed, and {@code *} stays safe.
 *
 * <p>The router applies it to each request in turn rather than through Netty's {@code CorsHandler}, which would
 * answer a preflight ahead of pipelined requests still waiting (RFC 9112 §9.3.2) and take the origin of the last
 * request read rather than of the one being answered. The header sets are built once and shared read-only.
 * Immutable.
 */
final class CorsPolicy {
    static final CorsPolicy NONE = new CorsPolicy(List.of());

    static final AsciiString ALLOWED_METHODS = AsciiString.cached("GET, HEAD, POST");
    static final AsciiString ALLOWED_HEADERS =
            AsciiString.cached("Authorization, Content-Type, Content-Encoding, Last-Event-ID, traceparent, tracestate");
    private static final AsciiString EXPOSED = AsciiString.cached("Retry-After, WWW-Authenticate");
    private static final AsciiString MAX_AGE_SECONDS = AsciiString.cached("600");
    private static final AsciiString ORIGIN = AsciiString.cached("Origin");
    private static final AsciiString PREFLIGHT_VARY =
            AsciiString.cached("Origin, Access-Control-Request-Method, Access-Control-Request-Headers");

    private final HttpHeaders anyOrigin;
    private final HttpHeaders anyOriginPreflight;
    private final Map<String, HttpHeaders> byOrigin = new HashMap<>();
    private final Map<String, HttpHeaders> preflightByOrigin = new HashMap<>();

    private CorsPolicy(List<String> origins) {
        boolean any = origins.contains("*");
        this.anyOrigin = any ? response("*") : null;
        this.anyOriginPreflight = any ? preflight("*") : null;
        if (!any) {
            for (String origin : origins) {
                byOrigin.put(origin, response(origin));
                preflightByOrigin.put(origin, preflight(origin));
            }
        }
    }

    /** The policy for {@code cors.origins}: serialized origins, lower case, or {@code *}. */
    static CorsPolicy of(List<String> origins) {
        return origins.isEmpty() ? NONE : new CorsPolicy(origins);
    }

    /** The headers for the response to a request with this {@code Origin} header, or {@code null} for none. */
    HttpHeaders responseHeaders(String origin) {
        if (origin == null) {
            return null;
        }
        if (anyOrigin != null) {
            return anyOrigin;
        }
        return byOrigin.isEmpty() ? null : byOrigin.get(origin.toLowerCase(Locale.ROOT));
    }

    /** A CORS preflight: OPTIONS with {@code Origin} and {@code Access-Control-Request-Method}. */
    static boolean isPreflight(HttpRequest request) {
        return request.method().equals(HttpMethod.OPTIONS) && request.headers().contains(HttpHeaderNames.ORIGIN)
                && request.headers().contains(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    }

    /**
     * The answer to a preflight: 204 with the allowed methods and headers when the origin is allowed and asks for
     * one of the methods, else 403 with the JSON error body and no CORS header (the browser then refuses).
     */
    FullHttpResponse preflight(Channel channel, HttpRequest request) {
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        String method = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD).trim();
        HttpHeaders allow = anyOriginPreflight != null ? anyOriginPreflight
                : preflightByOrigin.get(origin.toLowerCase(Locale.ROOT));
        if (allow == null) {
            return Responses.error(channel, HttpResponseStatus.FORBIDDEN, "origin " + printable(origin)
                    + " is not allowed by cors.origins", null);
        }
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("POST")) {
            return Responses.error(channel, HttpResponseStatus.FORBIDDEN, "method " + printable(method)
                    + " is not allowed; use " + ALLOWED_METHODS, null);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        response.headers().add(allow);
        return response;
    }

    private static HttpHeaders response(String origin) {
        return origin.equals("*")
                ? new ReadOnlyHttpHeaders(false, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin,
                        HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED)
                : new ReadOnlyHttpHeaders(false, HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin,
                        HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED,
                        HttpHeaderNames.VARY, ORIGIN);
    }

    private static HttpHeaders preflight(String origin) {
        return new ReadOnlyHttpHeaders(false,
                HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin,
                HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS,
                HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS,
                HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS,
                HttpHeaderNames.VARY, PREFLIGHT_VARY);
    }

    /** An untrusted header value for an error message: at most 100 printable ASCII characters. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
        }
        return b.append(s.length() > 100 ? "...\"" : "\"").toString();
    }
}
