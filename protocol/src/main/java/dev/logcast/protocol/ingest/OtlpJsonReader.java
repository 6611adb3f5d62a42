package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;

/**
 * Reads an OTLP/JSON {@code ExportLogsServiceRequest} into the generated protobuf builders, with jackson-core's
 * streaming parser. OTLP/JSON is not protobuf's canonical JSON mapping (opentelemetry-proto, "JSON Protobuf
 * Encoding"): {@code traceId} and {@code spanId} are hex, not base64; enums are integers (names are accepted too).
 * Keys are lowerCamelCase, snake_case is accepted; 64-bit integers may be strings or numbers; {@code null} means
 * the default; unknown fields are ignored, as OTLP/JSON receivers must.
 *
 * <p><b>Owner:</b> the decoding thread; one instance per body. Not thread-safe.
 */
final class OtlpJsonReader {
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private final JsonParser p;
    private final int maxRecords;
    private int records;
    /** The record being read, for error messages; -1 outside records. */
    private int record = -1;

    private OtlpJsonReader(JsonParser p, int maxRecords) {
        this.p = p;
        this.maxRecords = maxRecords;
    }

    /** Reads the whole body; 413 as soon as it holds more than {@code maxRecords} log records. */
    static ExportLogsServiceRequest read(JsonParser p, int maxRecords) throws IOException, IngestException {
        OtlpJsonReader reader = new OtlpJsonReader(p, maxRecords);
        JsonToken t = p.nextToken();
        if (t == null) {
            throw IngestException.badRequest(null, "empty body");
        }
        ExportLogsServiceRequest.Builder request = ExportLogsServiceRequest.newBuilder();
        reader.object(t, "ExportLogsServiceRequest", name -> {
            if (name.equals("resourceLogs") || name.equals("resource_logs")) {
                reader.array(name, () -> request.addResourceLogs(reader.resourceLogs()));
            } else {
                p.skipChildren();
            }
        });
        if (p.nextToken() != null) {
            throw IngestException.badRequest(null, "OTLP/JSON: trailing data after the top-level object at line "
                    + p.currentTokenLocation().getLineNr());
        }
        return request.build();
    }

    /** Reads the value of member {@code name}, the current token; skips it when the name is unknown. */
    private interface Member {
        void read(String name) throws IOException, IngestException;
    }

    private interface Element {
        void read() throws IOException, IngestException;
    }

