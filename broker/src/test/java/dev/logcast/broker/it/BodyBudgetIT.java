package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.testing.ChildBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The bodies the broker holds at once are bounded: clients that send large bodies slowly (or stop half-way) take
 * the budget, a body that does not fit is answered 503 with {@code Retry-After} before it is read (then read and
 * dropped: the connection goes on), small requests still pass, and what a closed connection held comes back. A child
 * broker with a 64 MB heap has a budget of about 16 MB (a quarter of its heap).
 */
class BodyBudgetIT {
    private static final int BIG = 6_000_000;

    private static String postHead(int length) {
        return "POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\nContent-Length: "
                + length + "\r\n\r\n";
    }

    /** A valid NDJSON body of exactly {@code length} bytes: one event whose msg pads it out. */
    private static byte[] body(int length) {
        String start = "{\"msg\":\"";
        String end = "\"}\n";
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 'x');
        System.arraycopy(start.getBytes(StandardCharsets.US_ASCII), 0, bytes, 0, start.length());
        System.arraycopy(end.getBytes(StandardCharsets.US_ASCII), 0, bytes, length - end.length(), end.length());
        return bytes;
    }

    @Test
    @Timeout(60)
    void bodiesOverTheBudgetAre503UntilHeldOnesGoAway() throws Exception {
        try (ChildBroker broker = ChildBroker.start(Files.createTempDirectory("logcast-budget"),
                Map.of("ingest.max.msg", "8MiB"), "64m");
             RawHttp first = RawHttp.connect(broker.port());
             RawHttp second = RawHttp.connect(broker.port())) {
            // two bodies of 6 MB begun and not finished: 12 MB of the budget
            first.send(postHead(BIG));
            first.send(Arrays.copyOf(body(BIG), 1_000_000));
            second.send(postHead(BIG));
            second.send(Arrays.copyOf(body(BIG), 1_000_000));
            Thread.sleep(300);

            try (RawHttp third = RawHttp.connect(broker.port())) {
                third.send(postHead(BIG));
                RawHttp.Response refused = third.readResponse();
                assertThat(refused.status()).isEqualTo(503);
                assertThat(refused.header("retry-after")).isEqualTo("1");
                assertThat(refused.body()).contains("\"error\"");
                // its body is read and dropped, and the connection takes the next request
                third.send(body(BIG));
                byte[] event = "{\"msg\":\"next\"}".getBytes(StandardCharsets.US_ASCII);
                third.send(postHead(event.length));
                third.send(event);
                assertThat(third.readResponse().status()).isEqualTo(202);
            }
            try (RawHttp small = RawHttp.connect(broker.port())) {
                byte[] event = "{\"msg\":\"small\"}".getBytes(StandardCharsets.US_ASCII);
                small.send(postHead(event.length));
                small.send(event);
                assertThat(small.readResponse().status()).as("a small body still fits").isEqualTo(202);
            }

            // a gzip body of a few kilobytes that inflates to 6 MB: its inflated bytes count, and do not fit
            try (RawHttp gz = RawHttp.connect(broker.port())) {
                byte[] compressed = IngestRejectionIT.gzip(body(BIG));
                assertThat(compressed.length).isLessThan(100_000);
                gz.send("POST /v1/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-ndjson\r\n"
                        + "Content-Encoding: gzip\r\nContent-Length: " + compressed.length + "\r\n\r\n");
                gz.send(compressed);
                RawHttp.Response refused = gz.readResponse();
                assertThat(refused.status()).as("inflated, it is over the budget").isEqualTo(503);
                assertThat(refused.header("retry-after")).isEqualTo("1");
            }

            first.close();
            Thread.sleep(300);
            try (RawHttp again = RawHttp.connect(broker.port())) {
                again.send(postHead(BIG));
                again.send(body(BIG));
                assertThat(again.readResponse().status()).as("what the closed connection held came back")
                        .isEqualTo(202);
            }
        }
    }
}
