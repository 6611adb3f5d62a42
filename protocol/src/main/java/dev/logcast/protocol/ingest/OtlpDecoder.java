package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.logcast.protocol.EventLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.io.IOException;

/**
 * Decodes OTLP/HTTP logs requests ({@code ExportLogsServiceRequest}, OpenTelemetry's published proto) sent to
 * {@code POST /v1/logs}, as {@code application/x-protobuf} or as OTLP/JSON, and maps their records to events by the
 * contract ("OTLP/HTTP logs on the same endpoint").
 *
 * <p>Unlike the native bodies, a request is not atomic: records that break an event rule or limit are rejected and
 * counted in the {@link OtlpResult}, the valid ones accepted. The request as a whole fails with an
 * {@link IngestException} only when the body cannot be decoded (400) or is too large, or holds more than
 * {@link EventLimits#maxEventsPerBatch()} records (413). An empty request is an empty result. The buffer's indices
 * are left as they are and it is not released. Stateless and thread-safe.
 */
public final class OtlpDecoder {
    private OtlpDecoder() {
    }

    /** Decodes an {@code application/x-protobuf} body. */
    public static OtlpResult decodeProtobuf(ByteBuf body, EventLimits limits, long receiveTimeMillis)
            throws IngestException {
        BodyInput.checkSize(body, limits);
        ExportLogsServiceRequest request;
        try {
            CodedInputStream in = codedInput(body);
            request = ExportLogsServiceRequest.parser().parseFrom(in);
            in.checkLastTagWas(0); // a stray end-group tag stops the parser before the end of the body
        } catch (IOException e) {
            // InvalidProtocolBufferException: truncated, malformed or non-UTF-8 string fields; the reader cannot fail
            String why = e instanceof InvalidProtocolBufferException ? e.getMessage() : e.toString();
            throw IngestException.badRequest(null, "undecodable OTLP protobuf body: " + why);
        }
        return decode(request, limits, receiveTimeMillis);
    }

    /** Decodes an OTLP/JSON body (an {@code application/json} body that {@link NativeDecoder#isOtlpJson} spots). */
    public static OtlpResult decodeJson(ByteBuf body, EventLimits limits, long receiveTimeMillis)
            throws IngestException {
        ExportLogsServiceRequest request;
        try (JsonParser p = BodyInput.open(body, limits)) {
            request = OtlpJsonReader.read(p, limits.maxEventsPerBatch());
        } catch (IOException e) {
            throw BodyInput.malformed(e, null);
        } catch (IllegalStateException e) {
            throw BodyInput.tooManyNames(e, null);
        }
        return decode(request, limits, receiveTimeMillis);
    }

    /** Maps a decoded request; 413 when it holds more than {@link EventLimits#maxEventsPerBatch()} records. */
    public static OtlpResult decode(ExportLogsServiceRequest request, EventLimits limits, long receiveTimeMillis)
            throws IngestException {
        long records = 0;
        for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
            for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
                records += scopeLogs.getLogRecordsCount();
            }
        }
        if (records > limits.maxEventsPerBatch()) {
            throw IngestException.tooLarge(null, records + " log records in one request, over the limit of "
                    + limits.maxEventsPerBatch());
        }
        if (records == 0) {
            return OtlpResult.EMPTY;
        }
        return new OtlpMapper(limits, receiveTimeMillis).map(request);
    }

    /** Reads the buffer in place: its array, its one NIO buffer, or a stream over its components. */
    private static CodedInputStream codedInput(ByteBuf body) {
        if (body.hasArray()) {
            return CodedInputStream.newInstance(body.array(), body.arrayOffset() + body.readerIndex(),
                    body.readableBytes());
        }
        if (body.nioBufferCount() == 1) {
            return CodedInputStream.newInstance(body.nioBuffer());
        }
        return CodedInputStream.newInstance(new ByteBufInputStream(body.duplicate(), false));
    }
}