    /** Reads an object whose start token is {@code t}; {@code null} is an empty object. */
    private void object(JsonToken t, String what, Member member) throws IOException, IngestException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw error(what, "expected an object, got " + BodyInput.describe(t));
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (p.nextToken() == JsonToken.VALUE_NULL) {
                continue;
            }
            member.read(name);
        }
    }

    /** Reads the array that is the current token's value, one element at a time. */
    private void array(String field, Element element) throws IOException, IngestException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(field, "expected an array, got " + BodyInput.describe(p.currentToken()));
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            element.read();
        }
    }

    private ResourceLogs resourceLogs() throws IOException, IngestException {
        ResourceLogs.Builder b = ResourceLogs.newBuilder();
        object(p.currentToken(), "resourceLogs", name -> {
            switch (name) {
                case "resource" -> b.setResource(resource());
                case "scopeLogs", "scope_logs" -> array(name, () -> b.addScopeLogs(scopeLogs()));
                case "schemaUrl", "schema_url" -> b.setSchemaUrl(string(name));
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private Resource resource() throws IOException, IngestException {
        Resource.Builder b = Resource.newBuilder();
        object(p.currentToken(), "resource", name -> {
            switch (name) {
                case "attributes" -> array(name, () -> b.addAttributes(keyValue()));
                case "droppedAttributesCount", "dropped_attributes_count" -> b.setDroppedAttributesCount(uint32(name));
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private ScopeLogs scopeLogs() throws IOException, IngestException {
        ScopeLogs.Builder b = ScopeLogs.newBuilder();
        object(p.currentToken(), "scopeLogs", name -> {
            switch (name) {
                case "scope" -> b.setScope(scope());
                case "logRecords", "log_records" -> array(name, () -> b.addLogRecords(logRecord()));
                case "schemaUrl", "schema_url" -> b.setSchemaUrl(string(name));
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private InstrumentationScope scope() throws IOException, IngestException {
        InstrumentationScope.Builder b = InstrumentationScope.newBuilder();
        object(p.currentToken(), "scope", name -> {
            switch (name) {
                case "name" -> b.setName(string(name));
                case "version" -> b.setVersion(string(name));
                case "attributes" -> array(name, () -> b.addAttributes(keyValue()));
                case "droppedAttributesCount", "dropped_attributes_count" -> b.setDroppedAttributesCount(uint32(name));
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private LogRecord logRecord() throws IOException, IngestException {
        if (++records > maxRecords) {
            throw IngestException.tooLarge(null, "more than " + maxRecords + " log records in one request");
        }
        record = records - 1;
        LogRecord.Builder b = LogRecord.newBuilder();
        object(p.currentToken(), "logRecords", name -> {
            switch (name) {
                case "timeUnixNano", "time_unix_nano" -> b.setTimeUnixNano(uint64(name));
                case "observedTimeUnixNano", "observed_time_unix_nano" -> b.setObservedTimeUnixNano(uint64(name));
                case "severityNumber", "severity_number" -> b.setSeverityNumberValue(severityNumber(name));
                case "severityText", "severity_text" -> b.setSeverityText(string(name));
                case "body" -> b.setBody(anyValue(name));
                case "attributes" -> array(name, () -> b.addAttributes(keyValue()));
                case "droppedAttributesCount", "dropped_attributes_count" -> b.setDroppedAttributesCount(uint32(name));
                case "flags" -> b.setFlags(uint32(name));
                case "traceId", "trace_id" -> b.setTraceId(hexId(name, 16));
                case "spanId", "span_id" -> b.setSpanId(hexId(name, 8));
                case "eventName", "event_name" -> b.setEventName(string(name));
                default -> p.skipChildren();
            }
        });
        record = -1;
        return b.build();
    }

    private KeyValue keyValue() throws IOException, IngestException {
        KeyValue.Builder b = KeyValue.newBuilder();
        object(p.currentToken(), "KeyValue", name -> {
            switch (name) {
                case "key" -> b.setKey(string(name));
                case "value" -> b.setValue(anyValue(name));
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private AnyValue anyValue(String field) throws IOException, IngestException {
        AnyValue.Builder b = AnyValue.newBuilder();
        object(p.currentToken(), field, name -> {
            switch (name) {
                case "stringValue", "string_value" -> b.setStringValue(string(name));
                case "boolValue", "bool_value" -> {
                    JsonToken t = p.currentToken();
                    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                        throw error(name, "expected a boolean, got " + BodyInput.describe(t));
                    }
                    b.setBoolValue(t == JsonToken.VALUE_TRUE);
                }
                case "intValue", "int_value" -> b.setIntValue(int64(name));
                case "doubleValue", "double_value" -> b.setDoubleValue(float64(name));
                case "bytesValue", "bytes_value" -> b.setBytesValue(bytes(name));
                case "arrayValue", "array_value" -> {
                    ArrayValue.Builder array = ArrayValue.newBuilder();
                    object(p.currentToken(), name, values -> {
                        if (values.equals("values")) {
                            array(values, () -> array.addValues(anyValue(values)));
                        } else {
                            p.skipChildren();
                        }
                    });
                    b.setArrayValue(array);
                }
                case "kvlistValue", "kvlist_value" -> {
                    KeyValueList.Builder list = KeyValueList.newBuilder();
                    object(p.currentToken(), name, values -> {
                        if (values.equals("values")) {
                            array(values, () -> list.addValues(keyValue()));
                        } else {
                            p.skipChildren();
                        }
                    });
                    b.setKvlistValue(list);
                }
                default -> p.skipChildren();
            }
        });
        return b.build();
    }

    private String string(String field) throws IOException, IngestException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw error(field, "expected a string, got " + BodyInput.describe(p.currentToken()));
        }
        return p.getText();
    }

    /** An integer as a JSON number or a decimal string ({@code "1.0e3"} forms included, if integral). */
    private BigInteger integer(String field) throws IOException, IngestException {
        JsonToken t = p.currentToken();
        try {
            if (t == JsonToken.VALUE_NUMBER_INT) {
                return p.getBigIntegerValue();
            }
            if (t == JsonToken.VALUE_NUMBER_FLOAT) {
                return exactInteger(p.getDecimalValue());
            }
            if (t == JsonToken.VALUE_STRING && p.getTextLength() <= 64) {
                return exactInteger(new BigDecimal(p.getText()));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw error(field, "not an integer in range: " + EventRules.quote(p.getText()));
        }
        if (t == JsonToken.VALUE_STRING) {
            throw error(field, "not an integer in range: " + EventRules.quote(p.getText()));
        }
        throw error(field, "expected an integer, got " + BodyInput.describe(t));
    }

    /** The integer {@code d} is, refusing fractions and anything over 40 digits before it expands an exponent. */
    private static BigInteger exactInteger(BigDecimal d) {
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() > 0 || stripped.precision() - stripped.scale() > 40) {
            throw new ArithmeticException("not an integer in range");
        }
        return stripped.toBigIntegerExact();
    }

    private long int64(String field) throws IOException, IngestException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        BigInteger v = integer(field);
        if (v.bitLength() > 63) {
            throw error(field, "out of the int64 range: " + v);
        }
        return v.longValue();
    }

    /** A fixed64 / uint64: the unsigned value in a long's bits. */
    private long uint64(String field) throws IOException, IngestException {
        if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                && p.getLongValue() >= 0) {
            return p.getLongValue();
        }
        BigInteger v = integer(field);
        if (v.signum() < 0 || v.compareTo(TWO_TO_64) >= 0) {
            throw error(field, "out of the uint64 range: " + v);
        }
        return v.longValue();
    }

    private int uint32(String field) throws IOException, IngestException {
        BigInteger v = integer(field);
        if (v.signum() < 0 || v.bitLength() > 32) {
            throw error(field, "out of the uint32 range: " + v);
        }
        return v.intValue();
    }

    /** The enum's number, from an integer or its name; an unknown name is SEVERITY_NUMBER_UNSPECIFIED. */
    private int severityNumber(String field) throws IOException, IngestException {
        if (p.currentToken() == JsonToken.VALUE_STRING && !isInteger(p.getText())) {
            EnumValueDescriptor value = SeverityNumber.getDescriptor().findValueByName(p.getText());
            return value != null ? value.getNumber() : SeverityNumber.SEVERITY_NUMBER_UNSPECIFIED_VALUE;
        }
        BigInteger v = integer(field);
        if (v.bitLength() > 31) {
            throw error(field, "out of the int32 range: " + v);
        }
        return v.intValue();
    }

    private static boolean isInteger(String s) {
        int start = s.startsWith("-") ? 1 : 0;
        if (s.length() == start) {
            return false;
        }
        for (int i = start; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A double: a JSON number, or a string holding one or {@code NaN}, {@code Infinity}, {@code -Infinity}. */
    private double float64(String field) throws IOException, IngestException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            String s = p.getText();
            switch (s) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        if (s.length() <= 40) {
                            return new BigDecimal(s).doubleValue();
                        }
                    } catch (NumberFormatException e) {
                        // reported below
                    }
                    throw error(field, "not a number: " + EventRules.quote(s));
            }
        }
        throw error(field, "expected a number, got " + BodyInput.describe(t));
    }

    /** Base64, standard or URL-safe alphabet, padding optional (proto3 JSON). */
    private ByteString bytes(String field) throws IOException, IngestException {
        String s = string(field);
        try {
            boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
            return ByteString.copyFrom((urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s));
        } catch (IllegalArgumentException e) {
            throw error(field, "not base64: " + EventRules.quote(s));
        }
    }

    /** A trace or span id: {@code bytes * 2} hex digits, any case, or empty. */
    private ByteString hexId(String field, int bytes) throws IOException, IngestException {
        String s = string(field);
        if (s.isEmpty()) {
            return ByteString.EMPTY;
        }
        if (s.length() != bytes * 2) {
            throw error(field, "expected " + bytes * 2 + " hex digits, got " + EventRules.quote(s));
        }
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            int high = hexDigit(s.charAt(2 * i));
            int low = hexDigit(s.charAt(2 * i + 1));
            if (high < 0 || low < 0) {
                throw error(field, "not hex: " + EventRules.quote(s));
            }
            out[i] = (byte) (high << 4 | low);
        }
        return ByteString.copyFrom(out);
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private IngestException error(String field, String what) {
        StringBuilder b = new StringBuilder(96).append("OTLP/JSON");
        if (record >= 0) {
            b.append(" log record ").append(record);
        }
        b.append(": field ").append(EventRules.quote(field)).append(": ").append(what)
                .append(" (line ").append(p.currentTokenLocation().getLineNr())
                .append(", column ").append(p.currentTokenLocation().getColumnNr()).append(')');
        return IngestException.badRequest(null, b.toString());
    }
}
