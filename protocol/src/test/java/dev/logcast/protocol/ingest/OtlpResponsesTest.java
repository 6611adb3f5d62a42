package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OtlpResponsesTest {
    static final OtlpResult PARTIAL = new OtlpResult(List.of(), 2, "log record 1: branch \"a b\" does not match");

    @Test
    void fullSuccessIsAnEmptyResponse() throws Exception {
        byte[] proto = OtlpResponses.successProtobuf(OtlpResult.EMPTY);
        assertThat(proto).isEmpty();
        assertThat(ExportLogsServiceResponse.parseFrom(proto).hasPartialSuccess()).isFalse();
        assertThat(new String(OtlpResponses.successJson(OtlpResult.EMPTY), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void rejectedRecordsAreReportedAsPartialSuccess() throws Exception {
        ExportLogsServiceResponse response = ExportLogsServiceResponse.parseFrom(
                OtlpResponses.successProtobuf(PARTIAL));
        assertThat(response.getPartialSuccess().getRejectedLogRecords()).isEqualTo(2);
        assertThat(response.getPartialSuccess().getErrorMessage()).isEqualTo(PARTIAL.errorMessage());
        assertThat(new String(OtlpResponses.successJson(PARTIAL), StandardCharsets.UTF_8)).isEqualTo(
                "{\"partialSuccess\":{\"rejectedLogRecords\":\"2\","
                        + "\"errorMessage\":\"log record 1: branch \\\"a b\\\" does not match\"}}");
    }

    @Test
    void everyCallReturnsAFreshArray() {
        byte[] first = OtlpResponses.successJson(OtlpResult.EMPTY);
        first[0] = 'x';
        assertThat(new String(OtlpResponses.successJson(OtlpResult.EMPTY), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    static Stream<Arguments> codes() {
        return Stream.of(arguments(400, Code.INVALID_ARGUMENT), arguments(415, Code.INVALID_ARGUMENT),
                arguments(401, Code.UNAUTHENTICATED), arguments(403, Code.PERMISSION_DENIED),
                arguments(404, Code.NOT_FOUND), arguments(413, Code.RESOURCE_EXHAUSTED),
                arguments(429, Code.RESOURCE_EXHAUSTED), arguments(503, Code.UNAVAILABLE),
                arguments(504, Code.DEADLINE_EXCEEDED), arguments(500, Code.INTERNAL), arguments(418, Code.UNKNOWN));
    }

    @ParameterizedTest
    @MethodSource("codes")
    void errorIsAGoogleRpcStatusWithTheMatchingCode(int httpStatus, Code code) throws Exception {
        Status status = Status.parseFrom(OtlpResponses.status(httpStatus, "why"));
        assertThat(status.getCode()).isEqualTo(code.getNumber());
        assertThat(status.getMessage()).isEqualTo("why");
        assertThat(OtlpResponses.grpcCode(httpStatus)).isEqualTo(code.getNumber());
    }

    @Test
    void ingestExceptionBecomesAStatus() throws Exception {
        Status status = Status.parseFrom(OtlpResponses.status(IngestException.tooLarge(null, "too many records")));
        assertThat(status.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
        assertThat(status.getMessage()).isEqualTo("too many records");
    }
}
