package dev.logcast.protocol.ingest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.logcast.protocol.EventLimits;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads one native event object from a parser and validates it against the contract's event rules and the
 * {@link EventLimits}. Field values are checked on jackson's character buffer before any {@code String} is made.
 *
 * <p><b>Owner:</b> the decoding thread; one instance per request (it keeps scratch arrays for attrs), with hints it
 * shares with the thread's next requests (see {@link Recent}). Not thread-safe.
 */
final class EventReader {
    private final EventLimits limits;
    private final long receiveTimeMillis;
    private String[] keys = new String[8];
    private Object[] values = new Object[8];
    /**
     * The last valid {@code type}, {@code source} and {@code branch} read on this thread: a batch's events mostly
     * repeat them, and so do a producer's requests, and a repeat is then neither a new string nor checked again
     * (the events share one string, in the ring too).
     */
    private String lastType;
    private String lastSource;
    private String lastBranch;
    private final Recent recent;
    private static final Level[] LEVELS = Level.values();
    /** The known members, by their bit's position: ts 1, level 2, type 4, source 8, branch 16, msg 32, attrs 64. */
    private static final SerializedString[] MEMBER_NAMES = {
        new SerializedString("ts"), new SerializedString("level"), new SerializedString("type"),
        new SerializedString("source"), new SerializedString("branch"), new SerializedString("msg"),
        new SerializedString("attrs"),
    };
    private static final int ORDER_SLOTS = 8;
    /**
     * The known member (index into {@link #MEMBER_NAMES}) the last event had at each position, -1 for another or
     * none: a client writes its events' members in one order, and jackson matches an expected name on its bytes
     * without the symbol-table lookup.
     */
    private final int[] order;

    EventReader(EventLimits limits, long receiveTimeMillis) {
        this.limits = limits;
        this.receiveTimeMillis = receiveTimeMillis;
        this.recent = RECENT.get();
        this.lastType = recent.type;
        this.lastSource = recent.source;
        this.lastBranch = recent.branch;
        this.order = recent.order;
    }

    /**
     * What the readers of one thread carry from request to request. Only hints: a value is used after its text
     * matched, a member order after jackson matched the name, so readers that interleave on a thread stay correct.
     */
    private static final class Recent {
        String type;
        String source;
        String branch;
        final int[] order = {-1, -1, -1, -1, -1, -1, -1, -1};
    }

    private static final FastThreadLocal<Recent> RECENT = new FastThreadLocal<>() {
        @Override
        protected Recent initialValue() {
            return new Recent();
        }
    };

    /**
     * Reads the object whose {@code START_OBJECT} is the parser's current token, up to its {@code END_OBJECT}.
     * {@code id} and unknown members are skipped.
     */
    LogEvent read(JsonParser p, int index) throws IOException, IngestException {
        long ts = receiveTimeMillis;
        Level level = Level.INFO;
        String type = "log";
        String source = "unknown";
        String branch = "main";
        String msg = "";
        int attrCount = -1;
        // duplicate keys are malformed JSON (the parser leaves them to us): a bit for each known member
        int seen = 0;
        List<String> unknown = null;
        int position = 0;
        while (true) {
            // the member the previous event had here, matched on the raw bytes; anything else is looked up
            int expected = position < ORDER_SLOTS ? order[position] : -1;
            String name;
            int bit;
            if (expected >= 0 && p.nextFieldName(MEMBER_NAMES[expected])) {
                name = MEMBER_NAMES[expected].getValue();
                bit = 1 << expected;
            } else {
                if (expected < 0 ? p.nextToken() != JsonToken.FIELD_NAME : !p.hasToken(JsonToken.FIELD_NAME)) {
                    break;
                }
                name = p.currentName();
                int member = member(name);
                bit = member < 0 ? 0 : 1 << member;
                if (position < ORDER_SLOTS) {
                    order[position] = member;
                }
            }
            position++;
            if (bit != 0) {
                if ((seen & bit) != 0) {
                    throw duplicate(p, name);
                }
                seen |= bit;
            } else {
                if (unknown == null) {
                    unknown = new ArrayList<>(2);
                } else if (unknown.contains(name)) {
                    throw duplicate(p, name);
                }
                unknown.add(name);
            }
            JsonToken value = p.nextToken();
            switch (bit) {
                case 1 -> ts = readTs(p, value, index);
                case 2 -> level = readLevel(p, value, index);
                case 4 -> type = readType(p, value, index);
                case 8 -> source = readSource(p, value, index);
                case 16 -> branch = readBranch(p, value, index);
                case 32 -> msg = readMsg(p, value, index);
                case 64 -> attrCount = readAttrs(p, value, index);
                default -> skipChecked(p, value);
            }
        }
        String[] attrKeys = null;
        Object[] attrValues = null;
        if (attrCount > 0) {
            attrKeys = Arrays.copyOf(keys, attrCount);
            attrValues = Arrays.copyOf(values, attrCount);
        }
        return new LogEvent(ts, level, type, source, branch, msg, attrKeys, attrValues);
    }

