package dev.logcast.protocol.ingest;

import com.google.protobuf.ByteString;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps OTLP log records to events by the contract's table ("OTLP/HTTP logs on the same endpoint"). A record that
 * breaks an event rule or limit is rejected and counted with its reason; the others are accepted.
 *
 * <p><b>Owner:</b> the decoding thread; one instance per request (it keeps scratch arrays). Not thread-safe.
 */
final class OtlpMapper {
    static final String SERVICE_NAME = "service.name";
    static final String BRANCH_ATTR = "logcast.branch";
    static final String TYPE_ATTR = "logcast.type";
    /** Reasons quoted in {@code error_message}; the rest are only counted. */
    private static final int MAX_REASONS = 3;
    private static final Level[] LEVELS = Level.values();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final EventLimits limits;
    private final long receiveTimeMillis;
    private final List<LogEvent> accepted = new ArrayList<>();
    private long rejected;
    private final StringBuilder reasons = new StringBuilder();
    private String[] keys = new String[8];
    private Object[] values = new Object[8];
    /** Attrs of the current record in {@link #keys} and {@link #values}. */
    private int attrCount;

    OtlpMapper(EventLimits limits, long receiveTimeMillis) {
        this.limits = limits;
        this.receiveTimeMillis = receiveTimeMillis;
    }

    OtlpResult map(ExportLogsServiceRequest request) {
        int index = 0;
        for (ResourceLogs resourceLogs : request.getResourceLogsList()) {
            List<KeyValue> resourceAttrs = resourceLogs.getResource().getAttributesList();
            AnyValue serviceName = find(resourceAttrs, SERVICE_NAME);
            String source = serviceName == null ? "unknown" : validName(serviceName);
            AnyValue resourceBranch = find(resourceAttrs, BRANCH_ATTR);
            for (ScopeLogs scopeLogs : resourceLogs.getScopeLogsList()) {
                for (LogRecord record : scopeLogs.getLogRecordsList()) {
                    String reason;
                    if (source == null) {
                        reason = "source " + describe(serviceName) + " (resource attribute " + SERVICE_NAME
                                + ") does not match " + EventRules.NAME_PATTERN;
                    } else {
                        reason = map(record, source, resourceBranch);
                    }
                    if (reason != null) {
                        reject(index, reason);
                    }
                    index++;
                }
            }
        }
        if (rejected > MAX_REASONS) {
            reasons.append("; and ").append(rejected - MAX_REASONS).append(" more");
        }
        return new OtlpResult(accepted, rejected, reasons.toString());
    }

    private void reject(int index, String reason) {
        if (rejected < MAX_REASONS) {
            if (rejected > 0) {
                reasons.append("; ");
            }
            reasons.append("log record ").append(index).append(": ").append(reason);
        }
        rejected++;
    }

    /** Adds the record's event to {@link #accepted}, or returns why it is invalid. */
    private String map(LogRecord record, String source, AnyValue resourceBranch) {
        AnyValue branchAttr = null;
        AnyValue typeAttr = null;
        attrCount = 0;
        for (KeyValue kv : record.getAttributesList()) {
            String key = kv.getKey();
            if (key.equals(BRANCH_ATTR)) {
                branchAttr = kv.getValue();
            } else if (key.equals(TYPE_ATTR)) {
                typeAttr = kv.getValue();
            } else {
                Object value = attrValue(kv.getValue());
                if (value == null) {
                    continue; // an attribute without a value carries nothing
                }
                String reason = checkAttr(key, value);
                if (reason != null) {
                    return reason;
                }
                put(key, value);
                if (attrCount > limits.maxAttrs()) {
                    return "more than " + limits.maxAttrs() + " attributes";
                }
            }
        }
        String reason = putId("trace_id", record.getTraceId(), 16);
        if (reason == null) {
            reason = putId("span_id", record.getSpanId(), 8);
        }
        if (reason != null) {
            return reason;
        }
        if (attrCount > limits.maxAttrs()) {
            return "more than " + limits.maxAttrs() + " attributes (with trace_id and span_id)";
        }

        String type = "log";
        if (EventRules.isValidType(record.getEventName())) {
            type = record.getEventName();
        } else if (typeAttr != null) {
            type = validType(typeAttr);
            if (type == null) {
                return "type " + describe(typeAttr) + " (attribute " + TYPE_ATTR + ") does not match "
                        + EventRules.TYPE_PATTERN;
            }
        }
        String branch = "main";
        AnyValue branchValue = branchAttr != null ? branchAttr : resourceBranch;
        if (branchValue != null) {
            branch = validName(branchValue);
            if (branch == null) {
                return "branch " + describe(branchValue) + " (" + (branchAttr != null ? "" : "resource ")
                        + "attribute " + BRANCH_ATTR + ") does not match " + EventRules.NAME_PATTERN;
            }
        }
        AnyValue body = record.getBody();
        String msg = body.hasStringValue() ? body.getStringValue()
                : body.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET ? ""
                : body.hasBytesValue() ? AnyValueText.base64(body)
                : AnyValueText.toJson(body);
        int msgBytes = EventRules.utf8Length(msg);
        if (msgBytes < 0) {
            return "body holds a lone UTF-16 surrogate";
        }
        if (msgBytes > limits.maxMsgBytes()) {
            return "body of " + msgBytes + " bytes is over the limit of " + limits.maxMsgBytes() + " bytes";
        }
        String[] attrKeys = attrCount == 0 ? null : Arrays.copyOf(keys, attrCount);
        Object[] attrValues = attrCount == 0 ? null : Arrays.copyOf(values, attrCount);
        accepted.add(new LogEvent(timestamp(record), level(record), type, source, branch, msg, attrKeys, attrValues));
        return null;
    }

