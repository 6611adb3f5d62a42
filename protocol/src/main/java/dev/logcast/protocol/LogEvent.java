package dev.logcast.protocol;

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
 */
public final class LogEvent {
    private static final String[] NO_KEYS = new String[0];
    private static final Object[] NO_VALUES = new Object[0];

    private final long tsMillis;
    private final Level level;
    private final String type;
    private final String source;
    private final String branch;
    private final String msg;
    private final String[] attrKeys;
    private final Object[] attrValues;
    /** Lazily computed lower-case {@code msg} for the {@code q} filter; racy but idempotent. */
    private String msgLowerCase;

    public LogEvent(long tsMillis, Level level, String type, String source, String branch, String msg,
                    String[] attrKeys, Object[] attrValues) {
        this.tsMillis = tsMillis;
        this.level = Objects.requireNonNull(level, "level");
        this.type = Objects.requireNonNull(type, "type");
        this.source = Objects.requireNonNull(source, "source");
        this.branch = Objects.requireNonNull(branch, "branch");
        this.msg = Objects.requireNonNull(msg, "msg");
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

    public String msg() {
        return msg;
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

    /** {@code msg} in lower case (ROOT locale), computed once. */
    public String msgLowerCase() {
        String lower = msgLowerCase;
        if (lower == null) {
            lower = msg.toLowerCase(Locale.ROOT);
            msgLowerCase = lower;
        }
        return lower;
    }

    /** A copy of this event with another source (a token's {@code src} claim pins it). */
    public LogEvent withSource(String newSource) {
        return new LogEvent(tsMillis, level, type, newSource, branch, msg, attrKeys, attrValues);
    }

    @Override
    public String toString() {
        return "LogEvent{ts=" + tsMillis + ", level=" + level.wireName() + ", type=" + type + ", source=" + source
                + ", branch=" + branch + ", msg=" + msg + ", attrs=" + Arrays.toString(attrKeys) + '}';
    }
}
