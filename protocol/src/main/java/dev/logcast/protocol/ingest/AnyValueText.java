package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.logcast.protocol.EventJson;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Writes an OTLP {@code AnyValue} as plain JSON text, the way the contract keeps non-scalar bodies and attributes:
 * {@code {"k":[1,"a",true]}}, not OTLP/JSON's {@code {"kvlistValue":...}} wrappers. Bytes become base64 strings,
 * NaN and the infinities the strings {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}, an empty value
 * {@code null}. Stateless and thread-safe.
 */
final class AnyValueText {
    private AnyValueText() {
    }

    static String toJson(AnyValue value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator gen = EventJson.FACTORY.createGenerator(out)) {
            write(value, gen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A double as the contract keeps it: a finite one as is, NaN and the infinities as their names. */
    static Object scalar(double d) {
        if (Double.isFinite(d)) {
            return d;
        }
        return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }

    static String base64(AnyValue value) {
        return Base64.getEncoder().encodeToString(value.getBytesValue().toByteArray());
    }

    private static void write(AnyValue value, JsonGenerator gen) throws IOException {
        switch (value.getValueCase()) {
            case STRING_VALUE -> gen.writeString(value.getStringValue());
            case BOOL_VALUE -> gen.writeBoolean(value.getBoolValue());
            case INT_VALUE -> gen.writeNumber(value.getIntValue());
            case DOUBLE_VALUE -> {
                if (Double.isFinite(value.getDoubleValue())) {
                    gen.writeNumber(value.getDoubleValue());
                } else {
                    gen.writeString((String) scalar(value.getDoubleValue()));
                }
            }
            case BYTES_VALUE -> gen.writeString(base64(value));
            case ARRAY_VALUE -> {
                gen.writeStartArray();
                for (AnyValue element : value.getArrayValue().getValuesList()) {
                    write(element, gen);
                }
                gen.writeEndArray();
            }
            case KVLIST_VALUE -> {
                gen.writeStartObject();
                for (KeyValue kv : value.getKvlistValue().getValuesList()) {
                    gen.writeFieldName(kv.getKey());
                    write(kv.getValue(), gen);
                }
                gen.writeEndObject();
            }
            default -> gen.writeNull();
        }
    }
}
