package dev.logcast.broker.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The connection's clocks, driven by the embedded loop's frozen time: no sleeps. */
class HttpDeadlineHandlerTest {
    private static final long REQUEST_MS = 2_000;
    private static final long IDLE_MS = 5_000;

    private final InflightTracker tracker = new InflightTracker();
    private final HttpDeadlineHandler deadline = new HttpDeadlineHandler(REQUEST_MS, IDLE_MS, tracker);
    private EmbeddedChannel channel;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(deadline);
    }

    @Test
    void idleConnectionIsClosedWhenTheIdleTimeoutPasses() {
        advance(IDLE_MS - 1);
        assertThat(channel.isOpen()).isTrue();

        advance(1);

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void firstByteOfARequestStartsTheRequestDeadline() {
        advance(IDLE_MS - 100);
        receive("P");

        advance(REQUEST_MS - 1);
        assertThat(channel.isOpen()).isTrue();
        advance(1);

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bytesTrickledInDoNotExtendTheRequestDeadline() {
        receive("P");
        for (int i = 0; i < 6; i++) {
            advance(300);
            receive("O");
        }
        assertThat(channel.isOpen()).isTrue();

        advance(REQUEST_MS - 6 * 300);

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void emptyReadDoesNotStartARequest() {
        receive("");

        advance(IDLE_MS - 1);

        assertThat(channel.isOpen()).isTrue();
        assertThat(tracker.inflight()).isZero();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void busyConnectionOutlivesBothTimeouts() {
        receive("GET / HTTP/1.1\r\n\r\n");
        deadline.busy();

        advance(10 * IDLE_MS);

        assertThat(channel.isOpen()).isTrue();
        assertThat(tracker.inflight()).isEqualTo(1);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bytesOfAPipelinedRequestWhileBusyStartNoDeadline() {
        receive("GET / HTTP/1.1\r\n\r\n");
        deadline.busy();
        receive("GET /next");

        advance(10 * IDLE_MS);

        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void answeredConnectionWaitsTheIdleTimeoutNotTheRequestTimeout() {
        receive("GET / HTTP/1.1\r\n\r\n");
        deadline.busy();
        deadline.idle();

        advance(REQUEST_MS);
        assertThat(channel.isOpen()).isTrue();
        advance(IDLE_MS - REQUEST_MS);

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void nextRequestGetsAFreshRequestDeadline() {
        receive("GET / HTTP/1.1\r\n\r\n");
        deadline.busy();
        deadline.idle();
        advance(IDLE_MS - 1);

        receive("G");
        advance(REQUEST_MS - 1);
        assertThat(channel.isOpen()).as("the idle timer was cancelled").isTrue();
        advance(1);

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void inflightCountsARequestFromItsFirstByteUntilItsAnswer() {
        assertThat(tracker.inflight()).isZero();
        receive("G");
        assertThat(tracker.inflight()).isEqualTo(1);
        receive("ET / HTTP/1.1\r\n\r\n");
        deadline.busy();
        assertThat(tracker.inflight()).isEqualTo(1);

        deadline.idle();

        assertThat(tracker.inflight()).isZero();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void closingMidRequestEndsTheInflightCount() {
        receive("GE");

        channel.close();

        assertThat(tracker.inflight()).isZero();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void removingTheHandlerStopsItsClocksAndEndsTheCount() {
        receive("GET /v1/stream HTTP/1.1\r\n\r\n");

        channel.pipeline().remove(deadline);
        advance(10 * IDLE_MS);

        assertThat(channel.isOpen()).isTrue();
        assertThat(tracker.inflight()).isZero();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void bytesArePassedOnUntouched() {
        channel.writeInbound(Unpooled.copiedBuffer("GET", java.nio.charset.StandardCharsets.US_ASCII));

        ByteBuf passed = channel.readInbound();

        assertThat(passed.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("GET");
        passed.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    private void receive(String ascii) {
        channel.writeInbound(Unpooled.copiedBuffer(ascii, java.nio.charset.StandardCharsets.US_ASCII));
        Object passed;
        while ((passed = channel.readInbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(passed);
        }
    }

    private void advance(long ms) {
        channel.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }
}
