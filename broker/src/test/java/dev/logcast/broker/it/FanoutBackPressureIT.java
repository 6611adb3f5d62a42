package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.it.streamsupport.Metrics;
import dev.logcast.broker.it.streamsupport.RawHttp;
import dev.logcast.broker.testing.BrokerFixture;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When most subscribers cannot keep up, the broker sheds ingest with 503 and {@code Retry-After} instead of taking
 * events every stream would lose to overflows; when they go away (or catch up), ingest is taken again. One stuck
 * subscriber among many never does that (FanoutSlowConsumerIT: it overflows alone).
 */
class FanoutBackPressureIT {
    /** Enough on every I/O loop (connections are spread over them) to be a quarter and at least CONGESTED_MIN. */
    private static final int STUCK = 24;

    @Test
    @Timeout(90)
    void manyStuckSubscribersShedIngestUntilTheyAreGone() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "16MiB"))) {
            List<RawHttp> stuck = new ArrayList<>();
            try {
                openStuck(broker, stuck);

                Random random = new Random(3);
                HttpResponse<String> shed = null;
                long accepted = 0;
                for (int i = 0; i < 5_000 && shed == null; i++) {
                    HttpResponse<String> r = broker.post("application/x-ndjson", batch(random, i));
                    if (r.statusCode() == 202) {
                        accepted += 50;
                    } else {
                        shed = r;
                    }
                }
                assertThat(shed).as("ingest was shed once the stuck subscribers held it back").isNotNull();
                assertThat(shed.statusCode()).isEqualTo(503);
                assertThat(shed.headers().firstValue("Retry-After")).isPresent();
                assertThat(shed.body()).contains("overloaded");
                assertThat(accepted).as("what was taken before").isGreaterThan(0);
                assertThat(Metrics.value(broker, "logcast_overflow_closes_total")).as("nobody was cut").isZero();
            } finally {
                for (RawHttp c : stuck) {
                    c.socket().close();
                }
            }

            // they are gone: ingest is taken again
            Metrics.await(broker, "logcast_subscribers", 0, 10_000);
            long deadline = System.nanoTime() + 10_000_000_000L;
            int status;
            do {
                status = broker.post("application/json", "{\"msg\":\"after\"}").statusCode();
                if (status != 202) {
                    Thread.sleep(50);
                }
            } while (status != 202 && System.nanoTime() < deadline);
            assertThat(status).isEqualTo(202);
        }
    }

    /**
     * Readers can never stop the writers for long: subscribers that stay stuck shed ingest only until the shard's
     * progress check finds they took nothing (within about 4 s), then ingest is taken again and the stuck ones
     * overflow at their cap.
     */
    @Test
    @Timeout(90)
    void stuckSubscribersShedIngestOnlyBrieflyThenOverflow() throws Exception {
        try (BrokerFixture broker = BrokerFixture.start(Map.of("stream.max.pending", "1MiB"))) {
            List<RawHttp> stuck = new ArrayList<>();
            try {
                openStuck(broker, stuck);

                Random random = new Random(4);
                long firstShedNanos = 0;
                long acceptedAfterShed = 0;
                long shedMillis = -1;
                long deadline = System.nanoTime() + 40_000_000_000L;
                for (int i = 0; System.nanoTime() < deadline
                        && Metrics.value(broker, "logcast_overflow_closes_total") < STUCK; i++) {
                    HttpResponse<String> r = broker.post("application/x-ndjson", batch(random, i));
                    if (r.statusCode() == 202) {
                        if (firstShedNanos != 0) {
                            if (acceptedAfterShed++ == 0) {
                                shedMillis = (System.nanoTime() - firstShedNanos) / 1_000_000;
                            }
                        }
                    } else {
                        assertThat(r.statusCode()).isEqualTo(503);
                        if (firstShedNanos == 0) {
                            firstShedNanos = System.nanoTime();
                        }
                        Thread.sleep(20);
                    }
                }
                assertThat(firstShedNanos).as("ingest was shed for a while").isNotZero();
                assertThat(acceptedAfterShed).as("and taken again while the stuck subscribers were still there")
                        .isGreaterThan(0);
                assertThat(shedMillis).as("ms from the first 503 to the next 202 (a progress check or two)")
                        .isLessThan(10_000);
                assertThat(Metrics.value(broker, "logcast_overflow_closes_total")).as("they overflowed")
                        .isEqualTo(STUCK);
            } finally {
                for (RawHttp c : stuck) {
                    c.socket().close();
                }
            }
        }
    }

    /** {@link #STUCK} streams with small receive buffers that never read a byte, into {@code stuck}. */
    private static void openStuck(BrokerFixture broker, List<RawHttp> stuck) throws Exception {
        for (int i = 0; i < STUCK; i++) {
            RawHttp c = RawHttp.connect(broker.port(), 4096);
            stuck.add(c);
            c.send("GET /v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
        }
        Metrics.await(broker, "logcast_subscribers", STUCK, 5_000);
    }

    private static String batch(Random random, int n) {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 400; k++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
            body.append("{\"msg\":\"b").append(n).append(' ').append(text).append("\"}\n");
        }
        return body.toString();
    }
}
