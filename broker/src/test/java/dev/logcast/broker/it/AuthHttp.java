package dev.logcast.broker.it;

import dev.logcast.broker.testing.BrokerFixture;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Requests with tokens and arbitrary headers, for the auth and CORS tests. */
final class AuthHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private AuthHttp() {
    }

    /** {@code Authorization: Bearer <token>}. */
    static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }

    /** {@code &access_token=<token>} (or {@code ?}), URL-encoded. */
    static String withToken(String pathAndQuery, String token) {
        return pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "access_token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    static HttpResponse<String> get(int port, String pathAndQuery, Map<String, String> headers)
            throws IOException, InterruptedException {
        return send(port, "GET", pathAndQuery, headers, null);
    }

    static HttpResponse<String> post(int port, String json, Map<String, String> headers)
            throws IOException, InterruptedException {
        return send(port, "POST", "/v1/logs", headers, json);
    }

    static HttpResponse<String> send(int port, String method, String pathAndQuery, Map<String, String> headers,
                                     String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code events} of a poll answer. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(HttpResponse<String> poll) {
        return (List<Map<String, Object>>) BrokerFixture.jsonObject(poll.body()).get("events");
    }

    /** The {@code last} of a 202 answer. */
    static long lastId(HttpResponse<String> accepted) {
        return Long.parseUnsignedLong((String) BrokerFixture.jsonObject(accepted.body()).get("last"));
    }
}
