package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.protobuf.ByteString;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpDecoderTest {
    static final long NOW = 1_764_000_000_000L;
    static final EventLimits LIMITS = EventLimits.DEFAULTS;
    static final String TRACE_ID = "5b8efff798038103d269b633813fc60c";
    static final String SPAN_ID = "eee19b7ec3c1b174";

    /** What an OpenTelemetry SDK's OTLP/JSON exporter sends for {@link #fullRequest()}. */
    static final String SDK_JSON = """
            {"resourceLogs":[{"resource":{"attributes":[
                {"key":"service.name","value":{"stringValue":"checkout-svc"}},
                {"key":"logcast.branch","value":{"stringValue":"feature/x"}},
                {"key":"telemetry.sdk.language","value":{"stringValue":"nodejs"}}],
              "droppedAttributesCount":0},
             "scopeLogs":[{"scope":{"name":"com.example.checkout","version":"1.0.0"},
              "logRecords":[{"timeUnixNano":"1732449600123456789","observedTimeUnixNano":"1732449600999000000",
                "severityNumber":13,"severityText":"WARN","body":{"stringValue":"payment retried"},
                "attributes":[
                  {"key":"orderId","value":{"stringValue":"42"}},
                  {"key":"attempt","value":{"intValue":2}},
                  {"key":"ratio","value":{"doubleValue":0.25}},
                  {"key":"retry","value":{"boolValue":true}},
                  {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"}]}}},
                  {"key":"ctx","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}},
                                                                {"key":"n","value":{"doubleValue":1.5}}]}}},
                  {"key":"blob","value":{"bytesValue":"AQID"}},
                  {"key":"logcast.branch","value":{"stringValue":"release/1.2"}},
                  {"key":"logcast.type","value":{"stringValue":"payment"}}],
                "droppedAttributesCount":0,"flags":1,
                "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"},
               {"timeUnixNano":"0","observedTimeUnixNano":"1732449600500000000","severityNumber":17,
                "body":{"kvlistValue":{"values":[{"key":"error","value":{"stringValue":"boom"}}]}},
                "eventName":"payment.failed","traceId":"","spanId":""}],
              "schemaUrl":"https://opentelemetry.io/schemas/1.24.0"}],
             "schemaUrl":"https://opentelemetry.io/schemas/1.24.0"}]}
            """;

    static KeyValue kv(String key, AnyValue value) {
        return KeyValue.newBuilder().setKey(key).setValue(value).build();
    }

    static KeyValue kv(String key, String value) {
        return kv(key, string(value));
    }

    static AnyValue string(String s) {
        return AnyValue.newBuilder().setStringValue(s).build();
    }

    static AnyValue integer(long v) {
        return AnyValue.newBuilder().setIntValue(v).build();
    }

    static AnyValue float64(double v) {
        return AnyValue.newBuilder().setDoubleValue(v).build();
    }

    /** The request {@link #SDK_JSON} spells, built with the generated builders. */
    static ExportLogsServiceRequest fullRequest() {
        LogRecord first = LogRecord.newBuilder()
                .setTimeUnixNano(1_732_449_600_123_456_789L)
                .setObservedTimeUnixNano(1_732_449_600_999_000_000L)
                .setSeverityNumber(SeverityNumber.SEVERITY_NUMBER_WARN)
                .setSeverityText("WARN")
                .setBody(string("payment retried"))
                .addAttributes(kv("orderId", "42"))
                .addAttributes(kv("attempt", integer(2)))
                .addAttributes(kv("ratio", float64(0.25)))
                .addAttributes(kv("retry", AnyValue.newBuilder().setBoolValue(true).build()))
                .addAttributes(kv("tags", AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                        .addValues(string("a")).addValues(integer(1))).build()))
                .addAttributes(kv("ctx", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("k", "v")).addValues(kv("n", float64(1.5)))).build()))
                .addAttributes(kv("blob", AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3}))
                        .build()))
                .addAttributes(kv("logcast.branch", "release/1.2"))
                .addAttributes(kv("logcast.type", "payment"))
                .setFlags(1)
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE_ID)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN_ID)))
                .build();
        LogRecord second = LogRecord.newBuilder()
                .setObservedTimeUnixNano(1_732_449_600_500_000_000L)
                .setSeverityNumberValue(17)
                .setBody(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("error", "boom"))))
                .setEventName("payment.failed")
                .build();
        return ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder()
                        .setResource(Resource.newBuilder()
                                .addAttributes(kv("service.name", "checkout-svc"))
                                .addAttributes(kv("logcast.branch", "feature/x"))
                                .addAttributes(kv("telemetry.sdk.language", "nodejs")))
                        .addScopeLogs(ScopeLogs.newBuilder()
                                .setScope(InstrumentationScope.newBuilder().setName("com.example.checkout")
                                        .setVersion("1.0.0"))
                                .addLogRecords(first)
                                .addLogRecords(second)
                                .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0"))
                        .setSchemaUrl("https://opentelemetry.io/schemas/1.24.0"))
                .build();
    }

    static OtlpResult protobuf(ExportLogsServiceRequest request) throws IngestException {
        return protobuf(request, LIMITS);
    }

    static OtlpResult protobuf(ExportLogsServiceRequest request, EventLimits limits) throws IngestException {
        return Bodies.decode(request.toByteArray(), b -> OtlpDecoder.decodeProtobuf(b, limits, NOW));
    }

    static OtlpResult json(String body) throws IngestException {
        return Bodies.decode(body, b -> OtlpDecoder.decodeJson(b, LIMITS, NOW));
    }

    /** One record under a resource with the given attributes. */
    static ExportLogsServiceRequest oneRecord(LogRecord record, KeyValue... resourceAttrs) {
        Resource.Builder resource = Resource.newBuilder();
        for (KeyValue attr : resourceAttrs) {
            resource.addAttributes(attr);
        }
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource)
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(record))).build();
    }

    static LogEvent only(OtlpResult result) {
        assertThat(result.rejected()).as(result.errorMessage()).isZero();
        assertThat(result.accepted()).hasSize(1);
        return result.accepted().get(0);
    }

    @Test
    void protobufRecordMapsFieldByField() throws Exception {
        assertFullRequestMapped(protobuf(fullRequest()));
    }

    @Test
    void sdkJsonMapsFieldByFieldLikeTheSameRequestInProtobuf() throws Exception {
        OtlpResult fromJson = json(SDK_JSON);
        assertFullRequestMapped(fromJson);
        OtlpResult fromProtobuf = protobuf(fullRequest());
        assertThat(fromJson.accepted()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("msgFolded")
                .isEqualTo(fromProtobuf.accepted());
    }

    private static void assertFullRequestMapped(OtlpResult result) {
        assertThat(result.rejected()).isZero();
        assertThat(result.errorMessage()).isEmpty();
        assertThat(result.accepted()).hasSize(2);

        LogEvent e = result.accepted().get(0);
        assertThat(e.tsMillis()).isEqualTo(1_732_449_600_123L);
        assertThat(e.level()).isEqualTo(Level.WARN);
        assertThat(e.type()).isEqualTo("payment");
        assertThat(e.source()).isEqualTo("checkout-svc");
        assertThat(e.branch()).isEqualTo("release/1.2");
        assertThat(e.msg()).isEqualTo("payment retried");
        assertThat(e.attrCount()).isEqualTo(9);
        String[] keys = new String[e.attrCount()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = e.attrKey(i);
        }
        assertThat(keys).containsExactly("orderId", "attempt", "ratio", "retry", "tags", "ctx", "blob", "trace_id",
                "span_id");
        assertThat(e.attr("orderId")).isEqualTo("42");
        assertThat(e.attr("attempt")).isEqualTo(2L);
        assertThat(e.attr("ratio")).isEqualTo(0.25d);
        assertThat(e.attr("retry")).isEqualTo(Boolean.TRUE);
        assertThat(e.attr("tags")).isEqualTo("[\"a\",1]");
        assertThat(e.attr("ctx")).isEqualTo("{\"k\":\"v\",\"n\":1.5}");
        assertThat(e.attr("blob")).isEqualTo("AQID");
        assertThat(e.attr("trace_id")).isEqualTo(TRACE_ID);
        assertThat(e.attr("span_id")).isEqualTo(SPAN_ID);

        LogEvent second = result.accepted().get(1);
        assertThat(second.tsMillis()).as("observed time when time is 0").isEqualTo(1_732_449_600_500L);
        assertThat(second.level()).isEqualTo(Level.ERROR);
        assertThat(second.type()).as("event_name").isEqualTo("payment.failed");
        assertThat(second.source()).isEqualTo("checkout-svc");
        assertThat(second.branch()).as("the resource's logcast.branch").isEqualTo("feature/x");
        assertThat(second.msg()).isEqualTo("{\"error\":\"boom\"}");
        assertThat(second.attrCount()).as("no trace_id or span_id when empty").isZero();
    }

    @Test
    void snakeCaseKeysNumbersEnumNamesAndNullsAreAccepted() throws Exception {
        LogEvent e = only(json("""
                {"resource_logs":[{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"svc"}}],
                  "entityRefs":[{"type":"service"}]},
                 "scope_logs":[{"scope":null,"log_records":[{"time_unix_nano":1732449600123456789,
                   "observed_time_unix_nano":null,"severity_number":"SEVERITY_NUMBER_ERROR2","severity_text":null,
                   "body":{"string_value":"hi"},"event_name":"click","future_field":{"a":[1]},
                   "attributes":[{"key":"n","value":{"int_value":"1e3"}},
                                 {"key":"nan","value":{"double_value":"NaN"}},
                                 {"key":"inf","value":{"double_value":"-Infinity"}},
                                 {"key":"s","value":{"double_value":"1.5"}},
                                 {"key":"url","value":{"bytes_value":"-_8"}},
                                 {"key":"empty","value":{}},
                                 {"key":"nothing","value":null}],
                   "trace_id":"00000000000000000000000000000000","span_id":"0000000000000000"}]}]}]}
                """));
        assertThat(e.tsMillis()).isEqualTo(1_732_449_600_123L);
        assertThat(e.level()).isEqualTo(Level.ERROR);
        assertThat(e.type()).isEqualTo("click");
        assertThat(e.source()).isEqualTo("svc");
        assertThat(e.msg()).isEqualTo("hi");
        assertThat(e.attr("n")).isEqualTo(1000L);
        assertThat(e.attr("nan")).isEqualTo("NaN");
        assertThat(e.attr("inf")).isEqualTo("-Infinity");
        assertThat(e.attr("s")).isEqualTo(1.5d);
        assertThat(e.attr("url")).isEqualTo("+/8=");
        assertThat(e.attrCount()).as("empty values, all-zero ids dropped").isEqualTo(5);
    }

    @Test
    void maxUnsignedTimeAndNumericEnumStringsAreRead() throws Exception {
        LogEvent e = only(json("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"timeUnixNano\":"
                + "\"18446744073709551615\",\"severityNumber\":\"5\"}]}]}]}"));
        assertThat(e.tsMillis()).isEqualTo(Long.divideUnsigned(-1L, 1_000_000L));
        assertThat(e.level()).isEqualTo(Level.DEBUG);
        assertThat(e.source()).isEqualTo("unknown");
        assertThat(e.branch()).isEqualTo("main");
        assertThat(e.type()).isEqualTo("log");
    }

    @Test
    void tsFallsBackToObservedThenReceiveTime() throws Exception {
        assertThat(only(protobuf(oneRecord(LogRecord.newBuilder().setTimeUnixNano(7_000_000L)
                .setObservedTimeUnixNano(9_000_000L).build()))).tsMillis()).isEqualTo(7);
        assertThat(only(protobuf(oneRecord(LogRecord.newBuilder().setObservedTimeUnixNano(9_999_999L).build())))
                .tsMillis()).isEqualTo(9);
        assertThat(only(protobuf(oneRecord(LogRecord.getDefaultInstance()))).tsMillis()).isEqualTo(NOW);
    }

    static Stream<Arguments> severities() {
        return Stream.of(
                arguments(1, "", Level.TRACE), arguments(4, "", Level.TRACE), arguments(5, "", Level.DEBUG),
                arguments(8, "", Level.DEBUG), arguments(9, "", Level.INFO), arguments(12, "", Level.INFO),
                arguments(13, "", Level.WARN), arguments(16, "", Level.WARN), arguments(17, "", Level.ERROR),
                arguments(20, "", Level.ERROR), arguments(21, "", Level.FATAL), arguments(24, "", Level.FATAL),
                arguments(9, "fatal", Level.INFO),
                arguments(0, "", Level.INFO), arguments(0, "trace", Level.TRACE), arguments(0, "DEBUG", Level.DEBUG),
                arguments(0, "Info", Level.INFO), arguments(0, "Information", Level.INFO),
                arguments(0, "WARN", Level.WARN), arguments(0, "warning", Level.WARN),
                arguments(0, "Error", Level.ERROR), arguments(0, "ERR", Level.ERROR),
                arguments(0, "fatal", Level.FATAL), arguments(0, "CRITICAL", Level.FATAL),
                arguments(0, "crit", Level.FATAL), arguments(0, "Panic", Level.FATAL),
                arguments(0, "notice", Level.INFO), arguments(0, "bogus", Level.INFO),
                arguments(25, "error", Level.ERROR), arguments(-3, "warn", Level.WARN));
    }

    @ParameterizedTest
    @MethodSource("severities")
    void levelFromSeverityNumberRangesElseText(int number, String text, Level expected) throws Exception {
        LogRecord record = LogRecord.newBuilder().setSeverityNumberValue(number).setSeverityText(text).build();
        assertThat(only(protobuf(oneRecord(record))).level()).isEqualTo(expected);
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
                arguments(AnyValue.getDefaultInstance(), ""),
                arguments(string("as is: {\"x\":1}"), "as is: {\"x\":1}"),
                arguments(integer(-17), "-17"),
                arguments(float64(1.5), "1.5"),
                arguments(float64(Double.NaN), "\"NaN\""),
                arguments(AnyValue.newBuilder().setBoolValue(false).build(), "false"),
                arguments(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("hi")).build(), "aGk="),
                arguments(AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(string("a\n"))
                        .addValues(AnyValue.getDefaultInstance()).addValues(AnyValue.newBuilder()
                                .setArrayValue(ArrayValue.newBuilder().addValues(integer(1))))).build(),
                        "[\"a\\n\",null,[1]]"),
                arguments(AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                        .addValues(kv("a", integer(1)))
                        .addValues(kv("b", AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder()
                                .addValues(kv("c", AnyValue.newBuilder().setBytesValue(
                                        ByteString.copyFrom(new byte[] {-1})).build()))).build()))).build(),
                        "{\"a\":1,\"b\":{\"c\":\"/w==\"}}"));
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void bodyIsTheStringOrJsonTextOfAnyOtherValue(AnyValue body, String msg) throws Exception {
        assertThat(only(protobuf(oneRecord(LogRecord.newBuilder().setBody(body).build()))).msg()).isEqualTo(msg);
    }

    static Stream<Arguments> types() {
        return Stream.of(
                arguments("", null, "log"),
                arguments("click", null, "click"),
                arguments("click", "api", "click"),
                arguments("com.Example.Click", "api", "api"),
                arguments("", "api", "api"),
                arguments("x".repeat(33), null, "log"));
    }

    @ParameterizedTest
    @MethodSource("types")
    void typeIsEventNameWhenValidElseTheAttributeElseLog(String eventName, String typeAttr, String expected)
            throws Exception {
        LogRecord.Builder record = LogRecord.newBuilder().setEventName(eventName);
        if (typeAttr != null) {
            record.addAttributes(kv("logcast.type", typeAttr));
        }
        LogEvent e = only(protobuf(oneRecord(record.build())));
        assertThat(e.type()).isEqualTo(expected);
        assertThat(e.attr("logcast.type")).isNull();
    }

    @Test
    void branchIsTheRecordsAttributeElseTheResourcesElseMain() throws Exception {
        LogRecord withBranch = LogRecord.newBuilder().addAttributes(kv("logcast.branch", "rec")).build();
        LogRecord without = LogRecord.getDefaultInstance();
        KeyValue resourceBranch = kv("logcast.branch", "res");
        assertThat(only(protobuf(oneRecord(withBranch, resourceBranch))).branch()).isEqualTo("rec");
        assertThat(only(protobuf(oneRecord(without, resourceBranch))).branch()).isEqualTo("res");
        assertThat(only(protobuf(oneRecord(without))).branch()).isEqualTo("main");
        assertThat(only(protobuf(oneRecord(withBranch, kv("logcast.branch", "bad branch")))).branch())
                .as("a bad resource branch the record overrides").isEqualTo("rec");
        assertThat(only(protobuf(oneRecord(withBranch))).attr("logcast.branch")).isNull();
    }

    @Test
    void sourceIsServiceNameElseUnknown() throws Exception {
        assertThat(only(protobuf(oneRecord(LogRecord.getDefaultInstance(), kv("service.name", "a:b/c"))))
                .source()).isEqualTo("a:b/c");
        assertThat(only(protobuf(oneRecord(LogRecord.getDefaultInstance()))).source()).isEqualTo("unknown");
    }

    @Test
    void repeatedAttributeKeysKeepTheLastValueAndEmptyValuesAreDropped() throws Exception {
        LogEvent e = only(protobuf(oneRecord(LogRecord.newBuilder().addAttributes(kv("a", "1"))
                .addAttributes(kv("b", "2")).addAttributes(kv("a", "3"))
                .addAttributes(kv("empty", AnyValue.getDefaultInstance())).build())));
        assertThat(e.attrCount()).isEqualTo(2);
        assertThat(e.attrKey(0)).isEqualTo("a");
        assertThat(e.attr("a")).isEqualTo("3");
        assertThat(e.attr("b")).isEqualTo("2");
    }

    /** Records that break an event rule: the record, a fragment of its reason. */
    static Stream<Arguments> invalidRecords() {
        return Stream.of(
                arguments(LogRecord.newBuilder().addAttributes(kv("logcast.branch", "a b")).build(),
                        "branch \"a b\" (attribute logcast.branch) does not match [A-Za-z0-9_.:/-]{1,128}"),
                arguments(LogRecord.newBuilder().addAttributes(kv("logcast.branch", integer(5))).build(),
                        "branch of kind INT_VALUE"),
                arguments(LogRecord.newBuilder().addAttributes(kv("logcast.branch", "")).build(), "branch \"\""),
                arguments(LogRecord.newBuilder().addAttributes(kv("logcast.type", "Api")).build(),
                        "type \"Api\" (attribute logcast.type) does not match [a-z0-9_.-]{1,32}"),
                arguments(LogRecord.newBuilder().setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3})).build(),
                        "trace_id of 3 bytes (expected 16)"),
                arguments(LogRecord.newBuilder().setSpanId(ByteString.copyFrom(new byte[16])
                        .concat(ByteString.copyFrom(new byte[] {1}))).build(), "span_id of 17 bytes (expected 8)"));
    }

    @ParameterizedTest
    @MethodSource("invalidRecords")
    void invalidRecordIsRejectedWithItsReasonAndTheOthersAccepted(LogRecord bad, String reason) throws Exception {
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(LogRecord.newBuilder().setBody(string("ok 0")))
                        .addLogRecords(bad)
                        .addLogRecords(LogRecord.newBuilder().setBody(string("ok 2")))))
                .build();
        OtlpResult result = protobuf(request);
        assertThat(result.accepted()).extracting(LogEvent::msg).containsExactly("ok 0", "ok 2");
        assertThat(result.rejected()).isEqualTo(1);
        assertThat(result.errorMessage()).startsWith("log record 1: ").contains(reason);
    }

    @Test
    void invalidServiceNameRejectsEveryRecordOfItsResourceOnly() throws Exception {
        ResourceLogs bad = ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "my service")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance())
                        .addLogRecords(LogRecord.getDefaultInstance()))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance()))
                .build();
        ResourceLogs good = ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", "svc")))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance()))
                .build();
        ResourceLogs numeric = ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(kv("service.name", integer(1))))
                .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.getDefaultInstance()))
                .build();
        OtlpResult result = protobuf(ExportLogsServiceRequest.newBuilder().addResourceLogs(bad)
                .addResourceLogs(good).addResourceLogs(numeric).build());
        assertThat(result.accepted()).extracting(LogEvent::source).containsExactly("svc");
        assertThat(result.rejected()).isEqualTo(4);
        assertThat(result.errorMessage()).isEqualTo(
                "log record 0: source \"my service\" (resource attribute service.name) does not match "
                        + "[A-Za-z0-9_.:/-]{1,128}; log record 1: source \"my service\" (resource attribute "
                        + "service.name) does not match [A-Za-z0-9_.:/-]{1,128}; log record 2: source \"my service\" "
                        + "(resource attribute service.name) does not match [A-Za-z0-9_.:/-]{1,128}; and 1 more");
    }

    /** msg 10 bytes, 2 attrs, keys of 4 characters, values of 8 bytes, 3 records. */
    static final EventLimits SMALL = new EventLimits(1 << 20, 3, 10, 2, 4, 8);

    static Stream<Arguments> limits() {
        LogRecord.Builder twoIds = LogRecord.newBuilder()
                .setTraceId(ByteString.copyFrom(HexFormat.of().parseHex(TRACE_ID)))
                .setSpanId(ByteString.copyFrom(HexFormat.of().parseHex(SPAN_ID)));
        return Stream.of(
                arguments(LogRecord.newBuilder().setBody(string("0123456789")), null),
                arguments(LogRecord.newBuilder().setBody(string("0123456789a")),
                        "body of 11 bytes is over the limit of 10 bytes"),
                arguments(LogRecord.newBuilder().setBody(string("\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9")), "12 bytes"),
                arguments(LogRecord.newBuilder().setBody(integer(1234567890)), null),
                arguments(LogRecord.newBuilder().setBody(integer(12345678901L)), "body of 11 bytes"),
                arguments(LogRecord.newBuilder().addAttributes(kv("a", "1")).addAttributes(kv("b", "2"))
                        .addAttributes(kv("logcast.branch", "x")).addAttributes(kv("logcast.type", "y")), null),
                arguments(LogRecord.newBuilder().addAttributes(kv("a", "1")).addAttributes(kv("b", "2"))
                        .addAttributes(kv("c", "3")), "more than 2 attributes"),
                arguments(twoIds.clone(), null),
                arguments(twoIds.clone().addAttributes(kv("a", "1")),
                        "more than 2 attributes (with trace_id and span_id)"),
                arguments(LogRecord.newBuilder().addAttributes(kv("abcd", "12345678")), null),
                arguments(LogRecord.newBuilder().addAttributes(kv("abcde", "1")),
                        "attribute key \"abcde\" is over the limit of 4 characters"),
                arguments(LogRecord.newBuilder().addAttributes(kv("k", "123456789")),
                        "attribute \"k\" of 9 bytes is over the limit of 8 bytes"),
                arguments(LogRecord.newBuilder().addAttributes(kv("k", AnyValue.newBuilder().setBytesValue(
                        ByteString.copyFrom(new byte[6])).build())), null),
                arguments(LogRecord.newBuilder().addAttributes(kv("k", AnyValue.newBuilder().setBytesValue(
                        ByteString.copyFrom(new byte[7])).build())), "of 12 bytes"),
                arguments(LogRecord.newBuilder().addAttributes(kv("k", AnyValue.newBuilder().setArrayValue(
                        ArrayValue.newBuilder().addValues(string("abcd"))).build())), null),
                arguments(LogRecord.newBuilder().addAttributes(kv("k", AnyValue.newBuilder().setArrayValue(
                        ArrayValue.newBuilder().addValues(string("abcde"))).build())), "of 9 bytes"));
    }

    @ParameterizedTest
    @MethodSource("limits")
    void recordOverALimitIsRejectedAndAtItAccepted(LogRecord.Builder record, String reason) throws Exception {
        OtlpResult result = protobuf(oneRecord(record.build()), SMALL);
        if (reason == null) {
            assertThat(result.rejected()).as(result.errorMessage()).isZero();
            assertThat(result.accepted()).hasSize(1);
        } else {
            assertThat(result.accepted()).isEmpty();
            assertThat(result.rejected()).isEqualTo(1);
            assertThat(result.errorMessage()).contains(reason);
        }
    }

    @Test
    void moreRecordsThanTheBatchLimitIs413() throws Exception {
        ScopeLogs.Builder three = ScopeLogs.newBuilder();
        for (int i = 0; i < 3; i++) {
            three.addLogRecords(LogRecord.getDefaultInstance());
        }
        ExportLogsServiceRequest atLimit = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(three)).build();
        assertThat(protobuf(atLimit, SMALL).accepted()).hasSize(3);
        ExportLogsServiceRequest overLimit = atLimit.toBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(LogRecord.getDefaultInstance()))).build();
        IngestException e = catchThrowableOfType(IngestException.class, () -> protobuf(overLimit, SMALL));
        assertThat(e.status()).isEqualTo(413);
        assertThat(e.index()).isNull();
        assertThat(e.error()).isEqualTo("4 log records in one request, over the limit of 3");

        String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{},{},{}]},{\"logRecords\":[{}]}]}]}";
        IngestException fromJson = catchThrowableOfType(IngestException.class,
                () -> Bodies.decode(json, b -> OtlpDecoder.decodeJson(b, SMALL, NOW)));
        assertThat(fromJson.status()).isEqualTo(413);
        assertThat(fromJson.error()).isEqualTo("more than 3 log records in one request");
    }

    @Test
    void emptyRequestIsAnEmptyResult() throws Exception {
        OtlpResult noBytes = Bodies.decode(new byte[0], b -> OtlpDecoder.decodeProtobuf(b, LIMITS, NOW));
        assertThat(noBytes).isEqualTo(OtlpResult.EMPTY);
        assertThat(protobuf(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
                .addScopeLogs(ScopeLogs.getDefaultInstance())).build())).isEqualTo(OtlpResult.EMPTY);
        assertThat(json("{}")).isEqualTo(OtlpResult.EMPTY);
        assertThat(json("{\"resourceLogs\":[]}")).isEqualTo(OtlpResult.EMPTY);
        assertThat(json("{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[]}]}]}")).isEqualTo(OtlpResult.EMPTY);
    }

    @Test
    void everyBufferShapeDecodesTheSame() throws Exception {
        byte[] proto = fullRequest().toByteArray();
        byte[] sdkJson = Bodies.utf8(SDK_JSON);
        List<LogEvent> expected = protobuf(fullRequest()).accepted();
        for (Bodies.Kind kind : Bodies.Kind.values()) {
            OtlpResult fromProto = Bodies.decode(proto, kind, b -> OtlpDecoder.decodeProtobuf(b, LIMITS, NOW));
            OtlpResult fromJson = Bodies.decode(sdkJson, kind, b -> OtlpDecoder.decodeJson(b, LIMITS, NOW));
            assertThat(fromProto.accepted()).as(kind.name())
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("msgFolded").isEqualTo(expected);
            assertThat(fromJson.accepted()).as(kind.name())
                    .usingRecursiveFieldByFieldElementComparatorIgnoringFields("msgFolded").isEqualTo(expected);
        }
    }
}
