package dev.logcast.protocol.journal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Maps a {@link LogEvent} with its id and receive time to a {@link JournalRecord} (logcast/journal.proto) and back.
 *
 * <p>Attr values round-trip exactly, type included: {@link String}, {@link Boolean}, {@link Long}, {@link Double}
 * (bit for bit, NaN and -0.0 too), {@link BigDecimal} (value and scale) and {@link BigInteger}. The other boxed
 * numbers an event could hold are widened: {@link Integer}, {@link Short} and {@link Byte} come back as {@link Long},
 * {@link Float} as {@link Double}, any other {@link Number} as the {@link BigDecimal} of its decimal text.
 *
 * <p>{@link #encode} writes the same bytes as {@code toRecord(...).writeTo(out)} without building the message (the
 * journal's writer thread encodes every event through it). Stateless and thread-safe.
 */
public final class JournalCodec {
    /** Field 1 (id), wire type 0 (varint). */
    private static final int ID_TAG = JournalRecord.ID_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_VARINT;
    private static final Level[] LEVELS = Level.values();

    private JournalCodec() {
    }

    /** The message for one event. */
    public static JournalRecord toRecord(long id, long receivedMillis, LogEvent event) {
        JournalRecord.Builder record = JournalRecord.newBuilder()
                .setId(id)
                .setTsMillis(event.tsMillis())
                .setReceivedMillis(receivedMillis)
                .setLevelValue(levelNumber(event.level()))
                .setType(event.type())
                .setSource(event.source())
                .setBranch(event.branch())
                .setMsg(event.msg());
        for (int i = 0; i < event.attrCount(); i++) {
            Attr.Builder attr = Attr.newBuilder().setKey(event.attrKey(i));
            Object value = event.attrValue(i);
            if (value instanceof String s) {
                attr.setStringValue(s);
            } else if (value instanceof Boolean b) {
                attr.setBoolValue(b);
            } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                    || value instanceof Byte) {
                attr.setIntValue(((Number) value).longValue());
            } else if (value instanceof Double || value instanceof Float) {
                attr.setDoubleValue(((Number) value).doubleValue());
            } else if (value instanceof BigInteger b) {
                attr.setBigIntegerValue(b.toString());
            } else if (value instanceof Number n) {
                attr.setDecimalValue(decimalText(n));
            } else {
                throw unsupported(event.attrKey(i), value);
            }
            record.addAttrs(attr);
        }
        return record.build();
    }

    /**
     * The event a record holds (its id and receive time are the record's {@link JournalRecord#getId()} and
     * {@link JournalRecord#getReceivedMillis()}).
     *
     * @throws InvalidProtocolBufferException when the record has no valid level, an attr without a value, or a
     *                                        decimal that does not parse
     */
    public static LogEvent toEvent(JournalRecord record) throws InvalidProtocolBufferException {
        int levelNumber = record.getLevelValue();
        if (levelNumber < 1 || levelNumber > LEVELS.length) {
            throw new InvalidProtocolBufferException("journal record " + Long.toUnsignedString(record.getId())
                    + " has no valid level (" + levelNumber + ")");
        }
        int n = record.getAttrsCount();
        String[] keys = new String[n];
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
            Attr attr = record.getAttrs(i);
            keys[i] = attr.getKey();
            values[i] = attrValue(record.getId(), attr);
        }
        return new LogEvent(record.getTsMillis(), LEVELS[levelNumber - 1], record.getType(), record.getSource(),
                record.getBranch(), record.getMsg(), keys, values);
    }

    /** Decodes one serialized record; see {@link #toEvent(JournalRecord)}. */
    public static JournalRecord parse(byte[] payload, int offset, int length) throws InvalidProtocolBufferException {
        return JournalRecord.parser().parseFrom(payload, offset, length);
    }

    /**
     * The id of a serialized record, read from its first field without decoding the rest when the record was
     * written by {@link #encode} (id first); any other valid record is decoded in full.
     */
    public static long peekId(byte[] payload, int offset, int length) throws InvalidProtocolBufferException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(payload, offset, length);
            if (in.readTag() == ID_TAG) {
                return in.readUInt64();
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e);
        }
        return parse(payload, offset, length).getId();
    }

    /** The size of the record {@link #encode} writes. */
    public static int encodedSize(long id, long receivedMillis, LogEvent event) {
        return new RecordEncoder().prepare(id, receivedMillis, event);
    }

    /** Writes the record for one event, the bytes of {@code toRecord(id, receivedMillis, event)}. */
    public static void encode(long id, long receivedMillis, LogEvent event, CodedOutputStream out) throws IOException {
        RecordEncoder encoder = new RecordEncoder();
        encoder.prepare(id, receivedMillis, event);
        encoder.encode(out);
    }

    /**
     * Encodes records one after another, each string turned into UTF-8 once ({@link String#getBytes}, which copies
     * ASCII text in bulk) for both its size and its bytes, where protobuf's {@code writeString} walks it char by
     * char twice or three times. The type, source and branch of the last record are kept: a run of records from one
     * service encodes them once. Writes the bytes of {@code toRecord(...).writeTo(out)}. Not thread-safe: one per
     * writer.
     */
    public static final class RecordEncoder {
        private final Utf8Memo type = new Utf8Memo();
        private final Utf8Memo source = new Utf8Memo();
        private final Utf8Memo branch = new Utf8Memo();
        /**
         * The fields level, type, source and branch (numbers 4 to 7, which follow each other in the record) of the
         * last record, encoded; a run of records from one service writes them with one copy.
         */
        private byte[] run;
        private Level runLevel;
        private byte[] runType;
        private byte[] runSource;
        private byte[] runBranch;
        private byte[] msg;
        private long id;
        private long receivedMillis;
        private LogEvent event;
        private int attrsSize;
        /** The size of each attr of the prepared record, so that {@link #encode} does not work them out again. */
        private int[] attrSizes = new int[8];

        /**
         * Prepares the record of one event for {@link #encode}.
         *
         * @return the size {@link #encode} writes
         * @throws IllegalArgumentException when an attr holds a value a record cannot
         */
        public int prepare(long id, long receivedMillis, LogEvent event) {
            this.id = id;
            this.receivedMillis = receivedMillis;
            this.event = event;
            byte[] msgUtf8 = event.jsonSafeMsgUtf8();
            if (msgUtf8 != null) {
                this.msg = msgUtf8.length == 0 ? null : msgUtf8;
            } else {
                this.msg = event.msg().isEmpty() ? null : event.msg().getBytes(StandardCharsets.UTF_8);
            }
            int size = 0;
            if (id != 0) {
                size += CodedOutputStream.computeUInt64Size(JournalRecord.ID_FIELD_NUMBER, id);
            }
            if (event.tsMillis() != 0) {
                size += CodedOutputStream.computeInt64Size(JournalRecord.TS_MILLIS_FIELD_NUMBER, event.tsMillis());
            }
            if (receivedMillis != 0) {
                size += CodedOutputStream.computeInt64Size(JournalRecord.RECEIVED_MILLIS_FIELD_NUMBER,
                        receivedMillis);
            }
            size += run(event).length;
            size += bytesSize(JournalRecord.MSG_FIELD_NUMBER, msg);
            int attrs = 0;
            if (event.attrCount() > attrSizes.length) {
                attrSizes = new int[event.attrCount()];
            }
            for (int i = 0; i < event.attrCount(); i++) {
                int attrSize = attrSize(event.attrKey(i), event.attrValue(i));
                attrSizes[i] = attrSize;
                attrs += CodedOutputStream.computeTagSize(JournalRecord.ATTRS_FIELD_NUMBER)
                        + CodedOutputStream.computeUInt32SizeNoTag(attrSize) + attrSize;
            }
            attrsSize = attrs;
            return size + attrs;
        }

        /** Writes the record {@link #prepare} was last called for. */
        public void encode(CodedOutputStream out) throws IOException {
            if (id != 0) {
                out.writeUInt64(JournalRecord.ID_FIELD_NUMBER, id);
            }
            if (event.tsMillis() != 0) {
                out.writeInt64(JournalRecord.TS_MILLIS_FIELD_NUMBER, event.tsMillis());
            }
            if (receivedMillis != 0) {
                out.writeInt64(JournalRecord.RECEIVED_MILLIS_FIELD_NUMBER, receivedMillis);
            }
            out.writeRawBytes(run);
            writeBytes(out, JournalRecord.MSG_FIELD_NUMBER, msg);
            if (attrsSize > 0) {
                writeAttrs(event, attrSizes, out);
            }
        }

        /** The encoded level, type, source and branch of {@code event}: the last record's when they are the same. */
        private byte[] run(LogEvent event) {
            byte[] t = type.of(event.type());
            byte[] s = source.of(event.source());
            byte[] b = branch.of(event.branch());
            if (run != null && event.level() == runLevel && t == runType && s == runSource && b == runBranch) {
                return run;
            }
            int level = levelNumber(event.level());
            byte[] bytes = new byte[CodedOutputStream.computeEnumSize(JournalRecord.LEVEL_FIELD_NUMBER, level)
                    + bytesSize(JournalRecord.TYPE_FIELD_NUMBER, t) + bytesSize(JournalRecord.SOURCE_FIELD_NUMBER, s)
                    + bytesSize(JournalRecord.BRANCH_FIELD_NUMBER, b)];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            try {
                out.writeEnum(JournalRecord.LEVEL_FIELD_NUMBER, level);
                writeBytes(out, JournalRecord.TYPE_FIELD_NUMBER, t);
                writeBytes(out, JournalRecord.SOURCE_FIELD_NUMBER, s);
                writeBytes(out, JournalRecord.BRANCH_FIELD_NUMBER, b);
                out.checkNoSpaceLeft();
            } catch (IOException e) {
                throw new IllegalStateException("encoding into an array of the computed size", e);
            }
            run = bytes;
            runLevel = event.level();
            runType = t;
            runSource = s;
            runBranch = b;
            return bytes;
        }

        private static int bytesSize(int field, byte[] utf8) {
            return utf8 == null ? 0 : CodedOutputStream.computeByteArraySize(field, utf8);
        }

        private static void writeBytes(CodedOutputStream out, int field, byte[] utf8) throws IOException {
            if (utf8 != null) {
                out.writeByteArray(field, utf8);
            }
        }
    }

    /** The UTF-8 of the last string asked for; {@code null} for the empty string (a field left out). */
    private static final class Utf8Memo {
        private String last;
        byte[] bytes;

        byte[] of(String value) {
            if (value != last && !value.equals(last)) {
                last = value;
                bytes = value.isEmpty() ? null : value.getBytes(StandardCharsets.UTF_8);
            }
            return bytes;
        }
    }

    /** Writes the event's attrs, whose encoded sizes are {@code sizes[0..attrCount)}. */
    private static void writeAttrs(LogEvent event, int[] sizes, CodedOutputStream out) throws IOException {
        for (int i = 0; i < event.attrCount(); i++) {
            String key = event.attrKey(i);
            Object value = event.attrValue(i);
            out.writeTag(JournalRecord.ATTRS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(sizes[i]);
            writeString(out, Attr.KEY_FIELD_NUMBER, key);
            if (value instanceof String s) {
                out.writeString(Attr.STRING_VALUE_FIELD_NUMBER, s);
            } else if (value instanceof Boolean b) {
                out.writeBool(Attr.BOOL_VALUE_FIELD_NUMBER, b);
            } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                    || value instanceof Byte) {
                out.writeSInt64(Attr.INT_VALUE_FIELD_NUMBER, ((Number) value).longValue());
            } else if (value instanceof Double || value instanceof Float) {
                out.writeDouble(Attr.DOUBLE_VALUE_FIELD_NUMBER, ((Number) value).doubleValue());
            } else if (value instanceof BigInteger b) {
                out.writeString(Attr.BIG_INTEGER_VALUE_FIELD_NUMBER, b.toString());
            } else if (value instanceof Number n) {
                out.writeString(Attr.DECIMAL_VALUE_FIELD_NUMBER, decimalText(n));
            } else {
                throw unsupported(key, value);
            }
        }
    }

    private static int attrSize(String key, Object value) {
        int size = stringSize(Attr.KEY_FIELD_NUMBER, key);
        if (value instanceof String s) {
            return size + CodedOutputStream.computeStringSize(Attr.STRING_VALUE_FIELD_NUMBER, s);
        } else if (value instanceof Boolean b) {
            return size + CodedOutputStream.computeBoolSize(Attr.BOOL_VALUE_FIELD_NUMBER, b);
        } else if (value instanceof Long || value instanceof Integer || value instanceof Short
                || value instanceof Byte) {
            return size + CodedOutputStream.computeSInt64Size(Attr.INT_VALUE_FIELD_NUMBER,
                    ((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            return size + CodedOutputStream.computeDoubleSize(Attr.DOUBLE_VALUE_FIELD_NUMBER, 0);
        } else if (value instanceof BigInteger b) {
            return size + CodedOutputStream.computeStringSize(Attr.BIG_INTEGER_VALUE_FIELD_NUMBER, b.toString());
        } else if (value instanceof Number n) {
            return size + CodedOutputStream.computeStringSize(Attr.DECIMAL_VALUE_FIELD_NUMBER, decimalText(n));
        }
        throw unsupported(key, value);
    }

    private static Object attrValue(long id, Attr attr) throws InvalidProtocolBufferException {
        try {
            return switch (attr.getValueCase()) {
                case STRING_VALUE -> attr.getStringValue();
                case INT_VALUE -> attr.getIntValue();
                case DOUBLE_VALUE -> attr.getDoubleValue();
                case BOOL_VALUE -> attr.getBoolValue();
                case DECIMAL_VALUE -> new BigDecimal(attr.getDecimalValue());
                case BIG_INTEGER_VALUE -> new BigInteger(attr.getBigIntegerValue());
                case VALUE_NOT_SET -> throw new InvalidProtocolBufferException("journal record "
                        + Long.toUnsignedString(id) + ": attr " + attr.getKey() + " has no value");
            };
        } catch (NumberFormatException e) {
            throw new InvalidProtocolBufferException("journal record " + Long.toUnsignedString(id) + ": attr "
                    + attr.getKey() + " holds a malformed number");
        }
    }

    private static String decimalText(Number n) {
        return n instanceof BigDecimal d ? d.toString() : new BigDecimal(n.toString()).toString();
    }

    private static int levelNumber(Level level) {
        return level.ordinal() + 1;
    }

    private static int stringSize(int field, String value) {
        return value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(field, value);
    }

    private static void writeString(CodedOutputStream out, int field, String value) throws IOException {
        if (!value.isEmpty()) {
            out.writeString(field, value);
        }
    }

    private static IllegalArgumentException unsupported(String key, Object value) {
        return new IllegalArgumentException("attr " + key + " holds a "
                + (value == null ? "null" : value.getClass().getName()) + ", not a string, boolean or number");
    }
}
