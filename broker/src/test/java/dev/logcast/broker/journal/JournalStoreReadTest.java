package dev.logcast.broker.journal;

import static dev.logcast.broker.journal.Events.T0;
import static dev.logcast.broker.journal.Events.appendCommitted;
import static dev.logcast.broker.journal.Events.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.Level;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay reads ({@link JournalStore#read}): the frames of a chunk, its event and byte budgets, and its cursor. */
class JournalStoreReadTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @TempDir
    Path dir;
    private JournalStore store;
    private final List<EventRecord> out = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        Journal journal = Journal.open(dir, new JournalSettings(16 << 10, 64 << 10, 0, 1024), new FaultyFiles());
        appendCommitted(journal, 1, 500);
        store = new JournalStore(journal, FsyncPolicy.NEVER, 100, ALLOC, seconds -> { });
    }

    @AfterEach
    void close() throws IOException {
        for (EventRecord record : out) {
            assertThat(record.refCnt()).as("one reference per record, on the chunk's block").isPositive();
            record.release();
        }
        assertThat(out).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        store.close();
    }

    @Test
    void eachFrameIsTheEventsFrameWithItsIdAndTheCursorIsTheLastLookedAt() throws IOException {
        long cursor = store.read(100, 500, 50, Long.MAX_VALUE, EventFilter.ALL, out, new long[2]);

        assertThat(cursor).isEqualTo(150);
        assertThat(out).extracting(EventRecord::id).containsExactlyElementsOf(range(101, 150));
        for (EventRecord record : out) {
            String json = new String(EventJson.encode(record.id(), event(record.id())), StandardCharsets.UTF_8);
            assertThat(record.frame().toString(StandardCharsets.UTF_8))
                    .isEqualTo("id: " + record.id() + "\ndata: " + json + "\n\n");
            assertThat(record.receivedMillis()).isEqualTo(T0 + record.id());
            assertThat(record.event().msg()).isEqualTo("message number " + record.id());
        }
        assertThat(out.get(0).adjoins(out.get(1))).as("one block for the chunk").isTrue();
    }

    @Test
    void aByteBudgetCutsTheChunkAfterTheEventThatReachesItAndTheCursorStaysThere() throws IOException {
        long threeFrames = probeFrameBytes(301) + probeFrameBytes(302) + probeFrameBytes(303);
        long cursor = store.read(300, 500, 100, threeFrames - 1, EventFilter.ALL, out, new long[2]);

        assertThat(out).extracting(EventRecord::id).containsExactly(301L, 302L, 303L);
        assertThat(cursor).as("resume after the last event returned").isEqualTo(303);
    }

    @Test
    void aBudgetUnderOneFrameStillReturnsOneEvent() throws IOException {
        long cursor = store.read(10, 500, 100, 1, EventFilter.ALL, out, new long[2]);
        assertThat(out).extracting(EventRecord::id).containsExactly(11L);
        assertThat(cursor).isEqualTo(11);
    }

    @Test
    void aFilterReturnsOnlyMatchesButTheCursorCoversWhatWasLookedAt() throws IOException {
        // Events.event(i) has level i % 6: FATAL for i = 5, 11, 17, ...
        EventFilter fatal = new EventFilter(null, null, Level.FATAL, null, null);
        long cursor = store.read(0, 40, 100, Long.MAX_VALUE, fatal, out, new long[2]);

        assertThat(out).extracting(EventRecord::id).containsExactly(5L, 11L, 17L, 23L, 29L, 35L);
        assertThat(cursor).isEqualTo(40);
    }

    @Test
    void nothingAfterTheNewestGivesNoRecords() throws IOException {
        long cursor = store.read(500, 500, 100, Long.MAX_VALUE, EventFilter.ALL, out, new long[2]);
        assertThat(out).isEmpty();
        assertThat(cursor).isEqualTo(500);
    }

    /** The frame size of one event, read alone. */
    private long probeFrameBytes(long id) throws IOException {
        List<EventRecord> one = new ArrayList<>();
        store.read(id - 1, id, 1, Long.MAX_VALUE, EventFilter.ALL, one, new long[2]);
        long bytes = one.get(0).frameBytes();
        one.get(0).release();
        return bytes;
    }

    private static List<Long> range(long from, long to) {
        List<Long> ids = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            ids.add(i);
        }
        return ids;
    }
}
