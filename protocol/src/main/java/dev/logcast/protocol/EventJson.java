package dev.logcast.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Objects;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Writes an event as the contract's JSON object. The broker encodes each event once: {@link #encodeTail} gives the
 * bytes after the {@code "id"} member (from {@code "ts"} up to the closing brace), so that the sequencer only has
 * to put {@code {"id":"<n>",} in front of them once the id is known.
 *
 * <p>Strings are escaped by jackson-core: no raw CR, LF or NUL ever reaches the output, which is what keeps an SSE
 * {@code data:} line intact whatever a message holds. Stateless and thread-safe.
 */
public final class EventJson {
    /** Shared factory; jackson factories are thread-safe once configured. */
    public static final JsonFactory FACTORY = JsonFactory.builder().build();

    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventJson() {
    }

    /**
     * The event's timestamp as an RFC 3339 UTC string with milliseconds ({@code 2026-11-24T21:32:05.123Z}). Years
     * 0000-9999 are written digit by digit (this runs for every event; {@link DateTimeFormatter} allocates a zoned
     * date-time and a BigDecimal per call); any other year goes through the formatter.
     */
    public static String formatTs(long tsMillis) {
        byte[] out = new byte[TS_BYTES];
        if (!formatTs(tsMillis, out)) {
            return RFC3339_MILLIS.format(Instant.ofEpochMilli(tsMillis));
        }
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** Length of a timestamp {@link #formatTs} writes digit by digit. */
    private static final int TS_BYTES = 24;

    /**
     * Writes the timestamp's 24 ASCII bytes into {@code out}; false (nothing written) when its year is outside
     * 0000-9999.
     */
    private static boolean formatTs(long tsMillis, byte[] out) {
        long days = Math.floorDiv(tsMillis, MILLIS_PER_DAY);
        int msOfDay = (int) Math.floorMod(tsMillis, MILLIS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(days);
        int year = date.getYear();
        if (year < 0 || year > 9999) {
            return false;
        }
        digits(out, 0, year, 4);
        out[4] = '-';
        digits(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        digits(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        writeTime(out, msOfDay);
        return true;
    }

    /** {@code HH:mm:ss.SSSZ} at {@code out[11..24)}. */
    private static void writeTime(byte[] out, int msOfDay) {
        digits(out, 11, msOfDay / 3_600_000, 2);
        out[13] = ':';
        digits(out, 14, msOfDay / 60_000 % 60, 2);
        out[16] = ':';
        digits(out, 17, msOfDay / 1000 % 60, 2);
        out[19] = '.';
        digits(out, 20, msOfDay % 1000, 3);
        out[23] = 'Z';
    }

    /**
     * A thread's reusable parts of {@link #writeFields}: the timestamp bytes and the day their date part holds (a
     * request's events mostly share one), and the last type, source and branch with their quoted bytes.
     */
    private static final class Scratch {
        private final String[] names = new String[3];
        private final SerializedString[] quoted = new SerializedString[3];

        /**
         * {@code value} quoted and encoded once, for a value that repeats the last one in its slot (the ingest
         * reader hands repeats the same string); {@code null} for another, which the caller writes itself, and for
         * a value with anything but printable ASCII (the contract's tokens have nothing else), which a
         * {@link SerializedString} might quote otherwise than the generator (it escapes a surrogate pair).
         */
        SerializableString quoted(int slot, String value) {
            String last = names[slot];
            if (last == value || last != null && last.equals(value)) {
                return quoted[slot];
            }
            names[slot] = value;
            quoted[slot] = isPlainAscii(value) ? new SerializedString(value) : null;
            return null;
        }

        private static boolean isPlainAscii(String value) {
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                    return false;
                }
            }
            return true;
        }

        private Level middleLevel;
        private String middleType;
        private String middleSource;
        private String middleBranch;
        private byte[] middle;

        /**
         * {@code ,"level":...,"type":...,"source":...,"branch":...,"msg":} for the event, as the generator writes
         * those members; made again only when one of them differs from the last event's.
         */
        byte[] middle(LogEvent event) throws IOException {
            if (middle != null && event.level() == middleLevel && same(event.type(), middleType)
                    && same(event.source(), middleSource) && same(event.branch(), middleBranch)) {
                return middle;
            }
            ByteArrayOutputStream b = new ByteArrayOutputStream(96);
            try (JsonGenerator gen = FACTORY.createGenerator(b)) {
                gen.writeStartObject();
                gen.writeFieldName(LEVEL);
                gen.writeString(LEVEL_NAMES[event.level().ordinal()]);
                gen.writeStringField("type", event.type());
                gen.writeStringField("source", event.source());
                gen.writeStringField("branch", event.branch());
                gen.writeFieldName(MSG);
                // a value, so that the generator writes the colon; dropped below
                gen.writeNumber(0);
                gen.writeEndObject();
            }
            byte[] object = b.toByteArray();
            // {"level":...,"msg":0} -> ,"level":...,"msg":
            byte[] bytes = Arrays.copyOf(object, object.length - 2);
            bytes[0] = ',';
            middleLevel = event.level();
            middleType = event.type();
            middleSource = event.source();
            middleBranch = event.branch();
            middle = bytes;
            return bytes;
        }

        private static boolean same(String a, String b) {
            return a == b || a.equals(b);
        }

        final byte[] bytes = new byte[TS_BYTES];
        long day = Long.MIN_VALUE;
        /** The instant {@link #bytes} hold, valid while {@code day} is set. */
        long millis;

        /**
         * {@link #formatTs(long, byte[])} into {@link #bytes}: nothing when the instant is the last one (events
         * stamped on receipt share it), the date part only when the day changed.
         */
        boolean format(long tsMillis) {
            if (tsMillis == millis && day != Long.MIN_VALUE) {
                return true;
            }
            long days = Math.floorDiv(tsMillis, MILLIS_PER_DAY);
            if (days == day) {
                writeTime(bytes, (int) Math.floorMod(tsMillis, MILLIS_PER_DAY));
                millis = tsMillis;
                return true;
            }
            day = Long.MIN_VALUE;
            if (!formatTs(tsMillis, bytes)) {
                return false;
            }
            day = days;
            millis = tsMillis;
            return true;
        }
    }

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private static void digits(byte[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * The JSON members after {@code "id"}: {@code "ts":...,"level":...,...,"attrs":{...}}} including the closing
     * brace, UTF-8.
     */
    public static byte[] encodeTail(LogEvent event) {
        return encodeTails(new LogEvent[] {event}).copy(0);
    }

    /**
     * {@link #encodeTail} of each event, through one generator and into one array: a request's events are encoded
     * together, so the generator and its buffers are set up once per request, and the request's tails take one
     * allocation, not one per event.
     */
    public static Tails encodeTails(LogEvent[] events) {
        int[] bounds = new int[2 * events.length];
        TailBuffer out = TAIL_BUFFERS.get();
        out.reset();
        Scratch scratch = SCRATCH.get();
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            // what the generator writes here are root values with nothing between them, flushed at once
            gen.setRootValueSeparator(null);
            for (int i = 0; i < events.length; i++) {
                int start = out.size();
                writeTail(events[i], gen, out, scratch);
                // without the opening '{': the sequencer writes {"id":"n", in its place
                bounds[2 * i] = start + 1;
                bounds[2 * i + 1] = out.size();
            }
            return new Tails(out.toByteArray(), bounds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            out.trim();
        }
    }

    /**
     * Writes the event's object as {@link #writeFields} does, byte for byte, with most of it copied in: the members
     * from {@code "level"} up to {@code "msg":} come from {@link Scratch#middle} (made by the generator, once per
     * run of events that share level, type, source and branch), a msg {@linkplain LogEvent#jsonSafeMsgUtf8() whose
     * bytes the generator would write as they are} is copied between quotes. The generator writes the rest (a msg
     * to escape, the attrs, a timestamp outside years 0000-9999) as root values, flushed into {@code out} at once.
     */
    private static void writeTail(LogEvent event, JsonGenerator gen, TailBuffer out, Scratch scratch)
            throws IOException {
        out.write(TS_OPEN);
        if (scratch.format(event.tsMillis())) {
            out.write('"');
            out.write(scratch.bytes, 0, TS_BYTES);
            out.write('"');
        } else {
            gen.writeString(formatTs(event.tsMillis()));
            gen.flush();
        }
        byte[] middle = scratch.middle(event);
        out.write(middle, 0, middle.length);
        byte[] msgUtf8 = event.jsonSafeMsgUtf8();
        if (msgUtf8 != null) {
            out.write('"');
            out.write(msgUtf8, 0, msgUtf8.length);
            out.write('"');
        } else {
            gen.writeString(event.msg());
            gen.flush();
        }
        if (event.attrCount() == 0) {
            out.write(NO_ATTRS_CLOSE);
            return;
        }
        out.write(ATTRS_OPEN);
        writeAttrs(event, gen);
        gen.flush();
        out.write('}');
    }

    private static final byte[] TS_OPEN = "{\"ts\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ATTRS_OPEN = ",\"attrs\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_ATTRS_CLOSE = ",\"attrs\":{}}".getBytes(StandardCharsets.US_ASCII);

    /**
     * The tails of a run of events ({@link #encodeTails}) in one array: tail {@code i} is {@link #bytes()} from
     * {@link #offset offset(i)}, {@link #length length(i)} bytes long. Immutable once made.
     */
    public static final class Tails {
        private final byte[] bytes;
        /** Start and end of each tail in {@code bytes}, two entries per event. */
        private final int[] bounds;

        Tails(byte[] bytes, int[] bounds) {
            this.bytes = bytes;
            this.bounds = bounds;
        }

        public int count() {
            return bounds.length / 2;
        }

        /** The array every tail lies in. Not to be changed. */
        public byte[] bytes() {
            return bytes;
        }

        public int offset(int i) {
            return bounds[2 * i];
        }

        public int length(int i) {
            return bounds[2 * i + 1] - bounds[2 * i];
        }

        /** Tail {@code i} in an array of its own. */
        public byte[] copy(int i) {
            return Arrays.copyOfRange(bytes, offset(i), bounds[2 * i + 1]);
        }
    }

    /**
     * A per-thread buffer for {@link #encodeTails}: one array for each result, none for the way there. Not a
     * {@link ByteArrayOutputStream}, whose every call takes a lock.
     */
    private static final class TailBuffer extends OutputStream {
        private static final int KEEP_BYTES = 64 * 1024;
        private byte[] buf = new byte[1024];
        private int count;

        void reset() {
            count = 0;
        }

        int size() {
            return count;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            Objects.checkFromIndexSize(off, len, b.length);
            ensure(len);
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void ensure(int more) {
            if (buf.length - count < more) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
            }
        }

        /** The bytes written, in an array of their own. */
        byte[] toByteArray() {
            return Arrays.copyOf(buf, count);
        }

        /** One huge request does not pin its buffer to the thread for good. */
        void trim() {
            if (buf.length > KEEP_BYTES) {
                buf = new byte[1024];
            }
        }
    }

    private static final ThreadLocal<TailBuffer> TAIL_BUFFERS = ThreadLocal.withInitial(TailBuffer::new);

    /** The whole event object with its id, for clients and tests. */
    public static byte[] encode(long id, LogEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + event.msg().length());
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            gen.writeStartObject();
            gen.writeStringField("id", Long.toUnsignedString(id));
            writeFields(event, gen);
            gen.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes every member but {@code id} into an object the caller has started. */
    public static void writeFields(LogEvent event, JsonGenerator gen) throws IOException {
        gen.writeFieldName(TS);
        Scratch scratch = SCRATCH.get();
        if (scratch.format(event.tsMillis())) {
            // ASCII digits and punctuation: nothing to escape
            gen.writeRawUTF8String(scratch.bytes, 0, TS_BYTES);
        } else {
            gen.writeString(formatTs(event.tsMillis()));
        }
        gen.writeFieldName(LEVEL);
        gen.writeString(LEVEL_NAMES[event.level().ordinal()]);
        gen.writeFieldName(TYPE);
        writeName(gen, scratch, 0, event.type());
        gen.writeFieldName(SOURCE);
        writeName(gen, scratch, 1, event.source());
        gen.writeFieldName(BRANCH);
        writeName(gen, scratch, 2, event.branch());
        gen.writeFieldName(MSG);
        byte[] msgUtf8 = event.jsonSafeMsgUtf8();
        if (msgUtf8 != null) {
            // the bytes of a JSON string that had no escape: what the generator would write for its text
            gen.writeRawUTF8String(msgUtf8, 0, msgUtf8.length);
        } else {
            gen.writeString(event.msg());
        }
        gen.writeFieldName(ATTRS);
        writeAttrs(event, gen);
    }

    /** The attrs object. */
    private static void writeAttrs(LogEvent event, JsonGenerator gen) throws IOException {
        gen.writeStartObject();
        for (int i = 0; i < event.attrCount(); i++) {
            gen.writeFieldName(event.attrKey(i));
            writeScalar(gen, event.attrValue(i));
        }
        gen.writeEndObject();
    }

    private static void writeName(JsonGenerator gen, Scratch scratch, int slot, String value) throws IOException {
        SerializableString quoted = scratch.quoted(slot, value);
        if (quoted != null) {
            gen.writeString(quoted);
        } else {
            gen.writeString(value);
        }
    }

    // member names and level names, quoted and encoded once
    private static final SerializableString TS = new SerializedString("ts");
    private static final SerializableString LEVEL = new SerializedString("level");
    private static final SerializableString TYPE = new SerializedString("type");
    private static final SerializableString SOURCE = new SerializedString("source");
    private static final SerializableString BRANCH = new SerializedString("branch");
    private static final SerializableString MSG = new SerializedString("msg");
    private static final SerializableString ATTRS = new SerializedString("attrs");
    private static final SerializableString[] LEVEL_NAMES = Arrays.stream(Level.values())
            .map(level -> new SerializedString(level.wireName())).toArray(SerializableString[]::new);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static void writeScalar(JsonGenerator gen, Object value) throws IOException {
        if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Integer i) {
            gen.writeNumber(i);
        } else if (value instanceof Double d) {
            gen.writeNumber(d);
        } else if (value instanceof BigDecimal d) {
            gen.writeNumber(d);
        } else if (value instanceof BigInteger i) {
            gen.writeNumber(i);
        } else if (value instanceof Number n) {
            gen.writeNumber(n.toString());
        } else {
            gen.writeString(String.valueOf(value));
        }
    }
}
