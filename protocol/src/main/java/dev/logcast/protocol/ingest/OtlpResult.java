package dev.logcast.protocol.ingest;

import dev.logcast.protocol.LogEvent;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of an OTLP/HTTP logs request: the records that became valid events, in request order, and the
 * records rejected as invalid, counted, with their reasons for the response's {@code partial_success}.
 *
 * @param accepted     the valid records as events; unmodifiable
 * @param rejected     how many records were invalid
 * @param errorMessage why (the first few reasons), or {@code ""} when none was rejected
 */
public record OtlpResult(List<LogEvent> accepted, long rejected, String errorMessage) {
    /** Nothing accepted, nothing rejected: an empty request. */
    public static final OtlpResult EMPTY = new OtlpResult(List.of(), 0, "");

    public OtlpResult {
        accepted = List.copyOf(accepted);
        Objects.requireNonNull(errorMessage, "errorMessage");
        if (rejected < 0) {
            throw new IllegalArgumentException("rejected < 0");
        }
    }
}
