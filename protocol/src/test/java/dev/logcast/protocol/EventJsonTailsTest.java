package dev.logcast.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link EventJson#encodeTails}: one generator for a request's events, each tail as if encoded alone. */
class EventJsonTailsTest {
    private static final LogEvent[] EVENTS = {
        new LogEvent(1_795_557_600_123L, Level.WARN, "api", "checkout-svc", "main", "order placed",
                new String[] {"orderId", "ms", "ok", "ratio", "big", "dec"},
                new Object[] {"42", 17L, true, 0.25, new BigInteger("123456789012345678901234567890"),
                    new BigDecimal("1.50")}),
        new LogEvent(0L, Level.TRACE, "log", "a", "b", "line\r\nwith \u0000 control\tchars and \"quotes\"\\", null,
                null),
        new LogEvent(-62_198_755_200_001L, Level.FATAL, "error", "svc", "x/y", "before year 0", null, null),
        new LogEvent(253_402_300_800_000L, Level.DEBUG, "log", "svc", "main", "after year 9999", null, null),
        new LogEvent(1_795_557_600_000L, Level.ERROR, "log", "sv\u00e9", "br\u2028anch",
                "emoji \uD83D\uDE00 and U+2028 \u2028 and data: forged\n\ndata: x", new String[] {"k\u00fc"},
                new Object[] {"v\uD83D\uDE00"}),
        new LogEvent(1_795_557_600_000L, Level.INFO, "log", "svc", "main", "", null, null),
    };

    @Test
    void eachTailIsTheEventsJsonAfterItsIdMember() {
        byte[][] tails = tails(EVENTS);

        assertThat(tails.length).isEqualTo(EVENTS.length);
        for (int i = 0; i < EVENTS.length; i++) {
            String whole = new String(EventJson.encode(7, EVENTS[i]), StandardCharsets.UTF_8);
            String expectedTail = whole.substring("{\"id\":\"7\",".length());
            assertThat(new String(tails[i], StandardCharsets.UTF_8)).as("event %d", i).isEqualTo(expectedTail);
            assertThat(tails[i]).as("alone or in a batch, the same bytes").isEqualTo(EventJson.encodeTail(EVENTS[i]));
        }
    }

    @Test
    void aRepeatedTypeSourceOrBranchIsWrittenAsTheFirstTimeEvenAsAnotherStringOrWithCharactersToEscape() {
        String[] names = {"api", "checkout-svc", "team-a/feature:x_1.2", "q\"uote\\back\u0001ctl", "br\u2028\u00e9\uD83D\uDE00"};
        for (String type : names) {
            for (String source : names) {
                LogEvent event = new LogEvent(1_795_557_600_123L, Level.INFO, type, source, source, "m", null, null);
                LogEvent other = new LogEvent(1_795_557_600_123L, Level.INFO, "x", "y", "z", "m", null, null);
                EventJson.encodeTail(other);
                byte[] first = EventJson.encodeTail(event);
                byte[] repeated = EventJson.encodeTail(event);
                // equal strings that are not the same instance, as a journal replay decodes them
                LogEvent copy = new LogEvent(event.tsMillis(), Level.INFO, new String(type), new String(source),
                        new String(source), "m", null, null);
                assertThat(new String(repeated, StandardCharsets.UTF_8)).as("%s / %s", type, source)
                        .isEqualTo(new String(first, StandardCharsets.UTF_8));
                assertThat(EventJson.encodeTail(copy)).isEqualTo(first);
                assertThat(EventJson.encodeTails(new LogEvent[] {event, other, copy, copy}).copy(3))
                        .isEqualTo(first);
            }
        }
    }

