package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class NativeDecoderTest {
    static final long NOW = 1_764_000_000_000L;
    static final EventLimits LIMITS = EventLimits.DEFAULTS;

    static List<LogEvent> json(String body) throws IngestException {
        return Bodies.decode(body, b -> NativeDecoder.decodeJson(b, LIMITS, NOW));
    }

    static List<LogEvent> ndjson(String body) throws IngestException {
        return Bodies.decode(body, b -> NativeDecoder.decodeNdjson(b, LIMITS, NOW));
    }

    static IngestException jsonError(byte[] body, EventLimits limits) {
        return catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> NativeDecoder.decodeJson(b, limits, NOW)));
    }

    static IngestException ndjsonError(byte[] body, EventLimits limits) {
        return catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> NativeDecoder.decodeNdjson(b, limits, NOW)));
    }

    @Test
    void emptyObjectTakesEveryDefault() throws Exception {
        LogEvent e = json("{}").get(0);
        assertThat(e.tsMillis()).isEqualTo(NOW);
        assertThat(e.level()).isEqualTo(Level.INFO);
        assertThat(e.type()).isEqualTo("log");
        assertThat(e.source()).isEqualTo("unknown");
        assertThat(e.branch()).isEqualTo("main");
        assertThat(e.msg()).isEmpty();
        assertThat(e.attrCount()).isZero();
    }

    @Test
    void fullEventDecodesFieldByField() throws Exception {
        List<LogEvent> events = json("""
                {"id": "1042", "ts": "2026-11-24T12:00:00.123Z", "level": "WARN", "type": "api",
                 "source": "checkout-svc", "branch": "team-a/feature:x_1.2", "msg": "order placed",
                 "attrs": {"orderId": "42", "ms": 17, "ok": true}}""");
        assertThat(events).hasSize(1);
        LogEvent e = events.get(0);
        assertThat(e.tsMillis()).isEqualTo(Instant.parse("2026-11-24T12:00:00.123Z").toEpochMilli());
        assertThat(e.level()).isEqualTo(Level.WARN);
        assertThat(e.type()).isEqualTo("api");
        assertThat(e.source()).isEqualTo("checkout-svc");
        assertThat(e.branch()).isEqualTo("team-a/feature:x_1.2");
        assertThat(e.msg()).isEqualTo("order placed");
        assertThat(e.attrCount()).isEqualTo(3);
        assertThat(e.attrKey(0)).isEqualTo("orderId");
        assertThat(e.attr("orderId")).isEqualTo("42");
        assertThat(e.attr("ms")).isEqualTo(17L);
        assertThat(e.attr("ok")).isEqualTo(Boolean.TRUE);
    }

    @Test
    void arrayKeepsOrderAndEmptyArrayIsNoEvent() throws Exception {
        List<LogEvent> events = json("[{\"msg\":\"a\"}, {\"msg\":\"b\"} ,{\"msg\":\"c\"}]");
        assertThat(events).extracting(LogEvent::msg).containsExactly("a", "b", "c");
        assertThat(json(" [ ] ")).isEmpty();
    }

    @Test
    void unknownFieldsAndIdOfAnyShapeAreIgnored() throws Exception {
        LogEvent e = json("""
                {"id": {"n": [1, 2]}, "future": {"a": [1, {"b": null}], "c": "d"}, "msg": "x", "later": null}
                """).get(0);
        assertThat(e.msg()).isEqualTo("x");
        assertThat(e.attrCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Bodies.Kind.class)
    void everyBufferShapeDecodesTheSameWithoutMovingIndices(Bodies.Kind kind) throws Exception {
        String body = "[{\"msg\":\"h\u00e9llo \ud83d\ude00 \u2028\",\"attrs\":{\"k\u00e9y\":\"v\u00e4l\"}},"
                + "{\"level\":\"error\",\"ts\":1732449600123}]";
        List<LogEvent> events = Bodies.decode(Bodies.utf8(body), kind,
                b -> NativeDecoder.decodeJson(b, LIMITS, NOW));
        assertThat(events).hasSize(2);
        assertThat(events.get(0).msg()).isEqualTo("h\u00e9llo \ud83d\ude00 \u2028");
        assertThat(events.get(0).attr("k\u00e9y")).isEqualTo("v\u00e4l");
        assertThat(events.get(1).tsMillis()).isEqualTo(1_732_449_600_123L);
        List<LogEvent> lines = Bodies.decode(Bodies.utf8("{\"msg\":\"\u00e9\"}\n{\"msg\":\"b\"}\n"), kind,
                b -> NativeDecoder.decodeNdjson(b, LIMITS, NOW));
        assertThat(lines).extracting(LogEvent::msg).containsExactly("\u00e9", "b");
    }

    @Test
    void ndjsonSkipsBlankLinesAndTakesCrlf() throws Exception {
        List<LogEvent> events = ndjson("\r\n{\"msg\":\"a\"}\r\n\r\n   \n{\"msg\":\"b\"}\r\n\t\n{\"msg\":\"c\"}");
        assertThat(events).extracting(LogEvent::msg).containsExactly("a", "b", "c");
    }

    @Test
    void ndjsonIndexCountsEventsNotLines() {
        IngestException e = ndjsonError(Bodies.utf8("{}\n\n\n{}\n\n{\"level\":\"loud\"}\n"), LIMITS);
        assertThat(e.index()).isEqualTo(2);
        assertThat(e.error()).isEqualTo("event 2: field \"level\": unknown level \"loud\""
                + " (expected trace, debug, info, warn, error or fatal)");
    }

    @Test
    void badEventInABatchNamesItsIndexAndField() {
        IngestException e = jsonError(Bodies.utf8("[{}, {}, {}, {\"level\": \"loud\"}, {}]"), LIMITS);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.index()).isEqualTo(3);
        assertThat(e.error()).startsWith("event 3: field \"level\": unknown level \"loud\"");
    }

    @ParameterizedTest
    @MethodSource("levels")
    void levelIsReadInAnyCase(String text, Level expected) throws Exception {
        assertThat(json("{\"level\":\"" + text + "\"}").get(0).level()).isEqualTo(expected);
    }

    static Stream<Arguments> levels() {
        return Stream.of(arguments("trace", Level.TRACE), arguments("DEBUG", Level.DEBUG),
                arguments("Info", Level.INFO), arguments("wArN", Level.WARN), arguments("ERROR", Level.ERROR),
                arguments("fatal", Level.FATAL), arguments("\\u0069nfo", Level.INFO),
                // what String.equalsIgnoreCase calls equal, as the contract's "any case" was read before
                arguments("\u0130NFO", Level.INFO));
    }

    @ParameterizedTest
    @MethodSource("notLevels")
    void aLevelThatIsNoneIsNamedInTheError(String text) {
        IngestException e = jsonError(Bodies.utf8("{\"level\":\"" + text + "\"}"), LIMITS);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).startsWith("event 0: field \"level\": unknown level \"");
    }

    static Stream<String> notLevels() {
        return Stream.of("", "inf", "infos", "in fo", "warning", "\\u0000info");
    }

    @Test
    void repeatedTypeSourceAndBranchAreReadAndCheckedForEveryEvent() throws Exception {
        List<LogEvent> events = ndjson("""
                {"type":"api","source":"svc-a","branch":"main"}
                {"type":"api","source":"svc-a","branch":"main"}
                {"type":"api","source":"svc-b","branch":"team/x"}
                {"type":"api","source":"svc-a","branch":"team/x"}
                {"type":"log","source":"svc-ab","branch":"main"}
                {}
                {"type":"api","source":"svc-a","branch":"main"}
                """);
        assertThat(events).extracting(LogEvent::type)
                .containsExactly("api", "api", "api", "api", "log", "log", "api");
        assertThat(events).extracting(LogEvent::source)
                .containsExactly("svc-a", "svc-a", "svc-b", "svc-a", "svc-ab", "unknown", "svc-a");
        assertThat(events).extracting(LogEvent::branch)
                .containsExactly("main", "main", "team/x", "team/x", "main", "main", "main");

        IngestException e = ndjsonError(Bodies.utf8("""
                {"source":"svc-a","branch":"main"}
                {"source":"svc-a","branch":"main"}
                {"source":"svc-a","branch":"ma in"}
                """), LIMITS);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).startsWith("event 2: field \"branch\": \"ma in\" does not match");
        e = ndjsonError(Bodies.utf8("""
                {"type":"api"}
                {"type":"API"}
                """), LIMITS);
        assertThat(e.error()).startsWith("event 1: field \"type\": \"API\" does not match");
    }

    @Test
    void membersInAnyOrderNamesThatShareAPrefixAndDuplicatesWhereAMemberWasExpected() throws Exception {
        // the reader expects the previous event's order: every change of it must still read right
        List<LogEvent> events = ndjson("""
                {"level":"warn","type":"api","source":"a","branch":"b","msg":"1"}
                {"level":"warn","type":"api","source":"a","branch":"b","msg":"2"}
                {"msg":"3","branch":"c","source":"d","type":"log","level":"error"}
                {"levels":"x","level":"debug","msgs":1,"msg":"4","ts":0}
                {"msg":"5"}
                {"lev":1,"msg":"6","level":"info","type":"api","source":"a","branch":"b","attrs":{"k":1},"x":2}
                {"level":"fatal","type":"api","source":"a","branch":"b","msg":"7"}
                """);
        assertThat(events).extracting(LogEvent::msg).containsExactly("1", "2", "3", "4", "5", "6", "7");
        assertThat(events).extracting(LogEvent::level).containsExactly(Level.WARN, Level.WARN, Level.ERROR,
                Level.DEBUG, Level.INFO, Level.INFO, Level.FATAL);
        assertThat(events).extracting(LogEvent::source).containsExactly("a", "a", "d", "unknown", "unknown", "a", "a");
        assertThat(events.get(3).tsMillis()).isZero();
        assertThat(events.get(5).attrCount()).isEqualTo(1);

        IngestException e = ndjsonError(Bodies.utf8("""
                {"level":"warn","msg":"1"}
                {"level":"warn","level":"info"}
                """), LIMITS);
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).contains("Duplicate field 'level'");
        e = ndjsonError(Bodies.utf8("""
                {"level":"warn","msg":"1"}
                {"level":"warn","msg":"1","msg":"2"}
                """), LIMITS);
        assertThat(e.error()).contains("Duplicate field 'msg'");
    }

    @Test
    void requestsReadOnOneThreadShareRepeatedNamesAndEachStillReadsItsOwn() throws Exception {
        LogEvent first = json("{\"type\":\"api\",\"source\":\"svc-a\",\"branch\":\"team/x\",\"msg\":\"1\"}").get(0);
        LogEvent second = ndjson("{\"msg\":\"2\",\"branch\":\"team/x\",\"source\":\"svc-a\",\"type\":\"api\"}\n").get(0);
        assertThat(second.type()).isSameAs(first.type());
        assertThat(second.source()).isSameAs(first.source());
        assertThat(second.branch()).isSameAs(first.branch());
        assertThat(second.msg()).isEqualTo("2");

        // another producer in between, with another member order: each request reads its own values
        LogEvent other = json("{\"branch\":\"main\",\"msg\":\"3\",\"type\":\"log\",\"source\":\"svc-b\"}").get(0);
        assertThat(List.of(other.type(), other.source(), other.branch(), other.msg()))
                .containsExactly("log", "svc-b", "main", "3");
        LogEvent defaults = json("{\"msg\":\"4\"}").get(0);
        assertThat(List.of(defaults.type(), defaults.source(), defaults.branch()))
                .containsExactly("log", "unknown", "main");
        // a value that differs from the last valid one only in case is checked, and refused
        IngestException e = jsonError(Bodies.utf8("{\"type\":\"LOG\"}"), LIMITS);
        assertThat(e.error()).startsWith("event 0: field \"type\": \"LOG\" does not match");
        e = jsonError(Bodies.utf8("{\"source\":\"svc b\"}"), LIMITS);
        assertThat(e.status()).isEqualTo(400);
    }

    static Stream<Arguments> timestamps() {
        return Stream.of(
                arguments("\"2026-11-24T12:00:00.123Z\"", "2026-11-24T12:00:00.123Z"),
                arguments("\"2026-11-24T12:00:00Z\"", "2026-11-24T12:00:00Z"),
                arguments("\"2026-11-24T14:00:00.123+02:00\"", "2026-11-24T12:00:00.123Z"),
                arguments("\"2026-11-24T07:00:00.123999999-05:00\"", "2026-11-24T12:00:00.123Z"),
                arguments("\"2026-11-24T12:00:00.1Z\"", "2026-11-24T12:00:00.100Z"),
                arguments("\"2026-11-24t12:00:00.12z\"", "2026-11-24T12:00:00.120Z"),
                arguments("\"2026-11-24 12:00:00Z\"", "2026-11-24T12:00:00Z"),
                arguments("\"2026-11-24T12:00:00-00:00\"", "2026-11-24T12:00:00Z"),
                arguments("\"2024-02-29T23:59:59.999+23:59\"", "2024-02-29T00:00:59.999Z"),
                arguments("\"2016-12-31T23:59:60Z\"", "2017-01-01T00:00:00Z"),
                arguments("\"1969-12-31T23:59:59.999Z\"", "1969-12-31T23:59:59.999Z"),
                arguments("\"0000-01-01T00:00:00Z\"", "0000-01-01T00:00:00Z"),
                arguments("\"9999-12-31T23:59:59.999Z\"", "9999-12-31T23:59:59.999Z"),
                arguments("1732449600123", "2024-11-24T12:00:00.123Z"),
                arguments("1732449600123.9", "2024-11-24T12:00:00.123Z"),
                arguments("0", "1970-01-01T00:00:00Z"),
                arguments("-1000", "1969-12-31T23:59:59Z"));
    }

    @ParameterizedTest
    @MethodSource("timestamps")
    void tsIsRfc3339OrEpochMillis(String ts, String expected) throws Exception {
        assertThat(json("{\"ts\":" + ts + "}").get(0).tsMillis()).isEqualTo(Instant.parse(expected).toEpochMilli());
    }

    @Test
    void numberAttrsKeepTheirValue() throws Exception {
        LogEvent e = json("""
                {"attrs": {"int": 1, "min": -9223372036854775808, "big": 9223372036854775808, "half": 1.5,
                 "tenth": 0.1, "exp": 2.5e3, "huge": 1e400, "precise": 1.00000000000000000001, "negzero": -0.0,
                 "tiny": 1e-400, "wide": 123456789012345678901234567890, "fifteen": 0.123456789012345,
                 "sixteen": 0.1234567890123456, "yes": true, "no": false, "s": "1"}}""").get(0);
        assertThat(e.attr("int")).isEqualTo(1L);
        assertThat(e.attr("min")).isEqualTo(Long.MIN_VALUE);
        assertThat(e.attr("big")).isEqualTo(new BigInteger("9223372036854775808"));
        assertThat(e.attr("half")).isEqualTo(1.5d);
        assertThat(e.attr("tenth")).isEqualTo(0.1d);
        assertThat(e.attr("exp")).isEqualTo(2500d);
        assertThat(e.attr("huge")).isEqualTo(new BigDecimal("1e400"));
        assertThat(e.attr("precise")).isEqualTo(new BigDecimal("1.00000000000000000001"));
        assertThat(e.attr("negzero")).isEqualTo(-0.0d);
        assertThat(e.attr("tiny")).isEqualTo(new BigDecimal("1e-400"));
        assertThat(e.attr("wide")).isEqualTo(new BigInteger("123456789012345678901234567890"));
        assertThat(e.attr("fifteen")).isEqualTo(0.123456789012345d);
        assertThat(e.attr("sixteen")).isEqualTo(new BigDecimal("0.1234567890123456"));
        assertThat(e.attr("yes")).isEqualTo(Boolean.TRUE);
        assertThat(e.attr("no")).isEqualTo(Boolean.FALSE);
        assertThat(e.attr("s")).isEqualTo("1");
    }

    /** A number is limited as an attr value (its JSON text), not by jackson's 1000 digits. */
    @Test
    void aNumberAttrUpToTheValueLimitIsAccepted() throws Exception {
        String digits = "1" + "0".repeat(4095);
        LogEvent e = json("{\"attrs\": {\"n\": " + digits + ", \"d\": 0." + "5".repeat(4094) + "}}").get(0);
        assertThat(e.attr("n")).isEqualTo(new BigInteger(digits));
        assertThat(e.attr("d")).isEqualTo(new BigDecimal("0." + "5".repeat(4094)));
    }

    /** Bodies refused as a whole: name, body, status, index, a fragment of the message. */
    static Stream<Arguments> badJson() {
        return Stream.of(
                arguments("empty body", "", 400, null, "empty body"),
                arguments("blank body", " \r\n\t ", 400, null, "empty body"),
                arguments("top-level string", "\"hi\"", 400, null, "expected an event object or an array"),
                arguments("top-level number", "42", 400, null, "got a number"),
                arguments("top-level null", "null", 400, null, "got null"),
                arguments("top-level true", "true", 400, null, "got a boolean"),
                arguments("array of a number", "[{}, 1]", 400, 1, "event 1: expected an event object, got a number"),
                arguments("array of arrays", "[[{}]]", 400, 0, "event 0: expected an event object, got an array"),
                arguments("array of strings", "[\"{}\"]", 400, 0, "got a string"),
                arguments("truncated object", "{\"msg\":\"a\"", 400, 0, "truncated"),
                arguments("truncated string", "[{}, {\"msg\":\"b", 400, 1, "truncated"),
                arguments("truncated array", "[{}, {}", 400, 2, "truncated"),
                arguments("truncated key", "{\"ms", 400, 0, "malformed JSON"),
                arguments("trailing garbage", "{\"msg\":\"a\"} x", 400, null, "malformed JSON"),
                arguments("second top-level value", "{\"msg\":\"a\"} {\"msg\":\"b\"}", 400, null, "trailing data"),
                arguments("close after array", "[{}]]", 400, null, "malformed JSON"),
                arguments("missing value", "{\"msg\":}", 400, 0, "malformed JSON at line 1, column 8"),
                arguments("unquoted key", "{msg:\"a\"}", 400, 0, "malformed JSON"),
                arguments("single quotes", "{'msg':'a'}", 400, 0, "malformed JSON"),
                arguments("comment", "/* hi */ {}", 400, null, "malformed JSON"),
                arguments("trailing comma", "{\"msg\":\"a\",}", 400, 0, "malformed JSON"),
                arguments("NaN attr", "{\"attrs\":{\"x\":NaN}}", 400, 0, "malformed JSON"),
                arguments("leading zero", "{\"ts\":0123}", 400, 0, "malformed JSON"),
                arguments("raw newline in string", "{\"msg\":\"a\nb\"}", 400, 0, "malformed JSON"),
                arguments("raw NUL in string", "{\"msg\":\"a\u0000b\"}", 400, 0, "malformed JSON"),
                arguments("bad escape", "{\"msg\":\"\\x41\"}", 400, 0, "malformed JSON"),
                arguments("duplicate key", "{\"msg\":\"a\",\"msg\":\"b\"}", 400, 0, "Duplicate"),
                arguments("duplicate attr key", "{\"attrs\":{\"k\":1,\"k\":2}}", 400, 0, "Duplicate"),
                arguments("duplicate attr key after others", "{\"attrs\":{\"a\":1,\"b\":2,\"c\":3,\"b\":4}}", 400, 0,
                        "Duplicate field 'b'"),
                arguments("duplicate known key, other order", "{\"ts\":1,\"level\":\"info\",\"ts\":2}", 400, 0,
                        "Duplicate field 'ts'"),
                arguments("duplicate unknown key", "{\"x\":1,\"msg\":\"m\",\"x\":2}", 400, 0,
                        "Duplicate field 'x'"),
                arguments("duplicate id", "{\"id\":\"1\",\"id\":\"2\"}", 400, 0, "Duplicate field 'id'"),
                arguments("duplicate key inside an unknown member", "{\"x\":{\"y\":1,\"z\":[{\"w\":1,\"w\":2}]}}",
                        400, 0, "Duplicate field 'w'"),
                arguments("lone surrogate in msg", "{\"msg\":\"a\\ud800b\"}", 400, 0,
                        "event 0: field \"msg\": holds a lone UTF-16 surrogate"),
                arguments("lone low surrogate in attr", "{\"attrs\":{\"k\":\"\\udc00\"}}", 400, 0,
                        "field \"attrs.k\": holds a lone"),
                arguments("lone surrogate in attr key", "{\"attrs\":{\"\\ud800\":1}}", 400, 0, "key holds a lone"),
                arguments("deep nesting", "{\"x\":" + "[".repeat(200) + "]".repeat(200) + "}", 400, 0,
                        "nesting depth"),
                arguments("level number", "{\"level\":5}", 400, 0,
                        "event 0: field \"level\": expected a string, got a number"),
                arguments("level null", "{\"level\":null}", 400, 0, "field \"level\": expected a string, got null"),
                arguments("level unknown", "{\"level\":\"loud\"}", 400, 0, "unknown level \"loud\""),
                arguments("level alias", "{\"level\":\"warning\"}", 400, 0, "unknown level \"warning\""),
                arguments("ts true", "{\"ts\":true}", 400, 0,
                        "field \"ts\": expected an RFC 3339 string or epoch milliseconds, got a boolean"),
                arguments("ts object", "{\"ts\":{}}", 400, 0, "got an object"),
                arguments("ts null", "{\"ts\":null}", 400, 0, "got null"),
                arguments("ts words", "{\"ts\":\"yesterday\"}", 400, 0, "field \"ts\": not an RFC 3339"),
                arguments("ts no offset", "{\"ts\":\"2026-11-24T12:00:00\"}", 400, 0, "not an RFC 3339"),
                arguments("ts date only", "{\"ts\":\"2026-11-24\"}", 400, 0, "not an RFC 3339"),
                arguments("ts empty fraction", "{\"ts\":\"2026-11-24T12:00:00.Z\"}", 400, 0, "not an RFC 3339"),
                arguments("ts month 13", "{\"ts\":\"2026-13-01T00:00:00Z\"}", 400, 0, "not an RFC 3339"),
                arguments("ts feb 29 2026", "{\"ts\":\"2026-02-29T00:00:00Z\"}", 400, 0, "not an RFC 3339"),
                arguments("ts hour 24", "{\"ts\":\"2026-11-24T24:00:00Z\"}", 400, 0, "not an RFC 3339"),
                arguments("ts short offset", "{\"ts\":\"2026-11-24T12:00:00+2:00\"}", 400, 0, "not an RFC 3339"),
                arguments("ts offset 24h", "{\"ts\":\"2026-11-24T12:00:00+24:00\"}", 400, 0, "not an RFC 3339"),
                arguments("ts trailing junk", "{\"ts\":\"2026-11-24T12:00:00Zjunk\"}", 400, 0, "not an RFC 3339"),
                arguments("ts wide digits", "{\"ts\":\"\uff12026-11-24T12:00:00Z\"}", 400, 0, "not an RFC 3339"),
                arguments("ts before year 0", "{\"ts\":\"0000-01-01T00:00:00+01:00\"}", 400, 0, "not an RFC 3339"),
                arguments("ts millis past 9999", "{\"ts\":253402300800000}", 400, 0, "out of the years"),
                arguments("ts bigint", "{\"ts\":99999999999999999999}", 400, 0, "out of the years"),
                arguments("ts float huge", "{\"ts\":1e300}", 400, 0, "out of the years"),
                arguments("type number", "{\"type\":5}", 400, 0, "field \"type\": expected a string, got a number"),
                arguments("type upper", "{\"type\":\"Log\"}", 400, 0,
                        "field \"type\": \"Log\" does not match [a-z0-9_.-]{1,32}"),
                arguments("type empty", "{\"type\":\"\"}", 400, 0, "does not match"),
                arguments("type 33 chars", "{\"type\":\"" + "a".repeat(33) + "\"}", 400, 0, "does not match"),
                arguments("type slash", "{\"type\":\"a/b\"}", 400, 0, "does not match"),
                arguments("source space", "{\"source\":\"a b\"}", 400, 0,
                        "field \"source\": \"a b\" does not match [A-Za-z0-9_.:/-]{1,128}"),
                arguments("source 129 chars", "{\"source\":\"" + "s".repeat(129) + "\"}", 400, 0, "does not match"),
                arguments("source empty", "{\"source\":\"\"}", 400, 0, "does not match"),
                arguments("source array", "{\"source\":[]}", 400, 0, "expected a string, got an array"),
                arguments("branch accent", "{\"branch\":\"caf\u00e9\"}", 400, 0, "field \"branch\""),
                arguments("branch newline", "{\"branch\":\"a\\nb\"}", 400, 0, "\"a\\u000ab\" does not match"),
                arguments("branch number", "{\"branch\":7}", 400, 0, "field \"branch\": expected a string"),
                arguments("msg number", "{\"msg\":5}", 400, 0, "field \"msg\": expected a string, got a number"),
                arguments("msg null", "{\"msg\":null}", 400, 0, "field \"msg\": expected a string, got null"),
                arguments("msg object", "{\"msg\":{\"a\":1}}", 400, 0, "got an object"),
                arguments("attrs array", "{\"attrs\":[]}", 400, 0,
                        "event 0: field \"attrs\": expected an object, got an array"),
                arguments("attrs string", "{\"attrs\":\"a=b\"}", 400, 0, "expected an object, got a string"),
                arguments("attrs null", "{\"attrs\":null}", 400, 0, "expected an object, got null"),
                arguments("attr null", "{\"attrs\":{\"k\":null}}", 400, 0,
                        "field \"attrs.k\": expected a string, number or boolean, got null"),
                arguments("attr object", "{\"attrs\":{\"k\":{\"a\":1}}}", 400, 0, "got an object"),
                arguments("attr array", "{\"attrs\":{\"k\":[1]}}", 400, 0, "got an array"),
                arguments("number over the attr value limit", "{\"attrs\":{\"k\":1" + "0".repeat(4096) + "}}", 413,
                        0, "field \"attrs.k\": 4097 bytes is over the limit of 4096 bytes"),
                arguments("decimal over the attr value limit", "{\"attrs\":{\"k\":0." + "1".repeat(4095) + "}}", 413,
                        0, "field \"attrs.k\": 4097 bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void badJsonIsRefusedAsAWhole(String name, String body, int status, Integer index, String fragment) {
        IngestException e = jsonError(Bodies.utf8(body), LIMITS);
        assertThat(e).as(name).isNotNull();
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.index()).isEqualTo(index);
        assertThat(e.error()).contains(fragment);
    }

    /** Bytes that are not UTF-8, or not the UTF-8 JSON the contract takes. */
    static Stream<Arguments> badBytes() {
        return Stream.of(
                arguments("stray continuation byte", bytes("{\"msg\":\"", 0x80, "\"}"),
                        "body is not valid UTF-8 at byte offset 8"),
                arguments("0xFF", bytes("{\"msg\":\"a", 0xFF, "\"}"), "byte offset 9"),
                arguments("overlong slash", bytes("{\"msg\":\"", 0xC0, 0xAF, "\"}"), "byte offset 8"),
                arguments("overlong NUL", bytes("{\"msg\":\"", 0xC0, 0x80, "\"}"), "byte offset 8"),
                arguments("overlong 3-byte", bytes("{\"msg\":\"", 0xE0, 0x80, 0xAF, "\"}"), "byte offset 9"),
                arguments("encoded surrogate", bytes("{\"msg\":\"", 0xED, 0xA0, 0x80, "\"}"), "byte offset 9"),
                arguments("above U+10FFFF", bytes("{\"msg\":\"", 0xF4, 0x90, 0x80, 0x80, "\"}"), "byte offset 9"),
                arguments("five-byte lead", bytes("{\"msg\":\"", 0xF8, 0x88, 0x80, 0x80, 0x80, "\"}"), "offset 8"),
                arguments("cut sequence", bytes("{\"msg\":\"", 0xE2, 0x82, "\"}"), "byte offset 10"),
                arguments("cut at end", bytes("{\"msg\":\"a\"}", 0xE2, 0x82), "byte offset 13"),
                arguments("latin-1 body", bytes("{\"msg\":\"caf", 0xE9, "\"}"), "byte offset 12"),
                arguments("UTF-16 with BOM", bytes(0xFE, 0xFF, 0, '{', 0, '}'), "NUL byte at offset 2"),
                arguments("UTF-16LE", bytes('{', 0, '}', 0), "NUL byte at offset 1"),
                arguments("UTF-32BE", bytes(0, 0, 0, '{', 0, 0, 0, '}'), "NUL byte at offset 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBytes")
    void invalidUtf8IsA400InEveryBufferShape(String name, byte[] body, String fragment) {
        for (Bodies.Kind kind : Bodies.Kind.values()) {
            for (boolean ndjson : new boolean[] {false, true}) {
                IngestException e = catchThrowableOfType(IngestException.class, () -> Bodies.decode(body, kind,
                        b -> ndjson ? NativeDecoder.decodeNdjson(b, LIMITS, NOW)
                                : NativeDecoder.decodeJson(b, LIMITS, NOW)));
                assertThat(e).as(name + " " + kind).isNotNull();
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.index()).isNull();
                assertThat(e.error()).contains(fragment);
            }
        }
    }

    @Test
    void utf8BomIsSkipped() throws Exception {
        List<LogEvent> events = Bodies.decode(bytes(0xEF, 0xBB, 0xBF, "{\"msg\":\"a\"}"),
                b -> NativeDecoder.decodeJson(b, LIMITS, NOW));
        assertThat(events.get(0).msg()).isEqualTo("a");
    }

    static Stream<Arguments> badNdjson() {
        return Stream.of(
                arguments("empty body", "", 400, null, "empty body"),
                arguments("blank lines only", "\n\r\n  \n", 400, null, "empty body: no event"),
                arguments("two objects on a line", "{}\n{} {}\n", 400, 1,
                        "event 1: line 2 holds more than one JSON value"),
                arguments("two objects glued", "{}{}", 400, 0, "line 1 holds more than one JSON value"),
                arguments("object over two lines", "{}\n{\"msg\":\n\"a\"}\n", 400, 1,
                        "event 1: the object on line 2 goes on to line 3"),
                arguments("array line", "[{}]\n", 400, 0, "event 0: expected an event object on line 1, got an array"),
                arguments("string line", "{}\n\"x\"\n", 400, 1, "got a string"),
                arguments("malformed second line", "{}\n{\"msg\" \"a\"}\n", 400, 1,
                        "event 1: malformed JSON at line 2"),
                arguments("truncated last line", "{}\n{\"msg\":\"a", 400, 1, "truncated"),
                arguments("garbage line", "{}\nhello\n", 400, 1, "malformed JSON"),
                arguments("bad field", "{}\n{}\n{\"attrs\":[]}", 400, 2, "event 2: field \"attrs\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badNdjson")
    void badNdjsonIsRefusedAsAWhole(String name, String body, int status, Integer index, String fragment) {
        IngestException e = ndjsonError(Bodies.utf8(body), LIMITS);
        assertThat(e).as(name).isNotNull();
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.index()).isEqualTo(index);
        assertThat(e.error()).contains(fragment);
    }

    static Stream<Arguments> otlpDetection() {
        return Stream.of(
                arguments("{\"resourceLogs\":[]}", true),
                arguments(" \n{ \"resourceLogs\" : [{\"resource\":{}}]}", true),
                arguments("{\"resource_logs\":[]}", true),
                arguments("{\"foo\":{\"a\":[1,{\"msg\":2}]},\"resourceLogs\":[]}", true),
                arguments("{\"resourceLogs\"", false),
                arguments("{\"msg\":\"x\",\"resourceLogs\":[]}", false),
                arguments("{\"id\":\"1\",\"resourceLogs\":[]}", false),
                arguments("[{\"resourceLogs\":[]}]", false),
                arguments("{\"x\":{\"resourceLogs\":[]}}", false),
                arguments("{}", false),
                arguments("", false),
                arguments("not json", false),
                arguments("{\"a\":", false));
    }

    @ParameterizedTest
    @MethodSource("otlpDetection")
    void otlpJsonIsToldApartByItsTopLevelResourceLogs(String body, boolean otlp) throws Exception {
        for (Bodies.Kind kind : Bodies.Kind.values()) {
            assertThat(Bodies.decode(Bodies.utf8(body), kind, NativeDecoder::isOtlpJson)).as(kind.name())
                    .isEqualTo(otlp);
        }
    }

    static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String s) {
                out.writeBytes(Bodies.utf8(s));
            } else if (part instanceof Character c) {
                out.write(c);
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
