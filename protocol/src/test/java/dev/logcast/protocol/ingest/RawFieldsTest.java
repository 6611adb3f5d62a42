package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The reader's byte-level shortcuts, on every kind of buffer a body arrives in: a msg without escapes is taken from
 * the body as it is ({@link LogEvent#jsonSafeMsgUtf8()}), a level and a repeated type, source or branch are matched
 * on the body's bytes; whatever the shortcut cannot take goes the way of jackson's decoded text, with the same result.
 */
class RawFieldsTest {
    private static final long NOW = 1_764_000_000_000L;

    private static List<LogEvent> ndjson(String body, Bodies.Kind kind, EventLimits limits) throws IngestException {
        return Bodies.decode(Bodies.utf8(body), kind, b -> NativeDecoder.decodeNdjson(b, limits, NOW));
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void plainEscapedAndNonAsciiMessagesDecodeToTheirTextAndOnlyPlainOnesKeepTheirBytes(Bodies.Kind kind)
            throws Exception {
        String body = """
                {"level":"info","type":"log","source":"svc","branch":"main","msg":"plain text, 'quotes' / slash \u00e9 \u2028 \u007f"}
                {"level":"INFO","type":"log","source":"svc","branch":"main","msg":"caf\u00e9 \uD83D\uDE00 \u2028 \u007f"}
                {"level":"Warn","type":"lo\\u0067","source":"svc","branch":"ma\\u0069n","msg":"tab\\there \\"q\\" \\\\ \\ud83d\\ude00"}
                {"level":"\\u0065rror","type":"log","source":"svc","branch":"main","msg":""}
                {"msg":"no other member","level":"fatal"}
                {"level":"\u0131nfo","source":"svc2","msg":"\\/"}
                """;
        List<LogEvent> events = ndjson(body, kind, EventLimits.DEFAULTS);

        assertThat(events).extracting(LogEvent::msg).containsExactly("plain text, 'quotes' / slash \u00e9 \u2028 \u007f",
                "caf\u00e9 \uD83D\uDE00 \u2028 \u007f", "tab\there \"q\" \\ \uD83D\uDE00", "", "no other member", "/");
        assertThat(events).extracting(LogEvent::level).containsExactly(Level.INFO, Level.INFO, Level.WARN,
                Level.ERROR, Level.FATAL, Level.INFO);
        assertThat(events).extracting(LogEvent::type).containsOnly("log");
        assertThat(events).extracting(LogEvent::branch).containsOnly("main");
        assertThat(events).extracting(LogEvent::source).containsExactly("svc", "svc", "svc", "svc", "unknown", "svc2");
        assertThat(events.get(0).jsonSafeMsgUtf8()).isEqualTo(Bodies.utf8(events.get(0).msg()));
        assertThat(events.get(1).jsonSafeMsgUtf8()).as("a msg with a character outside the BMP is decoded").isNull();
        assertThat(events.get(2).jsonSafeMsgUtf8()).as("a msg with escapes is decoded").isNull();
        assertThat(events.get(3).jsonSafeMsgUtf8()).isEmpty();
        assertThat(events.get(5).jsonSafeMsgUtf8()).isNull();
        for (LogEvent e : events) {
            LogEvent asString = new LogEvent(e.tsMillis(), e.level(), e.type(), e.source(), e.branch(), e.msg(), null,
                    null);
            assertThat(EventJson.encodeTail(e)).as("%s", e).isEqualTo(EventJson.encodeTail(asString));
        }
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void aByteOrderMarkBeforeTheBodyLeavesEveryFieldWhereItIs(Bodies.Kind kind) throws Exception {
        List<LogEvent> events = ndjson("\uFEFF{\"level\":\"debug\",\"type\":\"api\",\"msg\":\"after the mark\"}\n"
                + "{\"type\":\"api\",\"msg\":\"x\"}\n", kind, EventLimits.DEFAULTS);

        assertThat(events).extracting(LogEvent::msg).containsExactly("after the mark", "x");
        assertThat(events).extracting(LogEvent::type).containsExactly("api", "api");
        assertThat(events.get(0).level()).isEqualTo(Level.DEBUG);
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void aRawControlCharacterInAMsgFailsTheBatchAsMalformed(Bodies.Kind kind) {
        IngestException e = catchThrowableOfType(IngestException.class, () -> ndjson(
                "{\"msg\":\"fine\"}\n{\"msg\":\"line\u0001break\"}\n", kind, EventLimits.DEFAULTS));

        assertThat(e.status()).isEqualTo(400);
        assertThat(e.getMessage()).contains("event 1").contains("malformed JSON");
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void aMsgAtTheLimitPassesAndOneByteMoreIsTooLarge(Bodies.Kind kind) throws Exception {
        EventLimits limits = new EventLimits(1 << 20, 100, 10, 8, 16, 16);
        assertThat(ndjson("{\"msg\":\"0123456789\"}", kind, limits).get(0).msg()).isEqualTo("0123456789");
        assertThat(ndjson("{\"msg\":\"01234567\u00e9\"}", kind, limits).get(0).msg()).isEqualTo("01234567\u00e9");

        for (String msg : new String[] {"0123456789a", "012345678\u00e9", "\\u0030123456789a"}) {
            IngestException e = catchThrowableOfType(IngestException.class,
                    () -> ndjson("{\"msg\":\"" + msg + "\"}", kind, limits));
            assertThat(e.status()).as(msg).isEqualTo(413);
            assertThat(e.getMessage()).as(msg).contains("11 bytes is over the limit of 10 bytes");
        }
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void longMessagesOfEveryLengthAroundAWordAreTakenWhole(Bodies.Kind kind) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int n = 0; n < 40; n++) {
            body.append("{\"msg\":\"").append("x".repeat(n)).append(n % 3 == 0 ? "\\\"" : "").append("\"}\n");
        }
        List<LogEvent> events = ndjson(body.toString(), kind, EventLimits.DEFAULTS);
        for (int n = 0; n < 40; n++) {
            String expected = "x".repeat(n) + (n % 3 == 0 ? "\"" : "");
            assertThat(events.get(n).msg()).isEqualTo(expected);
            assertThat(events.get(n).jsonSafeMsgUtf8())
                    .isEqualTo(n % 3 == 0 ? null : expected.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * A body without an array of its own is copied into a buffer the thread reuses: what the events of one request
     * hold must not change when the next request (smaller, larger, over what the thread keeps) is read into it.
     */
    @ParameterizedTest
    @EnumSource(value = Bodies.Kind.class, names = {"DIRECT", "COMPOSITE"})
    void eventsKeepTheirMessagesWhenTheThreadReadsTheNextBodies(Bodies.Kind kind) throws Exception {
        List<LogEvent> first = ndjson("{\"msg\":\"first request's message\"}\n", kind, EventLimits.DEFAULTS);
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            big.append("{\"msg\":\"").append("y".repeat(90)).append(i).append("\"}\n");
        }
        List<LogEvent> second = ndjson(big.toString(), kind, EventLimits.DEFAULTS);
        List<LogEvent> third = ndjson("{\"msg\":\"zz\"}\n", kind, EventLimits.DEFAULTS);

        assertThat(first.get(0).msg()).isEqualTo("first request's message");
        assertThat(new String(first.get(0).jsonSafeMsgUtf8(), StandardCharsets.UTF_8))
                .isEqualTo("first request's message");
        assertThat(second).hasSize(5_000);
        for (int i = 0; i < second.size(); i++) {
            assertThat(second.get(i).msg()).isEqualTo("y".repeat(90) + i);
        }
        assertThat(third.get(0).msg()).isEqualTo("zz");
    }
}
