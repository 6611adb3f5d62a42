package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.logcast.protocol.EventLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * How the decoders read a request body: the body-level checks (size, UTF-8) and jackson-core parsers over a
 * {@link ByteBuf} that read it in place, plus the mapping of jackson's errors to a 400. Never changes the buffer's
 * indices, never releases it. Stateless and thread-safe.
 */
final class BodyInput {
    /** Deep enough for OTLP's nested {@code AnyValue}s; native events need three levels. */
    static final int MAX_NESTING_DEPTH = 128;

    /**
     * Shared and thread-safe once built. Duplicate keys are an error; field names are canonicalized (the event's
     * names are then shared strings) but never {@link String#intern() interned}: attr keys come from clients.
     */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();

    /**
     * {@link #FACTORY} without jackson's duplicate-key detection, for native events: {@link EventReader} finds
     * duplicates itself (a bit per known member and a scan of the attr keys cost less than jackson's set per
     * object), with the same error.
     */
    static final JsonFactory NATIVE_FACTORY = FACTORY.rebuild()
            .disable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // a number's length is the event rules' to judge (an attr value is limited by ingest.max.attr.value,
            // checked before the number is converted), not jackson's 1000 digits, which turned a long but allowed
            // number into "malformed JSON"
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(Integer.MAX_VALUE).build())
            .build();

    private BodyInput() {
    }

    /** 413 when the body is over {@link EventLimits#maxBodyBytes()}. */
    static void checkSize(ByteBuf body, EventLimits limits) throws IngestException {
        if (body.readableBytes() > limits.maxBodyBytes()) {
            throw IngestException.tooLarge(null, "body of " + body.readableBytes() + " bytes is over the limit of "
                    + limits.maxBodyBytes() + " bytes");
        }
    }

    /**
     * A parser over a JSON body after the body-level checks: size, not empty, well-formed UTF-8 (RFC 8259 §8.1; a
     * NUL among the first bytes would make jackson guess UTF-16 or UTF-32, so it is refused here).
     */
    static JsonParser open(ByteBuf body, EventLimits limits) throws IngestException {
        return open(body, limits, FACTORY);
    }

    /**
     * A native body after {@link #open(ByteBuf, EventLimits)}'s checks, in one array, and a parser over it that
     * leaves duplicate keys to the caller. The array is the buffer's own when it has one, else a copy in a buffer the
     * thread reuses: it is valid until the thread's next call, so whatever outlives the request is copied out.
     */
    static ArrayBody openNative(ByteBuf body, EventLimits limits) throws IngestException {
        check(body, limits);
        byte[] array;
        int offset;
        int length = body.readableBytes();
        if (body.hasArray()) {
            array = body.array();
            offset = body.arrayOffset() + body.readerIndex();
        } else {
            array = SCRATCH.get();
            if (array.length < length) {
                array = new byte[Math.max(length, array.length * 2)];
                if (array.length <= KEEP_SCRATCH_BYTES) {
                    SCRATCH.set(array);
                }
            }
            body.getBytes(body.readerIndex(), array, 0, length);
            offset = 0;
        }
        try {
            return new ArrayBody(NATIVE_FACTORY.createParser(array, offset, length), array, offset, offset + length);
        } catch (IOException e) {
            throw malformed(e, null);
        }
    }

    /**
     * A parser over {@code array[offset, end)}; jackson's byte offsets ({@link JsonParser#currentTokenLocation()})
     * count from {@code offset}.
     */
    record ArrayBody(JsonParser parser, byte[] array, int offset, int end) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            parser.close();
        }
    }

    /** The largest copy buffer a thread keeps between requests. */
    private static final int KEEP_SCRATCH_BYTES = 256 * 1024;
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[16 * 1024];
        }
    };

    private static JsonParser open(ByteBuf body, EventLimits limits, JsonFactory factory) throws IngestException {
        check(body, limits);
        try {
            return parser(body, factory);
        } catch (IOException e) {
            throw malformed(e, null);
        }
    }

    /** Size, not empty, no NUL among the first bytes, well-formed UTF-8. */
    private static void check(ByteBuf body, EventLimits limits) throws IngestException {
        checkSize(body, limits);
        if (!body.isReadable()) {
            throw IngestException.badRequest(null, "empty body");
        }
        int head = Math.min(4, body.readableBytes());
        for (int i = 0; i < head; i++) {
            if (body.getByte(body.readerIndex() + i) == 0) {
                throw IngestException.badRequest(null, "body is not UTF-8 JSON: NUL byte at offset " + i);
            }
        }
        long bad = Utf8Validator.firstInvalidByte(body);
        if (bad >= 0) {
            throw IngestException.badRequest(null, "body is not valid UTF-8 at byte offset " + bad);
        }
    }

    /** A parser over the readable bytes, without checks. */
    static JsonParser parser(ByteBuf body) throws IOException {
        return parser(body, FACTORY);
    }

    private static JsonParser parser(ByteBuf body, JsonFactory factory) throws IOException {
        if (body.hasArray()) {
            return factory.createParser(body.array(), body.arrayOffset() + body.readerIndex(), body.readableBytes());
        }
        InputStream in = new ByteBufInputStream(body.duplicate(), false);
        return factory.createParser(in);
    }

    /** A 400 for an error jackson raised while reading the body; {@code index} is the event being read, if known. */
    static IngestException malformed(IOException e, Integer index) {
        StringBuilder b = new StringBuilder(96);
        if (index != null) {
            b.append("event ").append(index).append(": ");
        }
        b.append("malformed JSON");
        if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
            JsonLocation at = jpe.getLocation();
            b.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        }
        b.append(": ");
        if (e instanceof JsonEOFException) {
            b.append("unexpected end of input (truncated body?)");
        } else if (e instanceof JsonProcessingException jpe) {
            b.append(withoutParserHints(jpe.getOriginalMessage()));
        } else {
            b.append(e.getMessage());
        }
        return IngestException.badRequest(index, b.toString());
    }

    /**
     * jackson's message without its advice to the parser's own user (a feature to enable, the method a limit comes
     * from), which a client cannot act on: {@code Non-standard token 'NaN': enable
     * `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow} becomes {@code Non-standard token 'NaN'}, and
     * {@code ... the maximum allowed (1000, from `StreamReadConstraints.getMaxNumberLength()`)} becomes
     * {@code ... the maximum allowed (1000)}.
     */
    static String withoutParserHints(String message) {
        if (message == null || message.indexOf('`') < 0 && !message.contains("Feature '")) {
            return message;
        }
        return PARSER_HINT.matcher(message).replaceAll("");
    }

    private static final Pattern PARSER_HINT = Pattern.compile(
            ": enable `[^`]*` to allow|, from `[^`]*`"
                    + "| \\(not recognized as one since Feature '\\w+' not enabled for parser\\)");

    /** A 400 for jackson's symbol table refusing a flood of colliding field names (a hash-collision attack). */
    static IngestException tooManyNames(IllegalStateException e, Integer index) {
        return IngestException.badRequest(index, (index == null ? "" : "event " + index + ": ")
                + "malformed JSON: too many colliding field names");
    }

    /** How an error message names a JSON token: "a string", "an object", "null". */
    static String describe(JsonToken t) {
        if (t == null) {
            return "the end of input";
        }
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> t.name();
        };
    }
}
