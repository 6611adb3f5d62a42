package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Json;
import dev.logcast.broker.it.streamsupport.LogSpec;
import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.it.streamsupport.Poller;
import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.it.streamsupport.Received;
import dev.logcast.broker.it.streamsupport.Subscriber;
import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Graceful shutdown, as SIGTERM runs it ({@code Broker.shutdown()}): streams get a final comment and then the end
 * of the stream, a POST whose body arrives gets its answer (202, or 503 with Retry-After, never a dropped
 * connection), waiting polls are answered, and it all ends within {@code shutdown.grace}.
 */
class ShutdownIT {
    private static final long GRACE_MS = 4_000;
    private static final Map<String, String> CONFIG = Map.of("shutdown.grace", GRACE_MS + "ms");

    @Test
    @Timeout(20)
    void shutdownSendsEachStreamAFinalCommentThenEndsIt() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(CONFIG);
             Subscriber plain = Subscriber.open(broker.port(), "");
             Subscriber gzip = Subscriber.open(broker.port(), "branch=x", Map.of("Accept-Encoding", "gzip"))) {
            for (Subscriber s : List.of(plain, gzip)) {
                assertThat(s.client().next(2, TimeUnit.SECONDS)).as("preamble").isNotNull();
            }

            long took = timeShutdown(broker);

            for (Subscriber s : List.of(plain, gzip)) {
                SseClient.Event last = s.client().next(2, TimeUnit.SECONDS);
                assertThat(last).as("final comment").isNotNull();
                assertThat(last.isComment()).as("%s", last).isTrue();
                awaitClosed(s.client());
                assertThat(s.client().next(100, TimeUnit.MILLISECONDS)).as("after the final comment").isNull();
            }
            assertThat(took).as("shutdown ms").isLessThan(GRACE_MS);
        }
    }

    @Test
    @Timeout(30)
    void postsWhoseBodiesArriveDuringShutdownAreAnsweredAndAcceptedEventsReachTheStream() throws Exception {
        int clients = 16;
        try (BrokerFixture broker = BrokerFixture.start(CONFIG);
             Subscriber stream = Subscriber.open(broker.port(), "")) {
            List<RawHttp> posts = new ArrayList<>();
            List<byte[]> bodies = new ArrayList<>();
            try {
                for (int c = 0; c < clients; c++) {
                    List<Object> events = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        events.add(LogSpec.of("main", "log", "info", "inflight", "client " + c + " event " + i)
                                .toJson());
                    }
                    byte[] body = Json.write(events).getBytes(StandardCharsets.UTF_8);
                    RawHttp post = RawHttp.connect(broker.port());
                    post.send(RawHttp.postHead("application/json", body.length));
                    post.send(Arrays.copyOf(body, body.length - 10));
                    posts.add(post);
                    bodies.add(body);
                }
                // every request has begun arriving (the broker holds all the connections) before shutdown starts
                awaitAtLeast(broker, "logcast_connections", clients + 1);

                CompletableFuture<Long> shutdown = CompletableFuture.supplyAsync(() -> timeShutdown(broker));
                for (int c = 0; c < clients; c++) {
                    byte[] body = bodies.get(c);
                    posts.get(c).send(Arrays.copyOfRange(body, body.length - 10, body.length));
                }

                List<Long> acceptedIds = new ArrayList<>();
                int shed = 0;
                for (int c = 0; c < clients; c++) {
                    RawHttp.Response r;
                    try {
                        r = posts.get(c).readResponse();
                    } catch (IOException e) {
                        throw new AssertionError("POST " + c + ", whose body had fully arrived, got no answer", e);
                    }
                    if (r.status() == 202) {
                        Map<String, Object> a = Json.object(r.body());
                        assertThat(a.get("accepted")).isEqualTo(20L);
                        long first = Long.parseLong((String) a.get("first"));
                        for (long id = first; id < first + 20; id++) {
                            acceptedIds.add(id);
                        }
                    } else {
                        assertThat(r.status()).as("POST %s: %s", c, r.body()).isEqualTo(503);
                        assertThat(r.header("retry-after")).as("Retry-After on the 503").isNotNull();
                        shed++;
                    }
                }
                assertThat(shutdown.get(GRACE_MS + 5_000, TimeUnit.MILLISECONDS)).as("shutdown ms")
                        .isLessThan(GRACE_MS);
                assertThat(acceptedIds.size() / 20 + shed).isEqualTo(clients);
                assertThat(shed).as("POSTs that began to arrive before the shutdown are finished, not shed").isZero();

                // what got a 202 was sequenced, and the open stream got it before its final comment
                List<Long> streamed = new ArrayList<>();
                SseClient.Event e;
                SseClient.Event lastSeen = null;
                while ((e = stream.client().next(500, TimeUnit.MILLISECONDS)) != null) {
                    lastSeen = e;
                    if (!e.isComment()) {
                        streamed.add(Received.of(e).id());
                    }
                }
                acceptedIds.sort(null);
                assertThat(streamed).isEqualTo(acceptedIds);
                assertThat(lastSeen).isNotNull();
                assertThat(lastSeen.isComment()).as("the stream ends with a comment: %s", lastSeen).isTrue();
                assertThat(stream.client().isClosedByServer()).isTrue();
            } finally {
                for (RawHttp p : posts) {
                    p.close();
                }
            }
        }
    }

    @Test
    @Timeout(30)
    void largePostArrivingSlowlyAcrossTheStartOfShutdownIsAnsweredWithinTheGrace() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(CONFIG);
             RawHttp post = RawHttp.connect(broker.port())) {
            List<Object> events = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                events.add(LogSpec.of("main", "log", "info", "slow-post", "event " + i + " " + "y".repeat(300))
                        .toJson());
            }
            byte[] body = Json.write(events).getBytes(StandardCharsets.UTF_8);
            assertThat(body.length).isGreaterThan(1_500_000);
            post.send(RawHttp.postHead("application/json", body.length));
            int chunk = 64 * 1024;
            post.send(Arrays.copyOf(body, chunk));
            awaitAtLeast(broker, "logcast_connections", 2);

            CompletableFuture<Long> shutdown = CompletableFuture.supplyAsync(() -> timeShutdown(broker));
            for (int at = chunk; at < body.length; at += chunk) {
                Thread.sleep(20); // a slow sender: the body keeps arriving for about half a second into shutdown
                post.send(Arrays.copyOfRange(body, at, Math.min(body.length, at + chunk)));
            }

            RawHttp.Response r;
            try {
                r = post.readResponse();
            } catch (IOException e) {
                throw new AssertionError("the POST, whose body had fully arrived, got no answer", e);
            }
            assertThat(r.status()).as("begun before the shutdown, so finished: %s", r.body()).isEqualTo(202);
            assertThat(Json.object(r.body()).get("accepted")).isEqualTo(5_000L);
            assertThat(shutdown.get(GRACE_MS + 5_000, TimeUnit.MILLISECONDS)).as("shutdown ms").isLessThan(GRACE_MS);
        }
    }

    @Test
    @Timeout(20)
    void waitingPollIsAnsweredWhenShutdownBegins() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(CONFIG)) {
            Poller poller = new Poller(broker.port());
            CompletableFuture<Poller.Answer> waiting = CompletableFuture.supplyAsync(() -> poller.poll("wait=30"));
            Metrics.await(broker, "logcast_poll_waiters", 1, 5_000);

            long took = timeShutdown(broker);

            Poller.Answer a = waiting.get(1, TimeUnit.SECONDS);
            assertThat(a.events()).isEmpty();
            assertThat(a.elapsedMs()).as("the poll did not wait its 30 s").isLessThan(GRACE_MS + 1_000);
            assertThat(took).as("shutdown ms").isLessThan(GRACE_MS);
        }
    }

    /** Runs the shutdown SIGTERM runs and returns how long it took, in ms. */
    private static long timeShutdown(BrokerFixture broker) {
        long start = System.nanoTime();
        broker.broker().shutdown();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static void awaitClosed(SseClient client) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!client.isClosedByServer()) {
            assertThat(System.nanoTime()).as("stream closed by the broker within 5 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void awaitAtLeast(BrokerFixture broker, String series, double atLeast) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        double v;
        while (!((v = Metrics.value(broker, series)) >= atLeast)) {
            assertThat(System.nanoTime()).as("%s reaches %s (is %s)", series, atLeast, v).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
