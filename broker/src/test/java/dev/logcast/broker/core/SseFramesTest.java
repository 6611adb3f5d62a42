package dev.logcast.broker.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SseFramesTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);
    private static final LogEvent EVENT = new LogEvent(1_795_557_600_123L, Level.WARN, "api", "checkout-svc", "main",
            "order placed", new String[] {"orderId", "ms"}, new Object[] {"42", 17L});

    @Test
    void eventFrameIsIdThenOneDataLineThenABlankLine() {
        EventRecord record = encode(7, EVENT);

        String frame = text(record.frame());
        int frameBytes = record.frameBytes();
        int readable = record.frame().readableBytes();
        release(record);
        assertThat(frame).isEqualTo("id: 7\ndata: {\"id\":\"7\",\"ts\":\"2026-11-24T22:00:00.123Z\","
                + "\"level\":\"warn\",\"type\":\"api\",\"source\":\"checkout-svc\",\"branch\":\"main\","
                + "\"msg\":\"order placed\",\"attrs\":{\"orderId\":\"42\",\"ms\":17}}\n\n");
        assertThat(frameBytes).isEqualTo(readable).isEqualTo(frame.length());
    }

    @Test
    void jsonViewIsTheWholeEventObject() {
        EventRecord record = encode(7, EVENT);

        ByteBuf json = record.retainedJson();
        String text = text(json);
        json.release();
        int refCnt = record.refCnt();
        release(record);

        assertThat(text).isEqualTo(new String(EventJson.encode(7, EVENT), StandardCharsets.UTF_8));
        assertThat(refCnt).as("the frame's own reference is left").isEqualTo(1);
    }

    static Stream<Arguments> ids() {
        return Stream.of(Arguments.of(0L, "0"), Arguments.of(1_795_557_608_916_196L, "1795557608916196"),
                Arguments.of(Long.MAX_VALUE, "9223372036854775807"), Arguments.of(-1L, "18446744073709551615"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("ids")
    void idIsUnsignedDecimalOnBothLines(long id, String text) {
        EventRecord record = encode(id, EVENT);
        String frame = text(record.frame());
        release(record);

        assertThat(frame).startsWith("id: " + text + "\ndata: {\"id\":\"" + text + "\",\"ts\":");
        assertThat(record.id()).isEqualTo(id);
    }

    static Stream<String> hostileMessages() {
        return Stream.of("line one\nline two", "carriage\rreturn", "crlf\r\nid: 999\r\n\r\n", "data: fake\n\n",
                "nul\u0000byte", "\u2028\u2029", "event: gap\n", "trailing newline\n");
    }

    /** WHATWG HTML §9.2: a data line ends at CR, LF or CRLF; none may appear inside the event's one data line. */
    @ParameterizedTest(name = "{index}")
    @MethodSource("hostileMessages")
    void msgCannotBreakTheFraming(String msg) {
        LogEvent event = new LogEvent(0, Level.INFO, "log", "s", "b", msg, new String[] {msg}, new Object[] {msg});
        EventRecord record = encode(3, event);

        String frame = text(record.frame());
        release(record);

        String[] lines = frame.split("\r\n|\r|\n", -1);
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).isEqualTo("id: 3");
        assertThat(lines[1]).startsWith("data: {\"id\":\"3\",");
        assertThat(lines[2]).isEmpty();
        assertThat(lines[3]).isEmpty();
        assertThat(frame).doesNotContain("\u0000");
    }

    @Test
    void gapFrameNamesTheLostRange() {
        assertThat(textAndRelease(SseFrames.gap(ALLOC, 5, 9)))
                .isEqualTo("event: gap\ndata: {\"from\":\"5\",\"to\":\"9\"}\n\n");
    }

    @Test
    void gapIdsAreUnsigned() {
        assertThat(textAndRelease(SseFrames.gap(ALLOC, Long.MIN_VALUE, -1L))).isEqualTo(
                "event: gap\ndata: {\"from\":\"9223372036854775808\",\"to\":\"18446744073709551615\"}\n\n");
    }

    @Test
    void overflowFrameSaysTheLastIdAndTheCap() {
        assertThat(textAndRelease(SseFrames.overflow(ALLOC, 42, 4 << 20)))
                .isEqualTo("event: overflow\ndata: {\"last\":\"42\",\"cap\":4194304}\n\n");
    }

    @Test
    void preambleIsRetryAndAComment() {
        assertThat(textAndRelease(SseFrames.preamble(ALLOC, 3_000))).isEqualTo("retry: 3000\n: logcast\n\n");
    }

    @Test
    void heartbeatAndShutdownAreCommentsThatSurviveRelease() {
        ByteBuf heartbeat = SseFrames.HEARTBEAT.duplicate();
        ByteBuf shutdown = SseFrames.SHUTDOWN.duplicate();

        assertThat(text(heartbeat)).isEqualTo(":\n\n");
        assertThat(text(shutdown)).isEqualTo(": shutdown\n\n");
        heartbeat.release();
        shutdown.release();
        assertThat(text(SseFrames.HEARTBEAT.duplicate())).isEqualTo(":\n\n");
        assertThat(SseFrames.HEARTBEAT.isWritable()).isFalse();
    }

    private static EventRecord encode(long id, LogEvent event) {
        return SseFrames.encode(ALLOC, id, event, EventJson.encodeTail(event), 0);
    }

    private static void release(EventRecord record) {
        assertThat(record.release()).as("last reference released").isTrue();
    }

    private static String textAndRelease(ByteBuf buf) {
        try {
            return text(buf);
        } finally {
            buf.release();
        }
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void idsAreWrittenAsUnsignedDecimalsAtEveryLength() {
        java.util.List<Long> ids = new java.util.ArrayList<>(java.util.List.of(0L, 1L, 9L, 10L, 99L, 100L,
                Long.MAX_VALUE, Long.MIN_VALUE, -8_446_744_073_709_551_617L, -8_446_744_073_709_551_616L, -1L));
        long p = 1;
        for (int i = 0; i < 18; i++) {
            p *= 10;
            ids.add(p - 1);
            ids.add(p);
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 10_000; i++) {
            ids.add(random.nextLong() >>> random.nextInt(64));
        }
        byte[] out = new byte[24];
        for (long id : ids) {
            String expected = Long.toUnsignedString(id);
            int n = SseFrames.writeDecimal(out, 2, id);
            assertThat(new String(out, 2, n, StandardCharsets.US_ASCII)).as("%s", expected).isEqualTo(expected);
            assertThat(SseFrames.decimalLength(id)).isEqualTo(expected.length());
        }
        EventRecord big = encode(-1L, EVENT);
        String frame = text(big.frame());
        release(big);
        assertThat(frame).startsWith("id: 18446744073709551615\ndata: {\"id\":\"18446744073709551615\",\"ts\":");
    }

    @Test
    void runsOfIdsAcrossEveryLengthAndJumpsBetweenThemGetTheirOwnDigits() {
        java.util.List<Long> ids = new java.util.ArrayList<>();
        long p = 1;
        for (int i = 0; i < 18; i++) {
            p *= 10;
            for (long id = p - 3; id <= p + 2; id++) {
                ids.add(id);
            }
            ids.add(p / 2);
        }
        for (long id = 1; id <= 1200; id++) {
            ids.add(id);
        }
        ids.add(-2L);
        ids.add(-1L);
        ids.add(0L);
        ids.add(1L);
        for (long id : ids) {
            EventRecord record = encode(id, EVENT);
            String frame = text(record.frame());
            release(record);
            String digits = Long.toUnsignedString(id);
            assertThat(frame).as("%s", digits)
                    .startsWith("id: " + digits + "\ndata: {\"id\":\"" + digits + "\",\"ts\":");
        }
    }
}
