package dev.logcast.broker.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.journal.JournalCodec;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Events and journal helpers for the journal tests. */
final class Events {
    static final long T0 = 1_764_000_000_000L;

    private Events() {
    }

    /** A small event that differs with {@code i}. */
    static LogEvent event(long i) {
        return new LogEvent(T0 + i, Level.values()[(int) (i % 6)], "log", "svc-" + i % 3, "main",
                "message number " + i, new String[] {"n", "s"}, new Object[] {i, "v" + i});
    }

    /** An event with every field set and every attr value type. */
    static LogEvent everything() {
        return new LogEvent(T0, Level.FATAL, "api", "checkout-svc", "team-a/x", "multi\nline \"msg\" ünï",
                new String[] {"s", "l", "d", "nan", "b", "dec", "big", "empty"},
                new Object[] {"text", Long.MIN_VALUE, -0.0, Double.NaN, true, new BigDecimal("1.50"),
                    new BigInteger("123456789012345678901234567890"), ""});
    }

    /** Appends events {@code from..to} (ids = i, received = T0 + i), flushes and commits. */
    static void appendCommitted(Journal journal, long from, long to) throws IOException {
        for (long i = from; i <= to; i++) {
            journal.append(i, T0 + i, event(i));
        }
        journal.flush();
        journal.commit();
    }

    /** Every committed event after {@code afterId}, reading on until the end. */
    static List<StoredEvent> readAll(Journal journal, long afterId) throws IOException {
        List<StoredEvent> out = new ArrayList<>();
        long cursor = afterId;
        while (cursor < journal.committedId()) {
            long next = journal.read(cursor, Integer.MAX_VALUE, e -> true, out::add);
            if (next == cursor) {
                break;
            }
            cursor = next;
        }
        return out;
    }

    static List<Long> ids(List<StoredEvent> events) {
        return events.stream().map(StoredEvent::id).toList();
    }

    static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }

    /** Asserts that {@code stored} is event {@code expected} with its id and receive time, field by field. */
    static void assertStored(StoredEvent stored, long id, long receivedMillis, LogEvent expected) {
        assertThat(stored.id()).isEqualTo(id);
        assertThat(stored.receivedMillis()).isEqualTo(receivedMillis);
        // the records are protobuf messages: equal when every field and attr (type included) is
        assertThat(JournalCodec.toRecord(id, receivedMillis, stored.event()))
                .isEqualTo(JournalCodec.toRecord(id, receivedMillis, expected));
        for (int i = 0; i < expected.attrCount(); i++) {
            assertThat(stored.event().attrValue(i)).isInstanceOf(expected.attrValue(i).getClass());
        }
    }
}
