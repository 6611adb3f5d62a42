package dev.logcast.broker.testing;

import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.server.Broker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** A real broker on 127.0.0.1 with an ephemeral port, for end-to-end tests. */
public final class BrokerFixture implements AutoCloseable {
    private final Broker broker;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private BrokerFixture(Map<String, String> overrides) throws Exception {
        this.dataDir = Files.createTempDirectory("logcast-it");
        Map<String, String> settings = new HashMap<>();
        settings.put("bind", "127.0.0.1");
        settings.put("port", "0");
        settings.put("data.dir", dataDir.toString());
        settings.put("auth.mode", "none");
        settings.put("storage", "memory");
        settings.put("io.threads", "2");
        settings.putAll(overrides);
        BrokerConfig config = BrokerConfig.defaults().with(settings);
        this.broker = Broker.start(config);
    }

    public static BrokerFixture start() throws Exception {
        return new BrokerFixture(Map.of());
    }

    public static BrokerFixture start(Map<String, String> overrides) throws Exception {
        return new BrokerFixture(overrides);
    }

    public Broker broker() {
        return broker;
    }

    public int port() {
        return broker.port();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public HttpResponse<String> post(String contentType, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri("/v1/logs")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String contentType, String encoding, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/v1/logs")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).timeout(Duration.ofSeconds(10));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(40)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() throws IOException {
        broker.shutdown();
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
