package dev.logcast.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * One validated log event as it was ingested, before the broker gave it an id. Immutable and safe to share
 * between threads.
 *
 * <p>{@code attrs} are kept as two parallel arrays in insertion order; a value is a {@link String}, a
 * {@link Boolean} or a {@link Number} ({@link Long}, {@link Double}, or {@link java.math.BigDecimal} /
 * {@link java.math.BigInteger} for numbers that do not fit those exactly).
 *
 * <p>{@code msg} is held as a {@link String}, or, for an event read from a JSON body whose msg had no escape in it
 * ({@link #withJsonSafeMsg}), as its UTF-8 bytes straight from the body: the frame's JSON and the journal record take
 * those bytes as they are, and the {@code String} is only made if something asks for it ({@link #msg()}).
 */
public final class LogEvent {
    private static final String[] NO_KEYS = new String[0];
    private static final Object[] NO_VALUES = new Object[0];

    private final long tsMillis;
    private final Level level;
    private final String type;
    private final String source;
    private final String branch;
    /**
     * The msg's text; made from {@link #msgUtf8} the first time it is asked for when the event was built from bytes
     * (racy but idempotent: a {@code String} is safe to publish so).
     */
    private String msg;
    /** The msg's UTF-8 bytes when the generator writes them as they are ({@link #withJsonSafeMsg}); else null. */
    private final byte[] msgUtf8;
    private final String[] attrKeys;
    private final Object[] attrValues;
    /** Lazily computed lower-case {@code msg} for the {@code q} filter; racy but idempotent. */
    private String msgFolded;

    public LogEvent(long tsMillis, Level level, String type, String source, String branch, String msg,
                    String[] attrKeys, Object[] attrValues) {
        this(tsMillis, level, type, source, branch, Objects.requireNonNull(msg, "msg"), null, attrKeys, attrValues);
    }

    private LogEvent(long tsMillis, Level level, String type, String source, String branch, String msg,
                     byte[] msgUtf8, String[] attrKeys, Object[] attrValues) {
        this.tsMillis = tsMillis;
        this.level = Objects.requireNonNull(level, "level");
        this.type = Objects.requireNonNull(type, "type");
        this.source = Objects.requireNonNull(source, "source");
        this.branch = Objects.requireNonNull(branch, "branch");
        this.msg = msg;
        this.msgUtf8 = msgUtf8;
        this.attrKeys = attrKeys == null ? NO_KEYS : attrKeys;
        this.attrValues = attrValues == null ? NO_VALUES : attrValues;
        if (this.attrKeys.length != this.attrValues.length) {
            throw new IllegalArgumentException("attr keys and values differ in length");
        }
    }

    public long tsMillis() {
        return tsMillis;
    }

    public Level level() {
        return level;
    }

    public String type() {
        return type;
    }

    public String source() {
        return source;
    }

    public String branch() {
        return branch;
    }

    /**
     * An event whose msg is given as the UTF-8 that jackson's generator writes for it: well-formed UTF-8 without a
     * {@code "}, a backslash, a byte below 0x20 or a character outside the BMP (which the generator writes as an
     * escaped surrogate pair). The bytes between the quotes of a JSON string with no escape and no such character
     * are. The caller guarantees this (the ingest reader takes such bytes from a body that jackson and the UTF-8
     * check accept); the array is the event's from now on and must not change.
     */
    public static LogEvent withJsonSafeMsg(long tsMillis, Level level, String type, String source, String branch,
                                           byte[] msgUtf8, String[] attrKeys, Object[] attrValues) {
        assert isJsonSafe(msgUtf8) : "msg bytes need escaping";
        return new LogEvent(tsMillis, level, type, source, branch, null, Objects.requireNonNull(msgUtf8, "msg"),
                attrKeys, attrValues);
    }

    private static boolean isJsonSafe(byte[] utf8) {
        for (byte b : utf8) {
            if (b == '"' || b == '\\' || (b >= 0 && b < 0x20) || (b & 0xF8) == 0xF0) {
                return false;
            }
        }
        return true;
    }

    public String msg() {
        String text = msg;
        if (text == null) {
            text = new String(msgUtf8, StandardCharsets.UTF_8);
            msg = text;
        }
        return text;
    }

    /**
     * The msg's UTF-8 bytes when they are what jackson's generator writes for it (an event made by
     * {@link #withJsonSafeMsg}), else {@code null}. Not to be changed.
     */
    public byte[] jsonSafeMsgUtf8() {
        return msgUtf8;
    }

    public int attrCount() {
        return attrKeys.length;
    }

    public String attrKey(int i) {
        return attrKeys[i];
    }

    public Object attrValue(int i) {
        return attrValues[i];
    }

    /** The value of attr {@code key}, or {@code null}. */
    public Object attr(String key) {
        for (int i = 0; i < attrKeys.length; i++) {
            if (attrKeys[i].equals(key)) {
                return attrValues[i];
            }
        }
        return null;
    }

    /** {@code msg} case-folded ({@link #foldCase}), computed once. */
    public String msgFolded() {
        String folded = msgFolded;
        if (folded == null) {
            folded = foldCase(msg());
            msgFolded = folded;
        }
        return folded;
    }

    /**
     * {@code text} folded for a case-insensitive search: upper case then lower case (ROOT locale), so that
     * {@code ß} and {@code SS} meet, and every sigma is {@code σ} (lower-casing writes {@code ς} at a word's end) and
     * a dotted capital {@code İ} is {@code i}.
     */
    public static String foldCase(String text) {
        String folded = text.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        if (folded.indexOf('\u03c2') >= 0) {
            folded = folded.replace('\u03c2', '\u03c3');
        }
        if (folded.indexOf('\u0307') >= 0) {
            folded = folded.replace("i\u0307", "i");
        }
        return folded;
    }

    /** A copy of this event with another source (a token's {@code src} claim pins it). */
    public LogEvent withSource(String newSource) {
        return new LogEvent(tsMillis, level, type, newSource, branch, msg, msgUtf8, attrKeys, attrValues);
    }

    @Override
    public String toString() {
        return "LogEvent{ts=" + tsMillis + ", level=" + level.wireName() + ", type=" + type + ", source=" + source
                + ", branch=" + branch + ", msg=" + msg() + ", attrs=" + Arrays.toString(attrKeys) + '}';
    }
}
