package dev.logcast.protocol.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class JournalCodecTest {
    private static final Object[] EVERY_VALUE = {
        "text", "", "ünïcødé \uD83D\uDE00\n\"quoted\"", true, false,
        0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
        0.0, -0.0, 1.5, -2.25e-300, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        new BigDecimal("0.10"), new BigDecimal("1E+400"), new BigDecimal("-123456789012345678901234567890.5"),
        new BigDecimal("100"), new BigInteger("18446744073709551616"), new BigInteger("-99999999999999999999999"),
    };

    private static LogEvent everything() {
        String[] keys = new String[EVERY_VALUE.length];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "k" + i;
        }
        return new LogEvent(1_764_000_000_123L, Level.ERROR, "api", "checkout-svc", "team-a/feature", "line one\nline two",
                keys, EVERY_VALUE.clone());
    }

    @Test
    void everyFieldAndAttrTypeRoundTripsExactly() throws IOException {
        LogEvent event = everything();
        byte[] bytes = encode(1_764_000_000_123_000L, 1_764_000_000_200L, event);

        JournalRecord record = JournalCodec.parse(bytes, 0, bytes.length);
        assertThat(record.getId()).isEqualTo(1_764_000_000_123_000L);
        assertThat(record.getReceivedMillis()).isEqualTo(1_764_000_000_200L);
        LogEvent back = JournalCodec.toEvent(record);
        assertSameEvent(back, event);
    }

    @Test
    void encodeWritesTheMessagesOwnBytes() throws IOException {
        LogEvent event = everything();
        byte[] viaMessage = JournalCodec.toRecord(42, 7, event).toByteArray();
        assertThat(encode(42, 7, event)).isEqualTo(viaMessage);
        assertThat(JournalCodec.encodedSize(42, 7, event)).isEqualTo(viaMessage.length);
    }

    @Test
    void oneRecordEncoderWritesEachOfARunOfRecordsAsTheMessageWould() throws IOException {
        String service = "checkout";
        // repeats (the same instance, an equal one), changes, empty strings and text beyond ASCII, in a row
        LogEvent[] run = {
            new LogEvent(1, Level.INFO, "log", service, "main", "first", null, null),
            new LogEvent(2, Level.WARN, "log", service, "main", "second \u00e9\u4e2d", null, null),
            new LogEvent(3, Level.INFO, "log", new String(service.toCharArray()), "main", "", null, null),
            new LogEvent(4, Level.ERROR, "api", "caf\u00e9", "", "\uD83D\uDE00 emoji", null, null),
            new LogEvent(5, Level.INFO, "", "caf\u00e9", "b/\u4e2d", "x".repeat(300), null, null),
            everything(),
            new LogEvent(0, Level.TRACE, "", "", "", "", null, null),
            new LogEvent(6, Level.INFO, "log", service, "main", "back", null, null),
        };
        JournalCodec.RecordEncoder encoder = new JournalCodec.RecordEncoder();
        for (int i = 0; i < run.length; i++) {
            byte[] viaMessage = JournalCodec.toRecord(100 + i, 7 + i, run[i]).toByteArray();
            int size = encoder.prepare(100 + i, 7 + i, run[i]);
            byte[] bytes = new byte[size];
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            encoder.encode(out);
            out.checkNoSpaceLeft();
            assertThat(bytes).as("record %d", i).isEqualTo(viaMessage);
        }
    }

    @Test
    void defaultsAndEmptyStringsRoundTrip() throws IOException {
        LogEvent event = new LogEvent(0, Level.TRACE, "", "", "", "", null, null);
        byte[] bytes = encode(0, 0, event);
        assertThat(bytes).isEqualTo(JournalCodec.toRecord(0, 0, event).toByteArray());
        assertSameEvent(JournalCodec.toEvent(JournalCodec.parse(bytes, 0, bytes.length)), event);
    }

    @ParameterizedTest
    @EnumSource(Level.class)
    void everyLevelRoundTrips(Level level) throws IOException {
        LogEvent event = new LogEvent(5, level, "log", "s", "main", "m", null, null);
        byte[] bytes = encode(9, 9, event);
        assertThat(JournalCodec.toEvent(JournalCodec.parse(bytes, 0, bytes.length)).level()).isEqualTo(level);
        assertThat(JournalCodec.toRecord(9, 9, event).getLevel().name()).isEqualTo("RECORD_LEVEL_" + level.name());
    }

    static Stream<Arguments> widenedNumbers() {
        return Stream.of(
                Arguments.of(7, 7L),
                Arguments.of((short) -3, -3L),
                Arguments.of((byte) 1, 1L),
                Arguments.of(0.1f, (double) 0.1f),
                Arguments.of(new java.util.concurrent.atomic.AtomicLong(12), new BigDecimal("12")));
    }

    @ParameterizedTest
    @MethodSource("widenedNumbers")
    void otherBoxedNumbersAreWidened(Object in, Object out) throws IOException {
        LogEvent event = new LogEvent(5, Level.INFO, "log", "s", "main", "m", new String[] {"n"}, new Object[] {in});
        byte[] bytes = encode(3, 3, event);
        assertThat(bytes).isEqualTo(JournalCodec.toRecord(3, 3, event).toByteArray());
        assertThat(JournalCodec.toEvent(JournalCodec.parse(bytes, 0, bytes.length)).attrValue(0)).isEqualTo(out);
    }

    @Test
    void peekIdReadsTheFirstFieldAndFallsBackToAFullDecode() throws IOException {
        byte[] bytes = encode(Long.MAX_VALUE, 1, everything());
        assertThat(JournalCodec.peekId(bytes, 0, bytes.length)).isEqualTo(Long.MAX_VALUE);

        // a valid record whose first field is not the id
        JournalRecord record = JournalCodec.toRecord(77, 1, everything());
        byte[] reordered = concat(record.toBuilder().clearId().build().toByteArray(),
                JournalRecord.newBuilder().setId(77).build().toByteArray());
        assertThat(JournalCodec.peekId(reordered, 0, reordered.length)).isEqualTo(77);

        assertThatThrownBy(() -> JournalCodec.peekId(new byte[] {8, (byte) 0x80}, 0, 2))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void recordsThatNoEventCanComeFromAreRefused() {
        JournalRecord noLevel = JournalCodec.toRecord(1, 1, everything()).toBuilder().setLevelValue(0).build();
        assertThatThrownBy(() -> JournalCodec.toEvent(noLevel)).isInstanceOf(InvalidProtocolBufferException.class)
                .hasMessageContaining("level");
        JournalRecord futureLevel = noLevel.toBuilder().setLevelValue(9).build();
        assertThatThrownBy(() -> JournalCodec.toEvent(futureLevel)).isInstanceOf(InvalidProtocolBufferException.class);
        JournalRecord noValue = JournalRecord.newBuilder().setId(2).setLevelValue(3)
                .addAttrs(Attr.newBuilder().setKey("k")).build();
        assertThatThrownBy(() -> JournalCodec.toEvent(noValue)).hasMessageContaining("attr k has no value");
        JournalRecord badDecimal = JournalRecord.newBuilder().setId(2).setLevelValue(3)
                .addAttrs(Attr.newBuilder().setKey("d").setDecimalValue("1.2.3")).build();
        assertThatThrownBy(() -> JournalCodec.toEvent(badDecimal)).isInstanceOf(InvalidProtocolBufferException.class)
                .hasMessageContaining("attr d");
    }

    @Test
    void attrsThatAreNotScalarsAreRefusedOnEncode() {
        LogEvent event = new LogEvent(1, Level.INFO, "log", "s", "main", "m", new String[] {"list"},
                new Object[] {java.util.List.of()});
        assertThatThrownBy(() -> JournalCodec.encodedSize(1, 1, event)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attr list");
        assertThatThrownBy(() -> JournalCodec.toRecord(1, 1, event)).isInstanceOf(IllegalArgumentException.class);
    }

    static void assertSameEvent(LogEvent actual, LogEvent expected) {
        assertThat(actual.tsMillis()).isEqualTo(expected.tsMillis());
        assertThat(actual.level()).isEqualTo(expected.level());
        assertThat(actual.type()).isEqualTo(expected.type());
        assertThat(actual.source()).isEqualTo(expected.source());
        assertThat(actual.branch()).isEqualTo(expected.branch());
        assertThat(actual.msg()).isEqualTo(expected.msg());
        assertThat(actual.attrCount()).isEqualTo(expected.attrCount());
        for (int i = 0; i < expected.attrCount(); i++) {
            Object want = expected.attrValue(i);
            Object got = actual.attrValue(i);
            assertThat(actual.attrKey(i)).isEqualTo(expected.attrKey(i));
            assertThat(got).as(expected.attrKey(i)).isInstanceOf(want.getClass());
            if (want instanceof Double d) {
                assertThat(Double.doubleToRawLongBits((Double) got)).isEqualTo(Double.doubleToRawLongBits(d));
            } else if (want instanceof BigDecimal d) {
                assertThat(((BigDecimal) got).scale()).isEqualTo(d.scale());
                assertThat(got).isEqualTo(want);
            } else {
                assertThat(got).isEqualTo(want);
            }
        }
    }

    private static byte[] encode(long id, long received, LogEvent event) throws IOException {
        byte[] bytes = new byte[JournalCodec.encodedSize(id, received, event)];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        JournalCodec.encode(id, received, event, out);
        out.checkNoSpaceLeft();
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
