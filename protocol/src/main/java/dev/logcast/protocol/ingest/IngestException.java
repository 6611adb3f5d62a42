package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.logcast.protocol.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An ingest request refused as a whole: the HTTP status ({@value #BAD_REQUEST} malformed or invalid,
 * {@value #TOO_LARGE} too large), a message for humans that names the event and the field
 * ({@code event 3: field "level": unknown level "loud"}), and the index of the event to blame, or {@code null} when
 * the request as a whole is at fault. {@link #toJson()} is the contract's error body.
 *
 * <p>Bad input is an expected outcome, so this exception is cheap: no stack trace, no suppression.
 */
public final class IngestException extends Exception {
    /** Malformed or invalid input. */
    public static final int BAD_REQUEST = 400;
    /** A body, a batch, an event or a field over its limit. */
    public static final int TOO_LARGE = 413;

    private final int status;
    private final String error;
    private final Integer index;

    /**
     * @param status a 4xx HTTP status, usually {@value #BAD_REQUEST} or {@value #TOO_LARGE}
     * @param error  what is wrong, for the client to read
     * @param index  the event's index in the request, or {@code null}
     */
    public IngestException(int status, String error, Integer index) {
        super(error, null, false, false);
        if (status < 400 || status > 499) {
            throw new IllegalArgumentException("not a client error status: " + status);
        }
        this.status = status;
        this.error = error;
        this.index = index;
    }

    /** A {@value #BAD_REQUEST}. */
    public static IngestException badRequest(Integer index, String error) {
        return new IngestException(BAD_REQUEST, error, index);
    }

    /** A {@value #TOO_LARGE}. */
    public static IngestException tooLarge(Integer index, String error) {
        return new IngestException(TOO_LARGE, error, index);
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    /** What is wrong, naming the event and the field where one is to blame. */
    public String error() {
        return error;
    }

    /** The index of the event to blame, or {@code null}. */
    public Integer index() {
        return index;
    }

    /** The contract's error body, {@code {"error":"<what>","index":<n>|null}}, UTF-8. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 + error.length());
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("error", error);
            gen.writeFieldName("index");
            if (index == null) {
                gen.writeNull();
            } else {
                gen.writeNumber(index.intValue());
            }
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
