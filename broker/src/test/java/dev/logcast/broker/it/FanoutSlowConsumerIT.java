package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Json;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.it.streamsupport.Publisher;
import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.it.streamsupport.SseText;
import dev.logcast.broker.it.streamsupport.Subscriber;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.ChunkedBody;
import dev.logcast.broker.testing.SseClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

/**
 * Slow consumers: a subscriber that stops reading is closed once it is {@code stream.max.pending} behind, while the
 * others keep getting everything; the closed one resumes from retention with its Last-Event-ID without loss.
 */
class FanoutSlowConsumerIT {
    /**
     * 20,000 events of about 550 bytes: 11 MB, so that even gzip'ed the backlog is well over what the kernel buffers
     * for a socket that is not read (Linux autotunes a send buffer up to tcp_wmem's 4 MiB), and the broker's cap,
     * not the kernel, has to stop it.
     */
    private static final int EVENTS = 20_000;
    private static final int PER_BATCH = 50;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(90)
    void slowSubscriberIsClosedAtItsCapAndOthersKeepReceiving(boolean gzip) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "64KiB"));
             RawHttp slow = RawHttp.connect(broker.port(), 4096);
             Subscriber normal = Subscriber.open(broker.port(), "")) {
            // a reader that asked for the stream and then never reads a byte
            slow.send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n");
            Metrics.await(broker, "logcast_subscribers", 2, 5_000);

            // one publisher, each POST once the subscriber that reads has the one before: it is never more than
            // one POST (about 27 KiB) behind, well under its cap (a 202 may come before the fan-out, and a test
            // client parsing on a shared core could otherwise fall behind a broker that answers faster)
            Publisher publisher = new Publisher(broker.port());
            List<Received> got = new ArrayList<>();
            Random random = new Random(1);
            for (int b = 0; b < EVENTS / PER_BATCH; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < PER_BATCH; i++) {
                    // random text, so that gzip cannot shrink the backlog away
                    batch.add(LogSpec.of("main", "log", "info", "slow-test", "b" + b + " e" + i + " "
                            + randomText(random, 400)));
                }
                got.addAll(normal.eventsThrough(publisher.post(batch).last(), 30_000));
            }
            List<Long> all = new ArrayList<>(publisher.byId().keySet());
            assertThat(all).hasSize(EVENTS);

            assertThat(Subscriber.ids(got)).as("the subscriber that reads").isEqualTo(all);
            assertThat(normal.client().isClosedByServer()).isFalse();

            Metrics.await(broker, "logcast_overflow_closes_total", 1, 10_000);

            // now read what the slow one was sent: a prefix of the events, maybe the overflow event, then the end
            RawHttp.Response head = slow.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
            byte[] rest = ChunkedBody.decode(slow.readToClose()).bytes();
            Metrics.await(broker, "logcast_subscribers", 1, 5_000);
            String body = gzip ? inflatePrefix(rest) : new String(rest, StandardCharsets.UTF_8);
            List<SseClient.Event> messages = SseText.messages(body);
            List<Long> slowIds = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                SseClient.Event e = messages.get(i);
                if ("overflow".equals(e.event())) {
                    assertThat(i).as("overflow is the last message").isEqualTo(messages.size() - 1);
                    String last = (String) Json.object(e.data()).get("last");
                    assertThat(Long.parseLong(last)).as("overflow's last: the last event the client was sent, "
                            + "what it resumes after").isEqualTo(slowIds.get(slowIds.size() - 1));
                } else {
                    slowIds.add(Received.of(e).id());
                }
            }
            assertThat(slowIds).as("the slow subscriber got a prefix, then was cut off")
                    .isNotEmpty().hasSizeLessThan(all.size()).isEqualTo(all.subList(0, slowIds.size()));

            long resumeFrom = slowIds.get(slowIds.size() - 1);
            try (Subscriber again = Subscriber.open(broker.port(), "",
                    Map.of("Last-Event-ID", Long.toString(resumeFrom)))) {
                assertThat(Subscriber.ids(again.eventsThrough(all.get(all.size() - 1), 30_000)))
                        .as("resumed from retention").isEqualTo(all.subList(slowIds.size(), all.size()));
            }
        }
    }

    /**
     * A client that overflows and reads what it was sent before the close gets {@code event: overflow} last, and its
     * {@code last} is the id of the last event it actually got: resuming after it loses nothing. The filter takes
     * every other event, so matching events do not lie side by side and each is written on its own.
     */
    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void overflowEventNamesTheLastEventTheClientWasSentSoResumingLosesNothing(boolean gzip) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "64KiB"));
             RawHttp slow = RawHttp.connect(broker.port(), 4096)) {
            slow.send("GET /v1/stream?branch=even HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + (gzip ? "Accept-Encoding: gzip\r\n" : "") + "\r\n");
            Metrics.await(broker, "logcast_subscribers", 1, 5_000);

            Publisher publisher = new Publisher(broker.port());
            Random random = new Random(2);
            List<Long> matching = new ArrayList<>();
            for (int b = 0; b < 1_000 && Metrics.value(broker, "logcast_overflow_closes_total") == 0; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < PER_BATCH; i++) {
                    batch.add(LogSpec.of(i % 2 == 0 ? "even" : "odd", "log", "info", "overflow-test",
                            "b" + b + " e" + i + " " + randomText(random, 400)));
                }
                var accepted = publisher.post(batch);
                for (int i = 0; i < PER_BATCH; i += 2) {
                    matching.add(accepted.id(i));
                }
            }
            assertThat(Metrics.value(broker, "logcast_overflow_closes_total")).as("overflowed").isEqualTo(1.0);

            // read at once, so the broker can get the overflow event out before it closes
            assertThat(slow.readHead().status()).isEqualTo(200);
            byte[] rest = ChunkedBody.decode(slow.readToClose()).bytes();
            List<SseClient.Event> messages = SseText.messages(gzip ? inflatePrefix(rest)
                    : new String(rest, StandardCharsets.UTF_8));
            assertThat(messages).isNotEmpty();
            SseClient.Event overflow = messages.get(messages.size() - 1);
            assertThat(overflow.event()).as("the last message").isEqualTo("overflow");
            List<Long> got = new ArrayList<>();
            for (SseClient.Event e : messages.subList(0, messages.size() - 1)) {
                got.add(Received.of(e).id());
            }
            assertThat(got).isNotEmpty().isEqualTo(matching.subList(0, got.size()));
            long last = Long.parseLong((String) Json.object(overflow.data()).get("last"));
            assertThat(last).as("overflow's last").isEqualTo(got.get(got.size() - 1));

            long newest = publisher.post(LogSpec.of("even", "log", "info", "overflow-test", "after the overflow"));
            matching.add(newest);
            try (Subscriber again = Subscriber.open(broker.port(), "branch=even",
                    Map.of("Last-Event-ID", Long.toString(last)))) {
                assertThat(Subscriber.ids(again.eventsThrough(newest, 20_000)))
                        .isEqualTo(matching.subList(got.size(), matching.size()));
            }
        }
    }

    /**
     * A client that reads, only too slowly (here 16 KiB/s while events come far faster), still gets
     * {@code event: overflow}: what the socket had not taken is dropped at the overflow (after the frame in
     * progress), so the event comes right after what the kernel already holds, and its {@code last} is the last
     * event the client got. Every frame it gets is whole, and resuming after {@code last} loses nothing.
     */
    @org.junit.jupiter.api.Test
    @Timeout(90)
    void aClientThatReadsSlowlyGetsTheOverflowEventAfterWholeFrames() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "64KiB"));
             RawHttp slow = RawHttp.connect(broker.port(), 4096)) {
            slow.send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(slow.readHead().status()).isEqualTo(200);
            Metrics.await(broker, "logcast_subscribers", 1, 5_000);
            var reading = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return slow.readToClose(16 * 1024);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });

            Publisher publisher = new Publisher(broker.port());
            Random random = new Random(4);
            List<Long> all = new ArrayList<>();
            for (int b = 0; b < 2_000 && Metrics.value(broker, "logcast_overflow_closes_total") == 0; b++) {
                List<LogSpec> batch = new ArrayList<>();
                for (int i = 0; i < PER_BATCH; i++) {
                    batch.add(LogSpec.of("main", "log", "info", "slow-reader", "b" + b + " e" + i + " "
                            + randomText(random, 400)));
                }
                var accepted = publisher.post(batch);
                for (int i = 0; i < PER_BATCH; i++) {
                    all.add(accepted.id(i));
                }
            }
            assertThat(Metrics.value(broker, "logcast_overflow_closes_total")).as("overflowed").isEqualTo(1.0);
            Metrics.await(broker, "logcast_subscribers", 0, 5_000);

            ChunkedBody.Decoded chunks = ChunkedBody.decode(reading.get(60, java.util.concurrent.TimeUnit.SECONDS));
            assertThat(chunks.ended()).as("whole chunks, then the last chunk").isTrue();
            String body = new String(chunks.bytes(), StandardCharsets.UTF_8);
            assertThat(body).as("whole frames to the end").endsWith("\n\n");
            List<SseClient.Event> messages = SseText.messages(body);
            SseClient.Event overflow = messages.get(messages.size() - 1);
            assertThat(overflow.event()).as("the last message").isEqualTo("overflow");
            List<Long> got = new ArrayList<>();
            for (SseClient.Event e : messages.subList(0, messages.size() - 1)) {
                got.add(Received.of(e).id());
            }
            assertThat(got).isNotEmpty().hasSizeLessThan(all.size()).isEqualTo(all.subList(0, got.size()));
            long last = Long.parseLong((String) Json.object(overflow.data()).get("last"));
            assertThat(last).as("overflow's last").isEqualTo(got.get(got.size() - 1));

            try (Subscriber again = Subscriber.open(broker.port(), "",
                    Map.of("Last-Event-ID", Long.toString(last)))) {
                assertThat(Subscriber.ids(again.eventsThrough(all.get(all.size() - 1), 30_000)))
                        .isEqualTo(all.subList(got.size(), all.size()));
            }
        }
    }

    /**
     * The cap is about a client falling behind, not about how much the broker chose to write at once: a subscriber
     * that reads everything at once must get a single POST whose events come to more than {@code stream.max.pending}
     * (the frames are shared with the retention ring, so writing them costs the broker no memory of its own).
     */
    @ParameterizedTest(name = "gzip={0}, filter={1}")
    @CsvSource({"false, ''", "true, ''", "false, branch=even", "true, branch=even"})
    @Timeout(30)
    void subscriberThatKeepsUpIsNotClosedByOneBatchLargerThanItsCap(boolean gzip, String filter) throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "64KiB"));
             Subscriber reader = Subscriber.open(broker.port(), filter,
                     gzip ? Map.of("Accept-Encoding", "gzip") : Map.of())) {
            Random random = new Random(3);
            List<LogSpec> batch = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                // with branch=even every other event matches: the matches are not side by side in the batch
                batch.add(LogSpec.of(i % 2 == 0 ? "even" : "odd", "log", "info", "bulk",
                        "bulk " + i + " " + randomText(random, 400)));
            }
            var accepted = new Publisher(broker.port()).post(batch);
            List<Long> expected = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (filter.isEmpty() || i % 2 == 0) {
                    expected.add(accepted.id(i));
                }
            }

            List<Received> got = reader.eventsThrough(expected.get(expected.size() - 1), 10_000);
            assertThat(Subscriber.ids(got)).isEqualTo(expected);
            assertThat(Metrics.value(broker, "logcast_overflow_closes_total")).isEqualTo(0.0);
        }
    }

    private static String randomText(Random random, int length) {
        byte[] bytes = new byte[length * 3 / 4];
        random.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Inflates as much of a gzip stream as arrived before the close. */
    private static String inflatePrefix(byte[] gz) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
            }
        } catch (IOException cutOff) {
            // the compressed stream ends where the broker closed it
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
