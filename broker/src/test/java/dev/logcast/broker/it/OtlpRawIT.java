package dev.logcast.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.logcast.broker.testing.BrokerFixture;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OTLP/HTTP logs built by hand with OpenTelemetry's generated proto classes: the per-record rules (partial success),
 * the request-level rules (400 with a {@code google.rpc.Status}, 413), and the mapping table of the contract.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OtlpRawIT {
    private static final String PROTOBUF = "application/x-protobuf";
    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of("ingest.max.events", "50", "ingest.max.msg", "1KiB",
                "ingest.max.body", "256KiB"));
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    @Test
    void allValidRecordsAre200WithAnEmptyProtobufResponse() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<byte[]> r = postProtobuf(request("svc", record("a"), record("b")).toByteArray(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue(PROTOBUF);
        ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(r.body());
        assertThat(response.hasPartialSuccess()).isFalse();
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("a", "b");
    }

    @Test
    void oneInvalidRecordIsRejectedInPartialSuccessAndTheValidOnesAreStored() throws Exception {
        long before = broker.lastEventId();
        ExportLogsServiceRequest request = request("svc",
                record("first"),
                record("bad").toBuilder().addAttributes(attr("logcast.branch", "not a branch")).build(),
                record("third"));

        HttpResponse<byte[]> r = postProtobuf(request.toByteArray(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(r.body());
        assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(1);
        assertThat(response.getPartialSuccess().getErrorMessage()).contains("log record 1").contains("branch");
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("first", "third");
    }

    @Test
    void otlpJsonPartialSuccessIsJson() throws Exception {
        long before = broker.lastEventId();
        String body = "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"json-svc\"}}]},\"scopeLogs\":[{\"logRecords\":["
                + "{\"body\":{\"stringValue\":\"ok\"},\"severityNumber\":17},"
                + "{\"body\":{\"stringValue\":\"bad\"},\"attributes\":[{\"key\":\"logcast.type\","
                + "\"value\":{\"stringValue\":\"Not A Type\"}}]}]}]}]}";

        HttpResponse<String> r = broker.post("application/json", body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        Map<String, Object> partial = (Map<String, Object>) BrokerFixture.jsonObject(r.body()).get("partialSuccess");
        assertThat(partial).containsEntry("rejectedLogRecords", "1");
        assertThat((String) partial.get("errorMessage")).contains("log record 1");
        assertThat(broker.eventsAfter(before)).singleElement().satisfies(e -> assertThat(e)
                .containsEntry("msg", "ok").containsEntry("level", "error").containsEntry("source", "json-svc"));
    }

    @Test
    void recordOverAnEventLimitIsRejectedNotTheRequest() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<byte[]> r = postProtobuf(request("svc", record("x".repeat(1025)), record("fits")).toByteArray(),
                null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedLogRecords())
                .isEqualTo(1);
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("fits");
    }

    @Test
    void invalidServiceNameRejectsEveryRecordOfThatResource() throws Exception {
        long before = broker.lastEventId();
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(resourceLogs("bad service", record("x"), record("y")))
                .addResourceLogs(resourceLogs("good-svc", record("z")))
                .build();

        HttpResponse<byte[]> r = postProtobuf(request.toByteArray(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedLogRecords())
                .isEqualTo(2);
        assertThat(broker.eventsAfter(before)).singleElement().satisfies(e -> assertThat(e)
                .containsEntry("msg", "z").containsEntry("source", "good-svc"));
    }

    @Test
    void truncatedProtobufIs400WithAGoogleRpcStatusAndStoresNothing() throws Exception {
        long before = broker.lastEventId();
        byte[] whole = request("svc", record("a"), record("b")).toByteArray();

        HttpResponse<byte[]> r = postProtobuf(Arrays.copyOf(whole, whole.length - 3), null);

        assertStatus(r, 400, Code.INVALID_ARGUMENT);
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void garbageProtobufIs400WithAGoogleRpcStatus() throws Exception {
        long before = broker.lastEventId();
        byte[] garbage = {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02};

        HttpResponse<byte[]> r = postProtobuf(garbage, null);

        assertStatus(r, 400, Code.INVALID_ARGUMENT);
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void protobufWithInvalidUtf8InAStringIs400() throws Exception {
        long before = broker.lastEventId();
        byte[] body = request("svc", record("AAAA")).toByteArray();
        byte[] marker = "AAAA".getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, marker);
        body[at] = (byte) 0xff;

        HttpResponse<byte[]> r = postProtobuf(body, null);

        assertStatus(r, 400, Code.INVALID_ARGUMENT);
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void malformedOtlpJsonIs400WithTheNativeErrorBody() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<String> r = broker.post("application/json", "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(BrokerFixture.jsonObject(r.body())).containsOnlyKeys("error", "index");
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void emptyRequestIs200AndStoresNothing() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<byte[]> r = postProtobuf(new byte[0], null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void moreThanMaxRecordsIs413WithAGoogleRpcStatus() throws Exception {
        long before = broker.lastEventId();
        LogRecord[] records = new LogRecord[51];
        Arrays.fill(records, record("r"));

        HttpResponse<byte[]> r = postProtobuf(request("svc", records).toByteArray(), null);

        assertStatus(r, 413, Code.RESOURCE_EXHAUSTED);
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void aBodyOverTheBodyLimitIs413WithAGoogleRpcStatus() throws Exception {
        long before = broker.lastEventId();
        String head = "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: " + PROTOBUF + "\r\nContent-Length: "
                + (300 * 1024) + "\r\n";

        for (String expect : List.of("", "Expect: 100-continue\r\n")) {
            try (BrokerFixture.RawConnection c = broker.connect()) {
                BrokerFixture.RawResponse r = c.write(head + expect + "\r\n").readResponse();

                assertThat(r.status()).as(expect).isEqualTo(413);
                assertThat(r.header("content-type")).isEqualTo(PROTOBUF);
                Status s = Status.parseFrom(r.body());
                assertThat(s.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED.getNumber());
                assertThat(s.getMessage()).contains("larger than");
            }
        }
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void gzipProtobufIsAccepted() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<byte[]> r = postProtobuf(IngestIT.gzip(request("svc", record("zipped")).toByteArray()), "gzip");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg")).containsExactly("zipped");
    }

    @Test
    void gzipBombAsProtobufIs413WithAGoogleRpcStatus() throws Exception {
        long before = broker.lastEventId();

        HttpResponse<byte[]> r = postProtobuf(IngestRejectionIT.gzipZeros(64L << 20), "gzip");

        assertStatus(r, 413, Code.RESOURCE_EXHAUSTED);
        assertThat(broker.eventsAfter(before)).isEmpty();
    }

    @Test
    void unknownContentEncodingOnProtobufIs415WithAGoogleRpcStatus() throws Exception {
        HttpResponse<byte[]> r = postProtobuf(request("svc", record("a")).toByteArray(), "br");

        assertStatus(r, 415, Code.INVALID_ARGUMENT);
    }

    static Stream<Arguments> severities() {
        return Stream.of(
                Arguments.of(1, "", "trace"), Arguments.of(4, "", "trace"),
                Arguments.of(5, "", "debug"), Arguments.of(8, "", "debug"),
                Arguments.of(9, "", "info"), Arguments.of(12, "", "info"),
                Arguments.of(13, "", "warn"), Arguments.of(16, "", "warn"),
                Arguments.of(17, "", "error"), Arguments.of(20, "", "error"),
                Arguments.of(21, "", "fatal"), Arguments.of(24, "", "fatal"),
                Arguments.of(13, "fatal", "warn"),
                Arguments.of(0, "", "info"),
                Arguments.of(0, "TRACE", "trace"), Arguments.of(0, "Debug", "debug"),
                Arguments.of(0, "warning", "warn"), Arguments.of(0, "WARN", "warn"),
                Arguments.of(0, "err", "error"), Arguments.of(0, "Error", "error"),
                Arguments.of(0, "information", "info"),
                Arguments.of(0, "critical", "fatal"), Arguments.of(0, "CRIT", "fatal"), Arguments.of(0, "panic", "fatal"),
                Arguments.of(0, "fatal", "fatal"), Arguments.of(0, "bogus", "info"));
    }

    @ParameterizedTest(name = "severity_number {0}, severity_text \"{1}\" -> {2}")
    @MethodSource("severities")
    void levelComesFromSeverityNumberElseSeverityText(int number, String text, String level) throws Exception {
        LogRecord record = record("sev").toBuilder().setSeverityNumberValue(number).setSeverityText(text).build();

        assertThat(postOne(request("svc", record))).containsEntry("level", level);
    }

    @Test
    void eventNameBecomesTheType() throws Exception {
        LogRecord record = record("evt").toBuilder().setEventName("checkout.done")
                .addAttributes(attr("logcast.type", "api")).build();

        assertThat(postOne(request("svc", record))).containsEntry("type", "checkout.done");
    }

    @Test
    void anInvalidEventNameFallsBackToLogcastType() throws Exception {
        LogRecord record = record("evt").toBuilder().setEventName("Checkout Done")
                .addAttributes(attr("logcast.type", "api")).build();

        assertThat(postOne(request("svc", record))).containsEntry("type", "api");
    }

    @Test
    void theRecordsBranchWinsOverTheResourcesBranch() throws Exception {
        long before = broker.lastEventId();
        ResourceLogs resourceLogs = resourceLogs("svc",
                record("own").toBuilder().addAttributes(attr("logcast.branch", "record-branch")).build(),
                record("inherited"));
        resourceLogs = resourceLogs.toBuilder().setResource(resourceLogs.getResource().toBuilder()
                .addAttributes(attr("logcast.branch", "resource-branch"))).build();

        HttpResponse<byte[]> r = postProtobuf(ExportLogsServiceRequest.newBuilder().addResourceLogs(resourceLogs)
                .build().toByteArray(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(broker.eventsAfter(before)).extracting(e -> e.get("msg") + "@" + e.get("branch"))
                .containsExactly("own@record-branch", "inherited@resource-branch");
    }

    @Test
    void noServiceNameIsSourceUnknown() throws Exception {
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder().addLogRecords(
                        record("anon")))).build();

        assertThat(postOne(request)).containsEntry("source", "unknown");
    }

    @Test
    void tsIsTimeElseObservedTimeElseReceiveTime() throws Exception {
        long t = Instant.parse("2026-11-24T12:00:00.123Z").toEpochMilli() * 1_000_000L + 456_789L;
        long observed = Instant.parse("2025-01-02T03:04:05.006Z").toEpochMilli() * 1_000_000L;
        long before = broker.lastEventId();
        Instant sent = Instant.now();

        HttpResponse<byte[]> r = postProtobuf(request("svc",
                record("both").toBuilder().setTimeUnixNano(t).setObservedTimeUnixNano(observed).build(),
                record("observed").toBuilder().setObservedTimeUnixNano(observed).build(),
                record("none")).toByteArray(), null);

        assertThat(r.statusCode()).isEqualTo(200);
        List<Map<String, Object>> events = broker.eventsAfter(before);
        assertThat(events).extracting(e -> e.get("ts")).startsWith("2026-11-24T12:00:00.123Z",
                "2025-01-02T03:04:05.006Z");
        assertThat(Instant.parse((String) events.get(2).get("ts")))
                .isBetween(sent.minusSeconds(1), Instant.now().plusSeconds(1));
    }

    @Test
    void bodiesAndAttributesKeepScalarsAndWriteTheRestAsJsonText() throws Exception {
        AnyValue list = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
                .addValues(AnyValue.newBuilder().setIntValue(1))
                .addValues(AnyValue.newBuilder().setStringValue("a"))).build();
        LogRecord record = LogRecord.newBuilder()
                .setBody(list)
                .addAttributes(KeyValue.newBuilder().setKey("n").setValue(AnyValue.newBuilder().setIntValue(7)))
                .addAttributes(KeyValue.newBuilder().setKey("d").setValue(AnyValue.newBuilder().setDoubleValue(1.5)))
                .addAttributes(KeyValue.newBuilder().setKey("b").setValue(AnyValue.newBuilder().setBoolValue(true)))
                .addAttributes(KeyValue.newBuilder().setKey("list").setValue(list))
                .addAttributes(KeyValue.newBuilder().setKey("bytes")
                        .setValue(AnyValue.newBuilder().setBytesValue(ByteString.copyFrom(new byte[] {1, 2, 3}))))
                .setTraceId(ByteString.copyFrom(new byte[16]))
                .setSpanId(ByteString.copyFrom(new byte[8]))
                .build();

        Map<String, Object> event = postOne(request("svc", record));

        assertThat(BrokerFixture.parseJson((String) event.get("msg"))).isEqualTo(List.of(1L, "a"));
        @SuppressWarnings("unchecked")
        Map<String, Object> attrs = (Map<String, Object>) event.get("attrs");
        assertThat(attrs).containsEntry("n", 7L).containsEntry("d", 1.5).containsEntry("b", true)
                .containsEntry("bytes", "AQID").doesNotContainKeys("trace_id", "span_id");
        assertThat(BrokerFixture.parseJson((String) attrs.get("list"))).isEqualTo(List.of(1L, "a"));
    }

    // ---- helpers

    private static Map<String, Object> postOne(ExportLogsServiceRequest request) throws Exception {
        long before = broker.lastEventId();
        HttpResponse<byte[]> r = postProtobuf(request.toByteArray(), null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(ExportLogsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
        List<Map<String, Object>> events = broker.eventsAfter(before);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static void assertStatus(HttpResponse<byte[]> r, int status, Code code) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue(PROTOBUF);
        Status s = Status.parseFrom(r.body());
        assertThat(s.getCode()).isEqualTo(code.getNumber());
        assertThat(s.getMessage()).isNotBlank();
    }

    private static HttpResponse<byte[]> postProtobuf(byte[] body, String encoding) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(broker.uri("/v1/logs")).header("Content-Type", PROTOBUF)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(java.time.Duration.ofSeconds(10));
        if (encoding != null) {
            b.header("Content-Encoding", encoding);
        }
        return broker.http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static ExportLogsServiceRequest request(String service, LogRecord... records) {
        return ExportLogsServiceRequest.newBuilder().addResourceLogs(resourceLogs(service, records)).build();
    }

    private static ResourceLogs resourceLogs(String service, LogRecord... records) {
        return ResourceLogs.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", service)))
                .addScopeLogs(ScopeLogs.newBuilder().addAllLogRecords(List.of(records)))
                .build();
    }

    private static LogRecord record(String body) {
        return LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue(body)).build();
    }

    private static KeyValue attr(String key, String value) {
        return KeyValue.newBuilder().setKey(key).setValue(AnyValue.newBuilder().setStringValue(value)).build();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found");
    }
}
