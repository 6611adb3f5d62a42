package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /metrics}, {@code /healthz} and {@code /readyz} as an operator and Prometheus see them. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class MetricsIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of());
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    @Test
    void metricsAreInThePrometheusTextFormat() throws Exception {
        HttpResponse<String> r = broker.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct)
                .startsWith("text/plain").contains("version=0.0.4"));
        assertThat(r.body()).contains("# TYPE logcast_ingested_events_total counter")
                .contains("# TYPE logcast_subscribers gauge")
                .contains("logcast_shards_congested 0")
                .contains("# HELP logcast_ingested_events_total ");
        for (String line : r.body().split("\n")) {
            assertThat(line).as("exposition line").matches(
                    "(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)|([a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? \\S+)");
        }
    }

    @Test
    void headMetricsHasNoBody() throws Exception {
        try (BrokerFixture.RawConnection c = broker.connect()) {
            c.write("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");

            BrokerFixture.RawResponse head = c.readHeadResponse();
            BrokerFixture.RawResponse next = c.readResponse();

            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-type")).startsWith("text/plain");
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).isEqualTo("ok\n");
        }
    }

    @Test
    void ingestedEventsTotalCountsPostedEvents() throws Exception {
        double before = metric("logcast_ingested_events_total", null);

        HttpResponse<String> r = broker.post("application/json", "[{\"msg\":\"a\"},{\"msg\":\"b\"},{\"msg\":\"c\"}]");
        HttpResponse<String> one = broker.post("application/x-ndjson", "{\"msg\":\"d\"}\n");

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(one.statusCode()).isEqualTo(202);
        assertThat(metric("logcast_ingested_events_total", null)).isEqualTo(before + 4);
    }

    @Test
    void refusedEventsAreNotCountedAsIngested() throws Exception {
        double before = metric("logcast_ingested_events_total", null);

        HttpResponse<String> r = broker.post("application/json", "[{\"msg\":\"a\"},{\"level\":\"loud\"}]");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(metric("logcast_ingested_events_total", null)).isEqualTo(before);
    }

    @Test
    void rejectedByReasonMovesOnA400() throws Exception {
        double before = metric("logcast_rejected_total", "reason=\"bad_request\"");

        HttpResponse<String> r = broker.post("application/json", "{\"msg\":");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(metric("logcast_rejected_total", "reason=\"bad_request\"")).isEqualTo(before + 1);
    }

    @Test
    void rejectedByReasonMovesOnA413AndA415() throws Exception {
        double tooLarge = metric("logcast_rejected_total", "reason=\"too_large\"");
        double answered413 = metric("logcast_ingest_requests_total", "status=\"413\"");
        double mediaType = metric("logcast_rejected_total", "reason=\"unsupported_media_type\"");
        double encoding = metric("logcast_rejected_total", "reason=\"unsupported_encoding\"");

        assertThat(broker.post("application/json", "gzip", IngestRejectionIT.gzipZeros(9L << 20)).statusCode())
                .isEqualTo(413);
        assertThat(broker.post("text/plain", "hello").statusCode()).isEqualTo(415);
        assertThat(broker.post("application/json", "br", new byte[] {1}).statusCode()).isEqualTo(415);

        assertThat(metric("logcast_rejected_total", "reason=\"too_large\"")).isEqualTo(tooLarge + 1);
        // a Content-Length over the body limit is refused by the aggregator, before ingest sees it: counted too
        try (var c = broker.connect()) {
            assertThat(c.write("POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 999999999\r\n\r\n").readResponse().status()).isEqualTo(413);
        }
        assertThat(metric("logcast_rejected_total", "reason=\"too_large\"")).isEqualTo(tooLarge + 2);
        assertThat(metric("logcast_ingest_requests_total", "status=\"413\"")).isEqualTo(answered413 + 2);
        assertThat(metric("logcast_rejected_total", "reason=\"unsupported_media_type\"")).isEqualTo(mediaType + 1);
        assertThat(metric("logcast_rejected_total", "reason=\"unsupported_encoding\"")).isEqualTo(encoding + 1);
    }

    /** Every answer on the ingest endpoint counts by status, the router's own (405) as well as the ingest's. */
    @Test
    void ingestRequestsCountTheRoutersAnswersToo() throws Exception {
        double answered405 = metric("logcast_ingest_requests_total", "status=\"405\"");
        double answered202 = metric("logcast_ingest_requests_total", "status=\"202\"");
        assertThat(broker.get("/v1/logs").statusCode()).isEqualTo(405);
        // a Content-Encoding that lists identity besides gzip is gzip
        byte[] gz = IngestRejectionIT.gzip("{\"msg\":\"listed codings\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(broker.post("application/json", "gzip, identity", gz).statusCode()).isEqualTo(202);
        assertThat(metric("logcast_ingest_requests_total", "status=\"405\"")).isEqualTo(answered405 + 1);
        assertThat(metric("logcast_ingest_requests_total", "status=\"202\"")).isEqualTo(answered202 + 1);
    }

    @Test
    void subscribersCountsOpenStreams() throws Exception {
        double base = metric("logcast_subscribers", null);
        try (SseClient a = SseClient.open(broker.port(), "/v1/stream")) {
            try (SseClient b = SseClient.open(broker.port(), "/v1/stream?branch=x")) {
                assertThat(a.status()).isEqualTo(200);
                assertThat(b.status()).isEqualTo(200);
                awaitMetric("logcast_subscribers", base + 2);
            }
            awaitMetric("logcast_subscribers", base + 1);
        }
        awaitMetric("logcast_subscribers", base);
    }

    @Test
    void healthzSaysAlive() throws Exception {
        HttpResponse<String> r = broker.get("/healthz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(ct -> assertThat(ct)
                .startsWith("text/plain"));
    }

    @Test
    void readyzSaysReady() throws Exception {
        HttpResponse<String> r = broker.get("/readyz");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ready\n");
    }

    // ---- helpers

    private static void awaitMetric(String name, double expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        double value;
        while ((value = metric(name, null)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(value).as(name).isEqualTo(expected);
    }

    /**
     * The value of one sample in a fresh scrape; 0 when the series has no sample yet (a labelled counter before
     * its first increment).
     *
     * @param labels the exact label text inside the braces, or null for an unlabelled sample
     */
    static double metric(String name, String labels) throws Exception {
        HttpResponse<String> r = broker.get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        String selector = Pattern.quote(name) + (labels == null ? "" : "\\{" + Pattern.quote(labels) + "\\}");
        Matcher m = Pattern.compile("(?m)^" + selector + " (\\S+)$").matcher(r.body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
