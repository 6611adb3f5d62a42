package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.LogEvent;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Attacks on the way in: text that would break SSE framing or a log line, and bodies cut or corrupted anywhere.
 * Every such text must decode intact from every ingest format, and the event's JSON must hold no raw CR, LF or NUL.
 */
class HostileInputTest {
    static final EventLimits LIMITS = EventLimits.DEFAULTS;

    static Stream<String> hostileTexts() {
        return Stream.of(
                "\n\ndata: forged",
                "id: 99\nevent: gap\ndata: {\"from\":\"1\",\"to\":\"9\"}\n\n",
                "a\u0000b",
                "line1\r\nline2",
                "\r",
                "\rdata: x\r\r",
                "a\u2028b\u2029c\u0085d",
                "\ud83d\ude00 \ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67 \ud83c\udde9\ud83c\uddea",
                "\u001b[31mred\u001b[0m\u007f\t\b\f",
                "</script><script>alert(1)</script>",
                "\"quoted\" \\back\\slash\\");
    }

    @ParameterizedTest
    @MethodSource("hostileTexts")
    void hostileTextSurvivesNativeJsonAndNeverBreaksAFrame(String text) throws Exception {
        LogEvent e = Bodies.decode(nativeEvent(text), b -> NativeDecoder.decodeJson(b, LIMITS, 0)).get(0);
        assertIntactAndFramingSafe(e, text);
    }

    @ParameterizedTest
    @MethodSource("hostileTexts")
    void hostileTextSurvivesNdjsonAndNeverBreaksAFrame(String text) throws Exception {
        byte[] line = nativeEvent(text);
        byte[] body = concat(line, Bodies.utf8("\r\n"), line, Bodies.utf8("\n"));
        List<LogEvent> events = Bodies.decode(body, b -> NativeDecoder.decodeNdjson(b, LIMITS, 0));
        assertThat(events).hasSize(2);
        for (LogEvent e : events) {
            assertIntactAndFramingSafe(e, text);
        }
    }

