package dev.logcast.broker.it;

import static io.opentelemetry.api.common.AttributeKey.booleanKey;
import static io.opentelemetry.api.common.AttributeKey.doubleKey;
import static io.opentelemetry.api.common.AttributeKey.longKey;
import static io.opentelemetry.api.common.AttributeKey.stringArrayKey;
import static io.opentelemetry.api.common.AttributeKey.stringKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.testing.BrokerFixture;
import dev.logcast.broker.testing.SseClient;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OTLP/HTTP logs from the real OpenTelemetry Java SDK (1.44.1), sent to {@code POST /v1/logs}: protobuf through its
 * OTLP/HTTP exporter, plain and gzip, and OTLP/JSON. The records must come out of a stream mapped as the contract
 * says.
 *
 * <p>SDK 1.44.1 has no public switch to OTLP/JSON (later versions have one), and its internal one
 * ({@code HttpExporterBuilder.exportAsJson()}) sends a Content-Length computed for protobuf, so an uncompressed JSON
 * export fails inside the SDK ("expected 637 bytes but received 2050"). The JSON cases therefore take the SDK's own
 * records ({@code LogRecordData}) and its own OTLP/JSON marshaler ({@code LogsRequestMarshaler.writeJsonTo}), and
 * post that body. SDK 1.44.1 cannot set a record's {@code event_name} either, so {@code type} comes from
 * {@code logcast.type} here; OtlpRawIT covers event_name.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OtlpSdkIT {
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
    private static final String SPAN_ID = "b7ad6b7169203331";

    private static BrokerFixture broker;

    @BeforeAll
    static void start() throws Exception {
        broker = BrokerFixture.start(Map.of());
    }

    @AfterAll
    static void stop() throws IOException {
        broker.close();
    }

    static Stream<Arguments> encodings() {
        return Stream.of(
                Arguments.of("protobuf", false, false),
                Arguments.of("protobuf gzip", false, true),
                Arguments.of("json", true, false),
                Arguments.of("json gzip", true, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("encodings")
    void sdkRecordsReachTheStreamMappedByTheContract(String name, boolean json, boolean gzip) throws Exception {
        String service = "checkout-svc";
        String run = name.replace(' ', '-');
        try (SseClient stream = SseClient.open(broker.port(), "/v1/stream?source=" + service + "&q=" + run)) {
            assertThat(stream.status()).isEqualTo(200);
            Instant beforeEmit = Instant.now();
            JsonCapture capture = json ? new JsonCapture() : null;
            SdkLoggerProvider provider = provider(service, json ? capture : exporter(gzip));
            try {
                Logger logger = provider.get("dev.logcast.it");
                SpanContext span = SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(),
                        TraceState.getDefault());
                logger.logRecordBuilder()
                        .setTimestamp(Instant.parse("2026-11-24T12:00:00.123Z"))
                        .setSeverity(Severity.WARN)
                        .setSeverityText("WARN")
                        .setBody(run + " order placed")
                        .setAttribute(stringKey("logcast.branch"), "team-a/feature-1")
                        .setAttribute(stringKey("logcast.type"), "api")
                        .setAttribute(stringKey("orderId"), "42")
                        .setAttribute(longKey("ms"), 17L)
                        .setAttribute(booleanKey("paid"), true)
                        .setAttribute(doubleKey("ratio"), 0.25)
                        .setAttribute(stringArrayKey("tags"), List.of("a", "b"))
                        .setContext(Context.root().with(Span.wrap(span)))
                        .emit();
                emit(logger, Severity.TRACE2, null, run + " trace");
                emit(logger, Severity.DEBUG, null, run + " debug");
                emit(logger, Severity.INFO4, null, run + " info");
                emit(logger, Severity.ERROR3, null, run + " error");
                emit(logger, Severity.FATAL, null, run + " fatal");
                emit(logger, Severity.UNDEFINED_SEVERITY_NUMBER, "warning", run + " text warning");
                emit(logger, Severity.UNDEFINED_SEVERITY_NUMBER, null, run + " no severity");
                logger.logRecordBuilder()
                        .setBody(Value.of(KeyValue.of("run", Value.of(run)), KeyValue.of("n", Value.of(3L))))
                        .emit();

                CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);
                assertThat(flushed.isSuccess()).as("export succeeded").isTrue();
            } finally {
                provider.shutdown().join(5, TimeUnit.SECONDS);
            }
            if (json) {
                HttpResponse<String> r = capture.post(gzip);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(
                        ct -> assertThat(ct).startsWith("application/json"));
                assertThat(BrokerFixture.jsonObject(r.body())).as("no partial success").isEmpty();
            }

            Map<String, Map<String, Object>> byMsg = new HashMap<>();
            for (SseClient.Event e : stream.messages(9, 10_000)) {
                Map<String, Object> event = BrokerFixture.jsonObject(e.data());
                assertThat(event.get("id")).isEqualTo(e.id());
                byMsg.put((String) event.get("msg"), event);
            }

            Map<String, Object> placed = byMsg.get(run + " order placed");
            assertThat(placed).as("the full record").isNotNull()
                    .containsEntry("source", service)
                    .containsEntry("level", "warn")
                    .containsEntry("branch", "team-a/feature-1")
                    .containsEntry("type", "api")
                    .containsEntry("ts", "2026-11-24T12:00:00.123Z");
            @SuppressWarnings("unchecked")
            Map<String, Object> attrs = (Map<String, Object>) placed.get("attrs");
            assertThat(attrs).doesNotContainKeys("logcast.branch", "logcast.type")
                    .containsEntry("orderId", "42")
                    .containsEntry("ms", 17L)
                    .containsEntry("paid", true)
                    .containsEntry("ratio", 0.25)
                    .containsEntry("trace_id", TRACE_ID)
                    .containsEntry("span_id", SPAN_ID);
            assertThat(BrokerFixture.parseJson((String) attrs.get("tags"))).isEqualTo(List.of("a", "b"));

            assertThat(byMsg.get(run + " trace")).containsEntry("level", "trace");
            assertThat(byMsg.get(run + " debug")).containsEntry("level", "debug");
            assertThat(byMsg.get(run + " info")).containsEntry("level", "info");
            assertThat(byMsg.get(run + " error")).containsEntry("level", "error");
            assertThat(byMsg.get(run + " fatal")).containsEntry("level", "fatal");
            assertThat(byMsg.get(run + " text warning")).containsEntry("level", "warn");
            Map<String, Object> plain = byMsg.get(run + " no severity");
            assertThat(plain).containsEntry("level", "info").containsEntry("type", "log")
                    .containsEntry("branch", "main").containsEntry("source", service)
                    .containsEntry("attrs", Map.of());
            // no record time: the SDK's observed time, which is now
            assertThat(Instant.parse((String) plain.get("ts")))
                    .isBetween(beforeEmit.minusSeconds(1), Instant.now().plusSeconds(1));

            String structured = byMsg.keySet().stream().filter(m -> m.startsWith("{")).findFirst().orElseThrow();
            assertThat(BrokerFixture.parseJson(structured)).isEqualTo(Map.of("run", run, "n", 3L));
        }
    }

    private static void emit(Logger logger, Severity severity, String text, String body) {
        var b = logger.logRecordBuilder().setSeverity(severity).setBody(body);
        if (text != null) {
            b.setSeverityText(text);
        }
        b.emit();
    }

    private static SdkLoggerProvider provider(String service, LogRecordExporter exporter) {
        Resource resource = Resource.getDefault()
                .merge(Resource.create(Attributes.of(stringKey("service.name"), service)));
        return SdkLoggerProvider.builder()
                .setResource(resource)
                .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter)
                        .setScheduleDelay(10, TimeUnit.SECONDS).build())
                .build();
    }

    private static OtlpHttpLogRecordExporter exporter(boolean gzip) {
        return OtlpHttpLogRecordExporter.builder()
                .setEndpoint("http://127.0.0.1:" + broker.port() + "/v1/logs")
                .setCompression(gzip ? "gzip" : "none")
                .setTimeout(5, TimeUnit.SECONDS)
                .build();
    }

    /** Keeps the SDK's exported records, then posts them as the SDK's OTLP/JSON. */
    private static final class JsonCapture implements LogRecordExporter {
        private final List<LogRecordData> records = new CopyOnWriteArrayList<>();

        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            records.addAll(logs);
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }

        HttpResponse<String> post(boolean gzip) throws Exception {
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            LogsRequestMarshaler.create(records).writeJsonTo(json);
            byte[] body = json.toByteArray();
            if (gzip) {
                body = IngestIT.gzip(body);
            }
            return broker.post("application/json", gzip ? "gzip" : null, body);
        }
    }
}
