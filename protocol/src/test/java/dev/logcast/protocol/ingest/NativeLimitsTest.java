package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.LogEvent;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each limit at its edge (accepted) and one past it (413, with the event's index). */
class NativeLimitsTest {
    /** body 200 bytes, 3 events, msg 10 bytes, 2 attrs, keys of 4 characters, values of 8 bytes. */
    static final EventLimits SMALL = new EventLimits(200, 3, 10, 2, 4, 8);
    static final String EMOJI = "\ud83d\ude00";

    static Stream<Arguments> atTheEdge() {
        return Stream.of(
                arguments("3 events", "[{},{},{}]"),
                arguments("msg of 10 ASCII bytes", "[{\"msg\":\"0123456789\"}]"),
                arguments("msg of 5 two-byte characters", "[{\"msg\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\"}]"),
                arguments("msg of 2 emoji and 2 bytes", "[{\"msg\":\"" + EMOJI + EMOJI + "ab\"}]"),
                arguments("msg of escapes making 10 bytes", "[{\"msg\":\"\\n\\n\\u00e9\\ud83d\\ude00ab\"}]"),
                arguments("2 attrs", "[{\"attrs\":{\"a\":1,\"b\":2}}]"),
                arguments("key of 4 characters", "[{\"attrs\":{\"abcd\":1}}]"),
                arguments("key of 4 emoji", "[{\"attrs\":{\"" + EMOJI.repeat(4) + "\":1}}]"),
                arguments("string value of 8 bytes", "[{\"attrs\":{\"k\":\"\u00e9123456\"}}]"),
                arguments("number value of 8 characters", "[{\"attrs\":{\"k\":-1234567}}]"),
                arguments("decimal value of 8 characters", "[{\"attrs\":{\"k\":1.234e-5}}]"),
                arguments("body of 200 bytes", "[{\"msg\":\"x\"}" + " ".repeat(200 - 13) + "]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("atTheEdge")
    void limitReachedIsAccepted(String name, String body) throws Exception {
        List<LogEvent> events = Bodies.decode(body, b -> NativeDecoder.decodeJson(b, SMALL, 0));
        assertThat(events).isNotEmpty();
    }

    static Stream<Arguments> overTheEdge() {
        return Stream.of(
                arguments("4 events", "[{},{},{},{}]", null, "more than 3 events in one request"),
                arguments("4 events, the last malformed", "[{},{},{},{\"msg\":}]", null, "more than 3 events"),
                arguments("msg of 11 ASCII bytes", "[{},{\"msg\":\"0123456789a\"}]", 1,
                        "event 1: field \"msg\": 11 bytes is over the limit of 10 bytes"),
                arguments("msg of 6 two-byte characters", "[{\"msg\":\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"}]", 0,
                        "12 bytes is over the limit of 10"),
                arguments("msg of 3 emoji", "[{\"msg\":\"" + EMOJI.repeat(3) + "\"}]", 0, "12 bytes"),
                arguments("3 attrs", "[{},{},{\"attrs\":{\"a\":1,\"b\":2,\"c\":3}}]", 2,
                        "event 2: field \"attrs\": more than 2 attrs"),
                arguments("key of 5 characters", "[{\"attrs\":{\"abcde\":1}}]", 0,
                        "field \"attrs.abcde\": key is over the limit of 4 characters"),
                arguments("key of 5 emoji", "[{\"attrs\":{\"" + EMOJI.repeat(5) + "\":1}}]", 0, "key is over"),
                arguments("string value of 9 bytes", "[{\"attrs\":{\"k\":\"\u00e91234567\"}}]", 0,
                        "field \"attrs.k\": 9 bytes is over the limit of 8 bytes"),
                arguments("number value of 9 characters", "[{\"attrs\":{\"k\":123456789}}]", 0, "9 bytes is over"),
                arguments("decimal value of 9 characters", "[{\"attrs\":{\"k\":1.2345e-5}}]", 0, "9 bytes"),
                arguments("boolean over a tiny limit", "[{\"attrs\":{\"k\":false}}]", 0, "5 bytes"),
                arguments("body of 201 bytes", "[{\"msg\":\"x\"}" + " ".repeat(200 - 12) + "]", null,
                        "body of 201 bytes is over the limit of 200 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overTheEdge")
    void limitBrokenIs413WithTheIndex(String name, String body, Integer index, String fragment) {
        EventLimits limits = name.startsWith("boolean") ? new EventLimits(200, 3, 10, 2, 4, 4) : SMALL;
        IngestException e = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> NativeDecoder.decodeJson(b, limits, 0)));
        assertThat(e).as(name).isNotNull();
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.index()).isEqualTo(index);
        assertThat(e.error()).contains(fragment);
    }

    @Test
    void ndjsonCountsEventsAgainstTheBatchLimit() throws Exception {
        List<LogEvent> three = Bodies.decode("{}\n{}\n{}\n\n", b -> NativeDecoder.decodeNdjson(b, SMALL, 0));
        assertThat(three).hasSize(3);
        IngestException e = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode("{}\n{}\n{}\n{}\n", b -> NativeDecoder.decodeNdjson(b, SMALL, 0)));
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.index()).isNull();
        assertThat(e.error()).isEqualTo("more than 3 events in one request");
    }

    @Test
    void defaultLimitsTakeTenThousandEventsAndNotOneMore() throws Exception {
        String tenThousand = "{\"msg\":\"m\"}\n".repeat(10_000);
        List<LogEvent> events = Bodies.decode(tenThousand,
                b -> NativeDecoder.decodeNdjson(b, EventLimits.DEFAULTS, 0));
        assertThat(events).hasSize(10_000);
        IngestException e = catchThrowableOfType(IngestException.class, () -> Bodies.decode(
                tenThousand + "{}\n", b -> NativeDecoder.decodeNdjson(b, EventLimits.DEFAULTS, 0)));
        assertThat(e.status()).isEqualTo(413);
    }

    @Test
    void defaultMsgLimitIs64KiBOfUtf8() throws Exception {
        String edge = "\u00e9".repeat(32 * 1024);
        LogEvent e = Bodies.decode("{\"msg\":\"" + edge + "\"}",
                b -> NativeDecoder.decodeJson(b, EventLimits.DEFAULTS, 0)).get(0);
        assertThat(e.msg()).isEqualTo(edge);
        IngestException over = catchThrowableOfType(IngestException.class, () -> Bodies.decode(
                "{\"msg\":\"" + edge + "a\"}", b -> NativeDecoder.decodeJson(b, EventLimits.DEFAULTS, 0)));
        assertThat(over.status()).isEqualTo(413);
        assertThat(over.error()).contains("65537 bytes is over the limit of 65536 bytes");
    }
}
