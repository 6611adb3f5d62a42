package dev.logcast.bench.load;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class SseSubscriberTest {

    private static final int NONCE = 0x1234;

    private static LoadConfig config() {
        return new LoadConfig(Target.LOGCAST, "127.0.0.1", 17070, "b1", 1, 1, 1, 0, 8, Duration.ofSeconds(1),
                Duration.ZERO, Duration.ofSeconds(1), 1000, 100, false, 0, null, 16);
    }

    private static String event(int nonce, long seq) {
        EventLayout layout = EventLayout.of("b1", 100, nonce, 0);
        byte[] bytes = layout.bytes.clone();
        EventLayout.putHex(bytes, layout.seqOffset, seq, EventLayout.SEQ_DIGITS);
        EventLayout.putHex(bytes, layout.timeOffset, 42, EventLayout.TIME_DIGITS);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** logcast-style stream: retry, comment, three events, an overflow notice, one event of another run. */
    private static String stream() {
        StringBuilder sse = new StringBuilder("retry: 3000\n: logcast\n\n");
        for (int seq = 0; seq < 3; seq++) {
            sse.append("id: 10").append(seq).append("\ndata: {\"id\":\"10").append(seq).append("\",")
                    .append(event(NONCE, seq).substring(1)).append("\n\n");
        }
        sse.append(": heartbeat\n\n");
        sse.append("event: overflow\ndata: {}\n\n");
        sse.append("data: ").append(event(NONCE + 1, 7)).append("\n\n");
        // a payload with a digit that is not lower-case hex: malformed, not delivered
        sse.append("data: ").append(event(NONCE, 3).replace("~L1234", "~L12G4")).append("\n\n");
        return sse.toString();
    }

    private static byte[] chunked(String body, int chunkBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i += chunkBytes) {
            int n = Math.min(chunkBytes, bytes.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    static Stream<Arguments> framings() {
        return Stream.of(
                Arguments.of(false, 1), Arguments.of(true, 1),
                Arguments.of(false, 13), Arguments.of(true, 13),
                Arguments.of(false, 1 << 20), Arguments.of(true, 1 << 20));
    }

    @ParameterizedTest(name = "chunked={0}, {1} bytes a read")
    @MethodSource("framings")
    void findsEveryPayloadHoweverTheStreamIsSplit(boolean chunkedEncoding, int bytesPerRead) throws Exception {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                + (chunkedEncoding ? "Transfer-Encoding: chunked\r\n" : "") + "\r\n";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(chunkedEncoding ? chunked(stream(), 7) : stream().getBytes(StandardCharsets.US_ASCII));

        EmbeddedChannel channel = new EmbeddedChannel();
        Subscribers subscribers = new Subscribers(config(), channel.eventLoop(), Transport.NIO, NONCE);
        SubscriberState state = new SubscriberState(0, 1);
        channel.pipeline().addLast(new SseSubscriber(subscribers, state));
        byte[] bytes = wire.toByteArray();
        for (int i = 0; i < bytes.length; i += bytesPerRead) {
            int n = Math.min(bytesPerRead, bytes.length - i);
            channel.writeInbound(PooledByteBufAllocator.DEFAULT.directBuffer(n).writeBytes(bytes, i, n));
        }

        AckedEvents acked = new AckedEvents(1);
        acked.add(0, 0, 3);
        var result = subscribers.finish(acked);
        channel.runPendingTasks();
        SubscribeResult r = result.get();
        assertThat(r.delivered()).isEqualTo(3);
        assertThat(r.lost()).isZero();
        assertThat(r.duplicated()).isZero();
        assertThat(r.foreign()).isEqualTo(1);
        assertThat(r.overflows()).isEqualTo(1);
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(new String(state.lastId, 0, state.lastIdLength, StandardCharsets.US_ASCII)).isEqualTo("102");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest(name = "cut after {0} bytes of the second event")
    @ValueSource(ints = {0, 4, 8, 9, 30})
    void theLastEventIdIsTheLastDispatchedEventsNotOneWhoseDataWasCutOff(int cut) {
        String second = "id: 102\ndata: {\"id\":\"102\"," + event(NONCE, 1).substring(1) + "\n\n";
        String wire = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n"
                + "id: 101\ndata: {\"id\":\"101\"," + event(NONCE, 0).substring(1) + "\n\n"
                + second.substring(0, cut);
        EmbeddedChannel channel = new EmbeddedChannel();
        Subscribers subscribers = new Subscribers(config(), channel.eventLoop(), Transport.NIO, NONCE);
        SubscriberState state = new SubscriberState(0, 1);
        channel.pipeline().addLast(new SseSubscriber(subscribers, state));
        channel.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.US_ASCII));
        assertThat(new String(state.lastId, 0, state.lastIdLength, StandardCharsets.US_ASCII)).isEqualTo("101");
        channel.writeInbound(Unpooled.copiedBuffer(second.substring(cut), StandardCharsets.US_ASCII));
        assertThat(new String(state.lastId, 0, state.lastIdLength, StandardCharsets.US_ASCII)).isEqualTo("102");
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 503})
    void aRefusedSubscriptionIsCountedAndClosed(int status) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        Subscribers subscribers = new Subscribers(config(), channel.eventLoop(), Transport.NIO, NONCE);
        channel.pipeline().addLast(new SseSubscriber(subscribers, new SubscriberState(0, 1)));
        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 " + status + " No\r\nContent-Length: 0\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(channel.isOpen()).isFalse();
        var result = subscribers.finish(null);
        channel.runPendingTasks();
        assertThat(result.get().firstError()).contains(Integer.toString(status));
        assertThatCode(channel::finishAndReleaseAll).doesNotThrowAnyException();
    }
}
