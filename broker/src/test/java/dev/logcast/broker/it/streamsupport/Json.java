package dev.logcast.broker.it.streamsupport;

import dev.logcast.broker.testing.BrokerFixture;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * JSON for the end-to-end tests, on jackson-core alone: text to plain Java values ({@link Map}, {@link List},
 * {@link String}, {@link Long}/{@link Double}, {@link Boolean}, {@code null}) and back. Strict: trailing data fails.
 */
public final class Json {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();

    private Json() {
    }

    /** Parses one JSON value; fails on malformed text or anything after it (see {@link BrokerFixture#parseJson}). */
    public static Object parse(String text) {
        return BrokerFixture.parseJson(text);
    }

    /** Parses a JSON object. */
    public static Map<String, Object> object(String text) {
        return BrokerFixture.jsonObject(text);
    }

    /** Writes plain Java values (as {@link #parse} returns them) as compact JSON text. */
    public static String write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            write(gen, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void write(JsonGenerator gen, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Integer i) {
            gen.writeNumber(i);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Double d) {
            gen.writeNumber(d);
        } else if (value instanceof Map<?, ?> map) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                gen.writeFieldName(String.valueOf(e.getKey()));
                write(gen, e.getValue());
            }
            gen.writeEndObject();
        } else if (value instanceof List<?> list) {
            gen.writeStartArray();
            for (Object o : list) {
                write(gen, o);
            }
            gen.writeEndArray();
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass());
        }
    }
}
