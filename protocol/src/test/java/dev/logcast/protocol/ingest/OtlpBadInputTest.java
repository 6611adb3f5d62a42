package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.logcast.protocol.EventLimits;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** OTLP bodies that cannot be decoded: the whole request is a 400 (or 413 when too large), nothing accepted. */
class OtlpBadInputTest {
    static final EventLimits LIMITS = EventLimits.DEFAULTS;

    static byte[] withSeverityText(String text) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setSeverityText(text))))
                .build().toByteArray();
    }

    static Stream<Arguments> badProtobuf() {
        byte[] valid = OtlpDecoderTest.fullRequest().toByteArray();
        byte[] nonUtf8 = withSeverityText("MARK");
        for (int i = 0; i < nonUtf8.length; i++) {
            if (nonUtf8[i] == 'M' && nonUtf8[i + 1] == 'A') {
                nonUtf8[i] = (byte) 0xFF;
            }
        }
        byte[] endGroup = Arrays.copyOf(valid, valid.length + 3);
        endGroup[valid.length] = 0x0C; // field 1, wire type 4: an end-group tag nobody opened
        endGroup[valid.length + 1] = 'x';
        endGroup[valid.length + 2] = 'y';
        return Stream.of(
                arguments("text", Bodies.utf8("this is not protobuf"), "undecodable OTLP protobuf body"),
                arguments("JSON sent as protobuf", Bodies.utf8(OtlpDecoderTest.SDK_JSON), "undecodable"),
                arguments("cut short", Arrays.copyOf(valid, valid.length - 5), "ended unexpectedly"),
                arguments("cut in a length prefix", Arrays.copyOf(valid, 1), "ended unexpectedly"),
                arguments("invalid UTF-8 string", nonUtf8, "UTF-8"),
                arguments("stray end-group tag", endGroup, "undecodable"),
                arguments("bad wire type", new byte[] {0x0F, 0x01}, "undecodable"),
                arguments("negative length", new byte[] {0x0A, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                    0x0F}, "undecodable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badProtobuf")
    void undecodableProtobufIsA400(String name, byte[] body, String fragment) {
        for (Bodies.Kind kind : Bodies.Kind.values()) {
            IngestException e = catchThrowableOfType(IngestException.class,
                    () -> Bodies.decode(body, kind, b -> OtlpDecoder.decodeProtobuf(b, LIMITS, 0)));
            assertThat(e).as(name + " " + kind).isNotNull();
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.index()).isNull();
            assertThat(e.error()).contains(fragment);
        }
    }

    static String record(String fields) {
        return "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{" + fields + "}]}]}]}";
    }

    static String attr(String value) {
        return record("\"attributes\":[{\"key\":\"k\",\"value\":" + value + "}]");
    }

    static Stream<Arguments> badJson() {
        return Stream.of(
                arguments("empty body", "", "empty body"),
                arguments("top-level array", "[]", "OTLP/JSON: field \"ExportLogsServiceRequest\": expected an object"),
                arguments("resourceLogs object", "{\"resourceLogs\":{}}",
                        "field \"resourceLogs\": expected an array, got an object"),
                arguments("logRecords string", "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":\"x\"}]}]}",
                        "field \"logRecords\": expected an array, got a string"),
                arguments("record number", "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[1]}]}]}",
                        "log record 0: field \"logRecords\": expected an object"),
                arguments("traceId number", record("\"traceId\":5"),
                        "OTLP/JSON log record 0: field \"traceId\": expected a string, got a number"),
                arguments("traceId not hex", record("\"traceId\":\"" + "zz".repeat(16) + "\""), "not hex"),
                arguments("traceId base64", record("\"traceId\":\"W47/95gDgQPSabYzgT/GDA==\""),
                        "expected 32 hex digits"),
                arguments("spanId too long", record("\"spanId\":\"" + "a".repeat(17) + "\""),
                        "field \"spanId\": expected 16 hex digits"),
                arguments("intValue words", attr("{\"intValue\":\"abc\"}"), "field \"intValue\": not an integer"),
                arguments("intValue fraction", attr("{\"intValue\":\"1.5\"}"), "not an integer"),
                arguments("intValue float", attr("{\"intValue\":1.5}"), "not an integer"),
                arguments("intValue over int64", attr("{\"intValue\":\"9223372036854775808\"}"),
                        "out of the int64 range"),
                arguments("intValue huge exponent", attr("{\"intValue\":\"1e999999999\"}"), "not an integer"),
                arguments("intValue bool", attr("{\"intValue\":true}"), "expected an integer, got a boolean"),
                arguments("boolValue string", attr("{\"boolValue\":\"true\"}"), "expected a boolean, got a string"),
                arguments("doubleValue words", attr("{\"doubleValue\":\"abc\"}"), "not a number"),
                arguments("doubleValue bool", attr("{\"doubleValue\":false}"), "expected a number"),
                arguments("bytesValue not base64", attr("{\"bytesValue\":\"!!!\"}"), "not base64"),
                arguments("arrayValue values object", attr("{\"arrayValue\":{\"values\":{}}}"),
                        "field \"values\": expected an array"),
                arguments("value string", attr("\"v\""), "field \"value\": expected an object, got a string"),
                arguments("key number", record("\"attributes\":[{\"key\":5}]"), "field \"key\": expected a string"),
                arguments("attributes object", record("\"attributes\":{}"), "expected an array"),
                arguments("body string", record("\"body\":\"hi\""), "field \"body\": expected an object"),
                arguments("time negative", record("\"timeUnixNano\":-1"), "out of the uint64 range"),
                arguments("time over uint64", record("\"timeUnixNano\":\"18446744073709551616\""),
                        "out of the uint64 range"),
                arguments("severity over int32", record("\"severityNumber\":2147483648"), "out of the int32 range"),
                arguments("flags over uint32", record("\"flags\":4294967296"), "out of the uint32 range"),
                arguments("dropped negative", record("\"droppedAttributesCount\":-1"), "uint32"),
                arguments("duplicate key", record("\"body\":{},\"body\":{}"), "Duplicate"),
                arguments("trailing data", "{} {}", "trailing data"),
                arguments("malformed", "{\"resourceLogs\":[}", "malformed JSON at line 1"),
                arguments("truncated", "{\"resourceLogs\":[{\"scopeLogs\":[", "truncated"),
                arguments("deep nesting", attr("{\"arrayValue\":{\"values\":["
                        .repeat(50) + "]}}".repeat(50)), "nesting depth"),
                arguments("NUL after the object", "{\"resourceLogs\":[]}\u0000", "malformed JSON"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJson")
    void undecodableOtlpJsonIsA400(String name, String body, String fragment) {
        IngestException e = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> OtlpDecoder.decodeJson(b, LIMITS, 0)));
        assertThat(e).as(name).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.index()).isNull();
        assertThat(e.error()).contains(fragment);
    }

    @Test
    void invalidUtf8InOtlpJsonIsA400() {
        byte[] body = NativeDecoderTest.bytes(
                "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"", 0xC0, 0xAF,
                "\"}}]}]}]}");
        IngestException e = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> OtlpDecoder.decodeJson(b, LIMITS, 0)));
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).startsWith("body is not valid UTF-8 at byte offset ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badProtobuf")
    void bodyOverTheSizeLimitIs413(String name, byte[] body, String fragment) {
        EventLimits tiny = new EventLimits(body.length - 1, 10, 10, 10, 10, 10);
        IngestException e = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> OtlpDecoder.decodeProtobuf(b, tiny, 0)));
        assertThat(e.status()).isEqualTo(413);
        IngestException json = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(body, b -> OtlpDecoder.decodeJson(b, tiny, 0)));
        assertThat(json.status()).isEqualTo(413);
    }
}