    /** The known member {@code name} is (index into {@link #MEMBER_NAMES}), -1 for any other. */
    private static int member(String name) {
        return switch (name) {
            case "ts" -> 0;
            case "level" -> 1;
            case "type" -> 2;
            case "source" -> 3;
            case "branch" -> 4;
            case "msg" -> 5;
            case "attrs" -> 6;
            default -> -1;
        };
    }

    private long readTs(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        switch (value) {
            case VALUE_STRING -> {
                String text = p.getText();
                long ms = Timestamps.parseRfc3339(text);
                if (ms == Timestamps.INVALID) {
                    throw invalid(index, "ts", "not an RFC 3339 date-time in years 0000-9999: "
                            + EventRules.quote(text));
                }
                return ms;
            }
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || !Timestamps.inRange(p.getLongValue())) {
                    throw invalid(index, "ts", "epoch milliseconds out of the years 0000-9999: " + p.getText());
                }
                return p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                double d = Math.floor(p.getDoubleValue());
                if (!(d >= Timestamps.MIN_MILLIS && d <= Timestamps.MAX_MILLIS)) {
                    throw invalid(index, "ts", "epoch milliseconds out of the years 0000-9999: " + p.getText());
                }
                return (long) d;
            }
            default -> throw invalid(index, "ts",
                    "expected an RFC 3339 string or epoch milliseconds, got " + BodyInput.describe(value));
        }
    }

    /**
     * Skips the value at the current token; in the objects inside it, a duplicate key is malformed JSON as it is
     * everywhere in the body.
     */
    private static void skipChecked(JsonParser p, JsonToken value) throws IOException {
        if (value == JsonToken.START_OBJECT) {
            Set<String> names = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (!names.add(name)) {
                    throw duplicate(p, name);
                }
                skipChecked(p, p.nextToken());
            }
        } else if (value == JsonToken.START_ARRAY) {
            JsonToken t;
            while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                skipChecked(p, t);
            }
        }
    }

    /** The error jackson's own duplicate detection raises, at the same place. */
    private static JsonParseException duplicate(JsonParser p, String name) {
        return new JsonParseException(p, "Duplicate field '" + name + "'");
    }

    /** The level named by the current string token, in any case; read off the parser's characters. */
    private static Level readLevel(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "level");
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        for (Level level : LEVELS) {
            String name = level.wireName();
            if (name.length() == length && equalsIgnoreCase(chars, offset, name)) {
                return level;
            }
        }
        throw invalid(index, "level", "unknown level " + EventRules.quote(p.getText())
                + " (expected trace, debug, info, warn, error or fatal)");
    }

    private String readType(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "type");
        if (!sameText(p, lastType)) {
            String text = p.getText();
            if (!EventRules.isValidType(text)) {
                throw invalid(index, "type", EventRules.quote(text) + " does not match " + EventRules.TYPE_PATTERN);
            }
            lastType = text;
            recent.type = text;
        }
        return lastType;
    }

    private String readSource(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "source");
        if (!sameText(p, lastSource)) {
            lastSource = readName(p, index, "source");
            recent.source = lastSource;
        }
        return lastSource;
    }

    private String readBranch(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "branch");
        if (!sameText(p, lastBranch)) {
            lastBranch = readName(p, index, "branch");
            recent.branch = lastBranch;
        }
        return lastBranch;
    }

    /** Whether the current string token holds exactly {@code text}. */
    private static boolean sameText(JsonParser p, String text) throws IOException {
        if (text == null) {
            return false;
        }
        int length = p.getTextLength();
        if (length != text.length()) {
            return false;
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        for (int i = 0; i < length; i++) {
            if (chars[offset + i] != text.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** {@link String#equalsIgnoreCase} of {@code chars[offset..offset + name.length())} and {@code name}. */
    private static boolean equalsIgnoreCase(char[] chars, int offset, String name) {
        for (int i = 0; i < name.length(); i++) {
            char c1 = chars[offset + i];
            char c2 = name.charAt(i);
            if (c1 == c2) {
                continue;
            }
            char u1 = Character.toUpperCase(c1);
            char u2 = Character.toUpperCase(c2);
            if (u1 != u2 && Character.toLowerCase(u1) != Character.toLowerCase(u2)) {
                return false;
            }
        }
        return true;
    }

    private static String readName(JsonParser p, int index, String field) throws IOException, IngestException {
        String text = p.getText();
        if (!EventRules.isValidName(text)) {
            throw invalid(index, field, EventRules.quote(text) + " does not match " + EventRules.NAME_PATTERN);
        }
        return text;
    }

    private String readMsg(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "msg");
        checkText(p, index, "msg", null, limits.maxMsgBytes());
        return p.getText();
    }

    /** Reads {@code attrs} into the scratch arrays; returns the count. */
    private int readAttrs(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        if (value != JsonToken.START_OBJECT) {
            throw invalid(index, "attrs", "expected an object, got " + BodyInput.describe(value));
        }
        int count = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            for (int i = 0; i < count; i++) {
                if (keys[i].equals(key)) {
                    throw duplicate(p, key);
                }
            }
            if (count == limits.maxAttrs()) {
                throw tooLarge(index, "attrs", "more than " + limits.maxAttrs() + " attrs");
            }
            if (key.length() > limits.maxAttrKeyChars() && EventRules.codePoints(key) > limits.maxAttrKeyChars()) {
                throw tooLarge(index, fieldName("attrs", key),
                        "key is over the limit of " + limits.maxAttrKeyChars() + " characters");
            }
            if (EventRules.utf8Length(key) < 0) {
                throw invalid(index, fieldName("attrs", key), "key holds a lone UTF-16 surrogate");
            }
            JsonToken v = p.nextToken();
            Object attr = switch (v) {
                case VALUE_STRING -> {
                    checkText(p, index, "attrs", key, limits.maxAttrValueBytes());
                    yield p.getText();
                }
                case VALUE_NUMBER_INT -> {
                    checkScalarLength(p, index, key);
                    yield p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? p.getBigIntegerValue() : (Object) p.getLongValue();
                }
                case VALUE_NUMBER_FLOAT -> {
                    checkScalarLength(p, index, key);
                    yield decimal(p);
                }
                case VALUE_TRUE, VALUE_FALSE -> {
                    checkScalarLength(p, index, key);
                    yield v == JsonToken.VALUE_TRUE ? Boolean.TRUE : Boolean.FALSE;
                }
                default -> throw invalid(index, fieldName("attrs", key),
                        "expected a string, number or boolean, got " + BodyInput.describe(v));
            };
            if (count == keys.length) {
                keys = Arrays.copyOf(keys, count * 2);
                values = Arrays.copyOf(values, count * 2);
            }
            keys[count] = key;
            values[count] = attr;
            count++;
        }
        return count;
    }

    /**
     * Checks that the current string token is valid Unicode and at most {@code maxBytes} in UTF-8; {@code field}
     * names it in the error, as {@code attrs.<key>} when {@code attrKey} is not null.
     */
    private static void checkText(JsonParser p, int index, String field, String attrKey, int maxBytes)
            throws IOException, IngestException {
        int bytes = EventRules.utf8Length(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
        if (bytes < 0) {
            throw invalid(index, fieldName(field, attrKey), "holds a lone UTF-16 surrogate");
        }
        if (bytes > maxBytes) {
            throw tooLarge(index, fieldName(field, attrKey),
                    bytes + " bytes is over the limit of " + maxBytes + " bytes");
        }
    }

    /** A number or boolean attr value, measured as its JSON text. */
    private void checkScalarLength(JsonParser p, int index, String key) throws IOException, IngestException {
        if (p.getTextLength() > limits.maxAttrValueBytes()) {
            throw tooLarge(index, fieldName("attrs", key), p.getTextLength() + " bytes is over the limit of "
                    + limits.maxAttrValueBytes() + " bytes");
        }
    }

    private static String fieldName(String field, String attrKey) {
        return attrKey == null ? field : field + "." + attrKey;
    }

    /**
     * A decimal attr value that keeps its value: a {@link Double} when the text has at most 15 significant digits
     * (every such decimal survives the round trip through a double) and is a normal double, else a BigDecimal.
     */
    private static Object decimal(JsonParser p) throws IOException {
        char[] chars = p.getTextCharacters();
        int end = p.getTextOffset() + p.getTextLength();
        int firstNonZero = -1;
        int lastNonZero = -1;
        int digit = 0;
        for (int i = p.getTextOffset(); i < end; i++) {
            char c = chars[i];
            if (c == 'e' || c == 'E') {
                break;
            }
            if (c >= '1' && c <= '9') {
                if (firstNonZero < 0) {
                    firstNonZero = digit;
                }
                lastNonZero = digit;
            }
            if (c >= '0' && c <= '9') {
                digit++;
            }
        }
        double d = p.getDoubleValue();
        if (firstNonZero < 0) {
            return d; // a zero, signed like its text
        }
        if (lastNonZero - firstNonZero < 15 && Double.isFinite(d) && Math.abs(d) >= Double.MIN_NORMAL) {
            return d;
        }
        return p.getDecimalValue();
    }

    private static void expectString(JsonToken value, int index, String field) throws IngestException {
        if (value != JsonToken.VALUE_STRING) {
            throw invalid(index, field, "expected a string, got " + BodyInput.describe(value));
        }
    }

    static IngestException invalid(int index, String field, String what) {
        return IngestException.badRequest(index, "event " + index + ": field " + EventRules.quote(field) + ": " + what);
    }

    static IngestException tooLarge(int index, String field, String what) {
        return IngestException.tooLarge(index, "event " + index + ": field " + EventRules.quote(field) + ": " + what);
    }
}