    @Test
    void tailsAreValidJsonWithoutRawLineBreaksOrSeparators() throws IOException {
        byte[][] tails = tails(EVENTS);
        for (byte[] tail : tails) {
            byte[] object = new byte[tail.length + 1];
            object[0] = '{';
            System.arraycopy(tail, 0, object, 1, tail.length);
            for (byte b : object) {
                assertThat(b).isNotIn((byte) '\n', (byte) '\r', (byte) 0);
            }
            try (JsonParser p = EventJson.FACTORY.createParser(object)) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                p.skipChildren();
                assertThat(p.nextToken()).as("exactly one object, nothing after it").isNull();
            }
        }
    }

    @Test
    void timestampsInAndOutsideYearsZeroToNineThousandNineHundredNinetyNine() {
        byte[][] tails = tails(EVENTS);
        assertThat(new String(tails[0], StandardCharsets.UTF_8)).startsWith("\"ts\":\"2026-11-24T22:00:00.123Z\"");
        assertThat(new String(tails[1], StandardCharsets.UTF_8)).startsWith("\"ts\":\"1970-01-01T00:00:00.000Z\"");
        assertThat(new String(tails[2], StandardCharsets.UTF_8))
                .startsWith("\"ts\":\"" + EventJson.formatTs(EVENTS[2].tsMillis()) + "\"");
        assertThat(new String(tails[3], StandardCharsets.UTF_8)).startsWith("\"ts\":\"+10000-01-01T00:00:00.000Z\"");
    }

    @Test
    void aHugeBatchDoesNotChangeWhatLaterBatchesGet() {
        LogEvent big = new LogEvent(0L, Level.INFO, "log", "svc", "main", "x".repeat(200_000), null, null);
        byte[][] first = tails(new LogEvent[] {big, EVENTS[0]});
        byte[][] after = tails(Arrays.copyOf(EVENTS, 2));
        assertThat(first[1]).isEqualTo(after[0]);
        assertThat(new String(first[0], StandardCharsets.UTF_8)).contains("x".repeat(200_000));
        assertThat(tails(new LogEvent[0]).length).isZero();
    }

    @Test
    void timestampsOfConsecutiveEventsOnTheSameOrOtherDaysAreEachRight() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        long day = 86_400_000L;
        long[] ts = new long[5_000];
        long t = 1_795_557_600_000L;
        for (int i = 0; i < ts.length; i++) {
            switch (random.nextInt(7)) {
                case 0 -> t += random.nextLong(day);                       // maybe the next day
                case 1 -> t -= random.nextLong(3 * day);                   // back in time
                case 2 -> t = random.nextLong(-70_000_000_000_000L, 260_000_000_000_000L); // anywhere, any year
                case 3 -> t = (t / day) * day + (random.nextBoolean() ? 0 : day - 1); // a day's first or last ms
                case 4 -> { }                                              // the same instant again
                default -> t += random.nextInt(1000);                      // the same day, mostly
            }
            ts[i] = t;
        }
        LogEvent[] events = new LogEvent[ts.length];
        for (int i = 0; i < ts.length; i++) {
            events[i] = new LogEvent(ts[i], Level.INFO, "log", "svc", "main", "m", null, null);
        }
        byte[][] tails = tails(events);
        for (int i = 0; i < ts.length; i++) {
            assertThat(new String(tails[i], StandardCharsets.UTF_8)).as("ts %d", ts[i])
                    .startsWith("\"ts\":\"" + EventJson.formatTs(ts[i]) + "\"");
        }
    }

    @Test
    void aMsgGivenAsJsonSafeBytesIsWrittenAsTheSameTextGivenAsAString() {
        String[] texts = {"", "order placed", "caf\u00e9 U+2028 \u2028 del \u007f \uFFFD", "data: x", "x".repeat(70_000)};
        for (String text : texts) {
            LogEvent asString = new LogEvent(1_795_557_600_123L, Level.INFO, "log", "svc", "main", text, null, null);
            LogEvent asBytes = LogEvent.withJsonSafeMsg(1_795_557_600_123L, Level.INFO, "log", "svc", "main",
                    text.getBytes(StandardCharsets.UTF_8), null, null);
            assertThat(asBytes.msg()).isEqualTo(text);
            assertThat(EventJson.encodeTail(asBytes)).isEqualTo(EventJson.encodeTail(asString));
            assertThat(EventJson.encode(3, asBytes)).isEqualTo(EventJson.encode(3, asString));
        }
    }

    @Test
    void tailsOfMixedRunsAreWhatTheGeneratorWritesForEachEvent() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        String[] names = {"log", "api", "checkout-svc", "team-a/feature:x_1.2", "q\"uote\\", "br\u2028\u00e9"};
        String[] msgs = {"", "plain", "needs \"escaping\"\n", "caf\u00e9 \uD83D\uDE00", "\u0000\u001f"};
        Object[] values = {"v", "v\"\n", 17L, -0.0, 0.25, true, new BigDecimal("1.50"), new BigInteger("1" + "0".repeat(30))};
        LogEvent[] events = new LogEvent[2_000];
        for (int i = 0; i < events.length; i++) {
            long ts = random.nextInt(10) == 0 ? 253_402_300_800_000L : 1_795_557_600_000L + random.nextInt(100_000);
            Level level = Level.values()[random.nextInt(Level.values().length)];
            String type = names[random.nextInt(2)];
            String source = names[random.nextInt(names.length)];
            String branch = names[random.nextInt(names.length)];
            int attrs = random.nextInt(4) == 0 ? random.nextInt(1, 4) : 0;
            String[] keys = new String[attrs];
            Object[] vals = new Object[attrs];
            for (int a = 0; a < attrs; a++) {
                keys[a] = a + names[random.nextInt(names.length)];
                vals[a] = values[random.nextInt(values.length)];
            }
            String msg = msgs[random.nextInt(msgs.length)];
            boolean safe = msg.chars().noneMatch(c -> c < 0x20 || c == '"' || c == '\\' || Character.isSurrogate((char) c));
            events[i] = safe && random.nextBoolean()
                    ? LogEvent.withJsonSafeMsg(ts, level, type, source, branch, msg.getBytes(StandardCharsets.UTF_8),
                            keys, vals)
                    : new LogEvent(ts, level, type, source, branch, msg, keys, vals);
        }
        byte[][] tails = tails(events);
        for (int i = 0; i < events.length; i++) {
            String whole = new String(EventJson.encode(9, events[i]), StandardCharsets.UTF_8);
            assertThat("{\"id\":\"9\"," + new String(tails[i], StandardCharsets.UTF_8)).as("event %d", i)
                    .isEqualTo(whole);
        }
    }

    /** Each tail of {@link EventJson#encodeTails} in an array of its own, read through its offset and length. */
    private static byte[][] tails(LogEvent[] events) {
        EventJson.Tails tails = EventJson.encodeTails(events);
        assertThat(tails.count()).isEqualTo(events.length);
        byte[][] out = new byte[tails.count()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(tails.bytes(), tails.offset(i), tails.offset(i) + tails.length(i));
            assertThat(tails.copy(i)).isEqualTo(out[i]);
            if (i > 0) {
                assertThat(tails.offset(i)).as("in order, after the previous one and its '{'")
                        .isEqualTo(tails.offset(i - 1) + tails.length(i - 1) + 1);
            }
        }
        return out;
    }
}
