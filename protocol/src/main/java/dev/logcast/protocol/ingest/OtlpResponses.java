package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.logcast.protocol.EventJson;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsPartialSuccess;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bodies of OTLP/HTTP responses (OTLP specification, "OTLP/HTTP Response"): on success an
 * {@code ExportLogsServiceResponse} in the request's encoding, with {@code partial_success} when records were
 * rejected; on a protobuf request's failure a {@code google.rpc.Status}. JSON requests fail with the native body,
 * {@link IngestException#toJson()}. Stateless and thread-safe; every call returns a fresh array.
 */
public final class OtlpResponses {
    private static final byte[] EMPTY_JSON = {'{', '}'};

    private OtlpResponses() {
    }

    /** The success body for an {@code application/x-protobuf} request. */
    public static byte[] successProtobuf(OtlpResult result) {
        if (result.rejected() == 0) {
            return ExportLogsServiceResponse.getDefaultInstance().toByteArray();
        }
        return ExportLogsServiceResponse.newBuilder()
                .setPartialSuccess(ExportLogsPartialSuccess.newBuilder()
                        .setRejectedLogRecords(result.rejected())
                        .setErrorMessage(result.errorMessage()))
                .build()
                .toByteArray();
    }

    /**
     * The success body for an OTLP/JSON request: {@code {}}, or
     * {@code {"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"..."}}} (int64 as a string, as in
     * protobuf's JSON mapping).
     */
    public static byte[] successJson(OtlpResult result) {
        if (result.rejected() == 0) {
            return EMPTY_JSON.clone();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + result.errorMessage().length());
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeObjectFieldStart("partialSuccess");
            gen.writeStringField("rejectedLogRecords", Long.toString(result.rejected()));
            if (!result.errorMessage().isEmpty()) {
                gen.writeStringField("errorMessage", result.errorMessage());
            }
            gen.writeEndObject();
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The error body for a protobuf request refused with {@code e}. */
    public static byte[] status(IngestException e) {
        return status(e.status(), e.error());
    }

    /** A {@code google.rpc.Status} for an HTTP error status, with the gRPC code {@link #grpcCode} gives. */
    public static byte[] status(int httpStatus, String message) {
        return Status.newBuilder().setCode(grpcCode(httpStatus)).setMessage(message).build().toByteArray();
    }

    /**
     * The gRPC code for an HTTP error status, after google.rpc.Code's HTTP mapping: 400 and 415 INVALID_ARGUMENT,
     * 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 413 and 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE,
     * 504 DEADLINE_EXCEEDED, other 5xx INTERNAL, anything else UNKNOWN.
     */
    public static int grpcCode(int httpStatus) {
        Code code = switch (httpStatus) {
            case 400, 415 -> Code.INVALID_ARGUMENT;
            case 401 -> Code.UNAUTHENTICATED;
            case 403 -> Code.PERMISSION_DENIED;
            case 404 -> Code.NOT_FOUND;
            case 413, 429 -> Code.RESOURCE_EXHAUSTED;
            case 503 -> Code.UNAVAILABLE;
            case 504 -> Code.DEADLINE_EXCEEDED;
            default -> httpStatus >= 500 && httpStatus <= 599 ? Code.INTERNAL : Code.UNKNOWN;
        };
        return code.getNumber();
    }
}