    @ParameterizedTest
    @MethodSource("hostileTexts")
    void hostileTextSurvivesOtlpProtobufAndNeverBreaksAFrame(String text) throws Exception {
        ExportLogsServiceRequest request = ExportLogsServiceRequest.newBuilder()
                .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
                        .addLogRecords(LogRecord.newBuilder()
                                .setBody(AnyValue.newBuilder().setStringValue(text))
                                .addAttributes(KeyValue.newBuilder().setKey(text)
                                        .setValue(AnyValue.newBuilder().setStringValue(text))))))
                .build();
        OtlpResult result = Bodies.decode(request.toByteArray(),
                b -> OtlpDecoder.decodeProtobuf(b, LIMITS, 0));
        assertThat(result.rejected()).isZero();
        assertIntactAndFramingSafe(result.accepted().get(0), text);
    }

    @ParameterizedTest
    @MethodSource("hostileTexts")
    void hostileTextSurvivesOtlpJsonAndNeverBreaksAFrame(String text) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("resourceLogs");
            gen.writeStartObject();
            gen.writeArrayFieldStart("scopeLogs");
            gen.writeStartObject();
            gen.writeArrayFieldStart("logRecords");
            gen.writeStartObject();
            gen.writeObjectFieldStart("body");
            gen.writeStringField("stringValue", text);
            gen.writeEndObject();
            gen.writeArrayFieldStart("attributes");
            gen.writeStartObject();
            gen.writeStringField("key", text);
            gen.writeObjectFieldStart("value");
            gen.writeStringField("stringValue", text);
            gen.writeEndObject();
            gen.writeEndObject();
            gen.writeEndArray();
            gen.writeEndObject();
            gen.writeEndArray();
            gen.writeEndObject();
            gen.writeEndArray();
            gen.writeEndObject();
            gen.writeEndArray();
            gen.writeEndObject();
        }
        OtlpResult result = Bodies.decode(out.toByteArray(), b -> OtlpDecoder.decodeJson(b, LIMITS, 0));
        assertThat(result.rejected()).isZero();
        assertIntactAndFramingSafe(result.accepted().get(0), text);
    }

    @Test
    void handWrittenEscapesDecodeToTheCharactersTheyName() throws Exception {
        String body = "{\"msg\":\"\\n\\ndata: forged\\u0000\\r\\n\\u2028\\ud83d\\ude00\\/\"}";
        LogEvent e = Bodies.decode(body, b -> NativeDecoder.decodeJson(b, LIMITS, 0)).get(0);
        assertThat(e.msg()).isEqualTo("\n\ndata: forged\u0000\r\n\u2028\ud83d\ude00/");
        assertFramingSafe(e, e.msg());
    }

    @Test
    void loneSurrogateFromOtlpJsonIsRejectedOrEscapedNeverACrash() throws Exception {
        String body = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":["
                + "{\"body\":{\"stringValue\":\"a\\ud800\"}},"
                + "{\"attributes\":[{\"key\":\"k\",\"value\":{\"stringValue\":\"\\udc00\"}}]},"
                + "{\"body\":{\"kvlistValue\":{\"values\":[{\"key\":\"k\\ud800\",\"value\":"
                + "{\"stringValue\":\"\\udfff\"}}]}}},"
                + "{\"body\":{\"stringValue\":\"ok \\ud83d\\ude00\"}}]}]}]}";
        OtlpResult result = Bodies.decode(body, b -> OtlpDecoder.decodeJson(b, LIMITS, 0));
        assertThat(result.rejected()).isEqualTo(2);
        assertThat(result.errorMessage()).contains("log record 0: body holds a lone UTF-16 surrogate")
                .contains("log record 1: attribute \"k\" holds a lone UTF-16 surrogate");
        assertThat(result.accepted()).hasSize(2);
        for (LogEvent e : result.accepted()) {
            assertFramingSafe(e, e.msg());
            assertThat(EventRules.utf8Length(e.msg())).as(e.msg()).isNotNegative();
        }
        assertThat(result.accepted().get(1).msg()).isEqualTo("ok \ud83d\ude00");
    }

    @Test
    void bodyCutAtEveryByteIsA400NeverAnotherException() throws Exception {
        byte[] body = Bodies.utf8("[{\"ts\":\"2026-11-24T12:00:00.123Z\",\"level\":\"warn\",\"msg\":\"caf\u00e9 "
                + "\ud83d\ude00\",\"attrs\":{\"k\":1.5,\"b\":true,\"s\":\"\u00e9\"}},{\"ts\":1732449600123}]");
        for (int cut = 0; cut < body.length; cut++) {
            byte[] prefix = Arrays.copyOf(body, cut);
            IngestException e = catchThrowableOfType(IngestException.class,
                    () -> Bodies.decode(prefix, b -> NativeDecoder.decodeJson(b, LIMITS, 0)));
            assertThat(e).as("cut at %d", cut).isNotNull();
            assertThat(e.status()).isEqualTo(400);
        }
        List<LogEvent> whole = Bodies.decode(body, b -> NativeDecoder.decodeJson(b, LIMITS, 0));
        assertThat(whole).hasSize(2);
    }

    @Test
    void corruptedBodiesOnlyEverRaiseIngestException() throws Exception {
        Random random = new Random(20261124);
        byte[] json = Bodies.utf8("[{\"ts\":\"2026-11-24T12:00:00Z\",\"level\":\"info\",\"type\":\"api\","
                + "\"source\":\"svc\",\"branch\":\"main\",\"msg\":\"h\u00e9\",\"attrs\":{\"a\":1,\"b\":\"x\"}}]");
        byte[] otlpJson = Bodies.utf8(OtlpDecoderTest.SDK_JSON);
        byte[] otlpProto = OtlpDecoderTest.fullRequest().toByteArray();
        for (int round = 0; round < 1000; round++) {
            decodeOrRefuse(corrupt(json, random), b -> NativeDecoder.decodeJson(b, LIMITS, 0));
            decodeOrRefuse(corrupt(json, random), b -> NativeDecoder.decodeNdjson(b, LIMITS, 0));
            decodeOrRefuse(corrupt(otlpJson, random), b -> OtlpDecoder.decodeJson(b, LIMITS, 0));
            decodeOrRefuse(corrupt(otlpProto, random), b -> OtlpDecoder.decodeProtobuf(b, LIMITS, 0));
            byte[] noise = new byte[random.nextInt(64)];
            random.nextBytes(noise);
            decodeOrRefuse(noise, b -> OtlpDecoder.decodeProtobuf(b, LIMITS, 0));
            decodeOrRefuse(noise, b -> NativeDecoder.isOtlpJson(b) ? null : NativeDecoder.decodeJson(b, LIMITS, 0));
        }
    }

    private static byte[] corrupt(byte[] original, Random random) {
        byte[] copy = original.clone();
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++) {
            int at = random.nextInt(copy.length);
            switch (random.nextInt(3)) {
                case 0 -> copy[at] = (byte) random.nextInt(256);
                case 1 -> copy[at] = (byte) "{}[]\",:0\\e-".charAt(random.nextInt(11));
                default -> copy = Arrays.copyOf(copy, at);
            }
            if (copy.length == 0) {
                break;
            }
        }
        return copy;
    }

    private static void decodeOrRefuse(byte[] body, Bodies.Decode<?> decode) {
        try {
            Bodies.decode(body, Bodies.Kind.COMPOSITE, decode);
        } catch (IngestException e) {
            assertThat(e.status()).isIn(400, 413);
            assertThat(e.error()).isNotBlank();
        } catch (RuntimeException e) {
            fail("body %s raised %s", Arrays.toString(body), e);
        }
    }

    private static void assertIntactAndFramingSafe(LogEvent e, String text) throws IOException {
        assertThat(e.msg()).isEqualTo(text);
        assertThat(e.attr(text)).isEqualTo(text);
        assertFramingSafe(e, text);
    }

    private static void assertFramingSafe(LogEvent e, String text) throws IOException {
        byte[] tail = EventJson.encodeTail(e);
        for (byte b : tail) {
            assertThat(b).as("raw CR, LF or NUL in the encoded event").isNotIn((byte) '\r', (byte) '\n', (byte) 0);
        }
        // and the JSON still says the same thing
        try (JsonParser p = EventJson.FACTORY.createParser(EventJson.encode(1, e))) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            String msg = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("msg")) {
                    msg = p.getText();
                }
                p.skipChildren();
            }
            assertThat(msg).isEqualTo(text);
        }
    }

    private static byte[] nativeEvent(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("msg", text);
            gen.writeObjectFieldStart("attrs");
            gen.writeStringField(text, text);
            gen.writeEndObject();
            gen.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
