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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
    /** The body the parser reads, for a msg's bytes; see {@link #jsonSafeMsg}. */
    private final BodyInput.ArrayBody input;
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
    private static final byte[][] LEVEL_BYTES = Arrays.stream(LEVELS)
            .map(level -> level.wireName().getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
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

    EventReader(EventLimits limits, long receiveTimeMillis, BodyInput.ArrayBody input) {
        this.limits = limits;
        this.receiveTimeMillis = receiveTimeMillis;
        this.input = input;
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
        byte[] msgBytes = null;
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
                case 32 -> {
                    expectString(value, index, "msg");
                    msgBytes = jsonSafeMsg(p);
                    if (msgBytes == null) {
                        msg = readMsgText(p, index);
                    }
                }
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
        if (msgBytes != null) {
            return LogEvent.withJsonSafeMsg(ts, level, type, source, branch, msgBytes, attrKeys, attrValues);
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

    /**
     * The level named by the current string token, in any case: matched on the body's bytes, and when they are not
     * a level name in ASCII (an escape, another script's letter) on the parser's characters.
     */
    private Level readLevel(JsonParser p, JsonToken value, int index) throws IOException, IngestException {
        expectString(value, index, "level");
        int start = rawStart(p);
        if (start >= 0) {
            byte[] body = input.array();
            for (Level level : LEVELS) {
                if (rawEqualsLowerAscii(body, start, LEVEL_BYTES[level.ordinal()])) {
                    return level;
                }
            }
        }
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

    /**
     * Whether the current string token holds exactly {@code text}: compared on the body's bytes when {@code text} is
     * ASCII without a quote or backslash (type, source and branch always are), so that jackson only skips the
     * string; else on jackson's characters.
     */
    private boolean sameText(JsonParser p, String text) throws IOException {
        if (text == null) {
            return false;
        }
        int start = rawStart(p);
        if (start >= 0 && text.length() <= EventRules.MAX_NAME_CHARS) {
            byte[] body = input.array();
            int end = start + text.length();
            if (end >= input.end()) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                // text is a valid type, source or branch: printable ASCII, no quote, no backslash
                if (body[start + i] != text.charAt(i)) {
                    return false;
                }
            }
            return body[end] == '"';
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

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long QUOTES = 0x2222222222222222L;
    private static final long BACKSLASHES = 0x5c5c5c5c5c5c5c5cL;
    private static final long LOW_BITS = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long HIGH_NIBBLES = 0xF0F0F0F0F0F0F0F0L;

    /** Whether any byte of {@code word} leads a four-byte UTF-8 sequence ({@code 0xF0..0xF7}). */
    private static boolean hasFourByteLead(long word) {
        long x = (word & 0xF8F8F8F8F8F8F8F8L) ^ HIGH_NIBBLES;
        return ((x - LOW_BITS) & ~x & HIGH_BITS) != 0;
    }

    /** Whether any byte of {@code word} is the byte {@code pattern} repeats. */
    private static boolean hasByte(long word, long pattern) {
        long x = word ^ pattern;
        return ((x - LOW_BITS) & ~x & HIGH_BITS) != 0;
    }

    /**
     * Where the content of the string at the current token starts in {@link #input}'s array (just after its opening
     * quote), or -1 when that cannot be told. jackson has not read the string yet when its token is current: it
     * reads or skips it lazily.
     */
    private int rawStart(JsonParser p) {
        if (input == null) {
            return -1;
        }
        long at = p.currentTokenLocation().getByteOffset();
        if (at < 0 || at >= input.end() - input.offset()) {
            return -1;
        }
        int quote = input.offset() + (int) at;
        return input.array()[quote] == '"' ? quote + 1 : -1;
    }

    /**
     * Whether the string whose content starts at {@code body[start]} is {@code lower} in any ASCII case, with no
     * escape; {@code lower} holds lower-case ASCII letters only.
     */
    private boolean rawEqualsLowerAscii(byte[] body, int start, byte[] lower) {
        int end = start + lower.length;
        if (end >= input.end() || body[end] != '"') {
            return false;
        }
        for (int i = 0; i < lower.length; i++) {
            if ((body[start + i] | 0x20) != lower[i]) {
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

    /** The msg at the current token, decoded by jackson: for one that {@link #jsonSafeMsg} could not take. */
    private String readMsgText(JsonParser p, int index) throws IOException, IngestException {
        checkText(p, index, "msg", null, limits.maxMsgBytes());
        return p.getText();
    }

    /**
     * The bytes between the quotes of the string at the current token, copied from the body, when the string holds
     * no escape and no character outside the BMP (the generator escapes those as surrogate pairs) and is within the
     * msg limit; else null, and the caller decodes it. jackson has not read the string yet (it does so lazily, and
     * skips it when the next token is asked for): its bytes between the quotes are well-formed UTF-8 (the body
     * passed the UTF-8 check), and with no backslash before the closing quote they are the text's UTF-8 as they
     * stand and need no escaping in JSON. A control character among them is malformed
     * JSON, which jackson reports when it skips the string, failing the batch.
     */
    private byte[] jsonSafeMsg(JsonParser p) {
        int start = rawStart(p);
        if (start < 0) {
            return null;
        }
        byte[] body = input.array();
        int end = input.end();
        int limit = Math.min(end, start + limits.maxMsgBytes());
        int i = start;
        // eight bytes at a time while none is a quote or a backslash
        while (i + Long.BYTES <= limit) {
            long word = (long) LONGS.get(body, i);
            if (hasByte(word, QUOTES) || hasByte(word, BACKSLASHES) || hasFourByteLead(word)) {
                break;
            }
            i += Long.BYTES;
        }
        for (; i < limit; i++) {
            byte b = body[i];
            if (b == '"') {
                return Arrays.copyOfRange(body, start, i);
            }
            if (b == '\\' || (b & 0xF8) == 0xF0) {
                return null;
            }
        }
        return null;
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