    /** Puts {@code trace_id} / {@code span_id} as lower-case hex unless empty or all zero; or says why not. */
    private String putId(String key, ByteString id, int length) {
        if (id.isEmpty() || allZero(id)) {
            return null;
        }
        if (id.size() != length) {
            return key + " of " + id.size() + " bytes (expected " + length + ")";
        }
        char[] hex = new char[length * 2];
        for (int i = 0; i < length; i++) {
            int b = id.byteAt(i) & 0xFF;
            hex[2 * i] = HEX[b >>> 4];
            hex[2 * i + 1] = HEX[b & 0xF];
        }
        put(key, new String(hex));
        return null;
    }

    private static boolean allZero(ByteString id) {
        for (int i = 0; i < id.size(); i++) {
            if (id.byteAt(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Puts an attr into the scratch arrays; a repeated key keeps its place and takes the last value. */
    private void put(String key, Object value) {
        for (int i = 0; i < attrCount; i++) {
            if (keys[i].equals(key)) {
                values[i] = value;
                return;
            }
        }
        if (attrCount == keys.length) {
            keys = Arrays.copyOf(keys, attrCount * 2);
            values = Arrays.copyOf(values, attrCount * 2);
        }
        keys[attrCount] = key;
        values[attrCount] = value;
        attrCount++;
    }

    /** A scalar kept as it is, anything else as plain JSON text, bytes as base64; null for an empty value. */
    private static Object attrValue(AnyValue v) {
        return switch (v.getValueCase()) {
            case STRING_VALUE -> v.getStringValue();
            case BOOL_VALUE -> v.getBoolValue();
            case INT_VALUE -> v.getIntValue();
            case DOUBLE_VALUE -> AnyValueText.scalar(v.getDoubleValue());
            case BYTES_VALUE -> AnyValueText.base64(v);
            case ARRAY_VALUE, KVLIST_VALUE -> AnyValueText.toJson(v);
            default -> null;
        };
    }

    private String checkAttr(String key, Object value) {
        if (key.length() > limits.maxAttrKeyChars() && EventRules.codePoints(key) > limits.maxAttrKeyChars()) {
            return "attribute key " + EventRules.quote(key) + " is over the limit of " + limits.maxAttrKeyChars()
                    + " characters";
        }
        if (EventRules.utf8Length(key) < 0) {
            return "attribute key " + EventRules.quote(key) + " holds a lone UTF-16 surrogate";
        }
        int bytes;
        if (value instanceof String s) {
            bytes = EventRules.utf8Length(s);
        } else {
            // a number or boolean: its JSON text, which is never over 24 characters
            bytes = limits.maxAttrValueBytes() >= 24 ? 0 : String.valueOf(value).length();
        }
        if (bytes < 0) {
            return "attribute " + EventRules.quote(key) + " holds a lone UTF-16 surrogate";
        }
        if (bytes > limits.maxAttrValueBytes()) {
            return "attribute " + EventRules.quote(key) + " of " + bytes + " bytes is over the limit of "
                    + limits.maxAttrValueBytes() + " bytes";
        }
        return null;
    }

    /** {@code time_unix_nano}, else {@code observed_time_unix_nano}, else the receive time; in millis. */
    private long timestamp(LogRecord record) {
        long nanos = record.getTimeUnixNano() != 0 ? record.getTimeUnixNano() : record.getObservedTimeUnixNano();
        return nanos == 0 ? receiveTimeMillis : Long.divideUnsigned(nanos, 1_000_000L);
    }

    /** From {@code severity_number} (1-4 trace ... 21-24 fatal), else {@code severity_text}, else info. */
    static Level level(LogRecord record) {
        int number = record.getSeverityNumberValue();
        if (number >= 1 && number <= 24) {
            return LEVELS[(number - 1) / 4];
        }
        return levelFromText(record.getSeverityText());
    }

    /** A level name or a common alias, in any case; anything else is info. */
    static Level levelFromText(String text) {
        Level level = Level.parse(text);
        if (level != null) {
            return level;
        }
        if (text.equalsIgnoreCase("warning")) {
            return Level.WARN;
        }
        if (text.equalsIgnoreCase("err")) {
            return Level.ERROR;
        }
        if (text.equalsIgnoreCase("critical") || text.equalsIgnoreCase("crit") || text.equalsIgnoreCase("panic")) {
            return Level.FATAL;
        }
        return Level.INFO; // "information" and everything unknown
    }

    /** The last attribute named {@code key}, or null. */
    private static AnyValue find(List<KeyValue> attrs, String key) {
        AnyValue found = null;
        for (KeyValue kv : attrs) {
            if (kv.getKey().equals(key)) {
                found = kv.getValue();
            }
        }
        return found;
    }

    private static String validName(AnyValue v) {
        return v.hasStringValue() && EventRules.isValidName(v.getStringValue()) ? v.getStringValue() : null;
    }

    private static String validType(AnyValue v) {
        return v.hasStringValue() && EventRules.isValidType(v.getStringValue()) ? v.getStringValue() : null;
    }

    private static String describe(AnyValue v) {
        return v.hasStringValue() ? EventRules.quote(v.getStringValue()) : "of kind " + v.getValueCase();
    }
}
