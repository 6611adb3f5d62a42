package dev.logcast.broker.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.ingest.IngestService.Format;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IngestServiceFormatTest {
    static Stream<Arguments> contentTypes() {
        return Stream.of(
                Arguments.of("application/json", Format.JSON),
                Arguments.of("Application/JSON", Format.JSON),
                Arguments.of("application/json; charset=utf-8", Format.JSON),
                Arguments.of(" application/json ;charset=UTF-8", Format.JSON),
                Arguments.of("application/x-ndjson", Format.NDJSON),
                Arguments.of("application/ndjson", Format.NDJSON),
                Arguments.of("application/jsonl", Format.NDJSON),
                Arguments.of("application/x-jsonlines", Format.NDJSON),
                Arguments.of("application/x-protobuf", Format.OTLP_PROTOBUF),
                Arguments.of("application/protobuf", Format.OTLP_PROTOBUF),
                Arguments.of(null, null),
                Arguments.of("", null),
                Arguments.of("text/plain", null),
                Arguments.of("application/xml", null),
                Arguments.of("application/json-seq", null),
                Arguments.of("application/jsonx", null),
                Arguments.of("multipart/form-data; boundary=x", null));
    }

    /** Content-Encoding: a list of codings, identity being none; anything but nothing or one gzip is refused (null). */
    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @org.junit.jupiter.params.provider.CsvSource(nullValues = "NULL", value = {
        "NULL, false", "'', false", "identity, false", "IDENTITY, false", "gzip, true", "GZIP, true", "x-gzip, true",
        "'gzip, identity', true", "'identity, gzip', true", "' gzip ', true", "'gzip, gzip', NULL", "br, NULL",
        "'gzip, br', NULL", "deflate, NULL", "compress, NULL"})
    void contentEncodingIsNoneOrOneGzip(String encoding, Boolean expected) {
        assertThat(IngestService.isGzip(encoding)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @MethodSource("contentTypes")
    void formatComesFromTheMediaType(String contentType, Format expected) {
        assertThat(IngestService.format(contentType)).isEqualTo(expected);
    }

    @Test
    void acceptedBodyIsTheContractsShape() {
        ByteBuf body = IngestService.nativeAccepted(3, 1795557608916196L, 1795557608916198L);

        assertThat(body.toString(StandardCharsets.US_ASCII))
                .isEqualTo("{\"accepted\":3,\"first\":\"1795557608916196\",\"last\":\"1795557608916198\"}");
        body.release();
    }

    @Test
    void acceptedIdsAreUnsigned() {
        ByteBuf body = IngestService.nativeAccepted(1, -1L, -1L);

        assertThat(body.toString(StandardCharsets.US_ASCII))
                .isEqualTo("{\"accepted\":1,\"first\":\"18446744073709551615\",\"last\":\"18446744073709551615\"}");
        body.release();
    }
}
