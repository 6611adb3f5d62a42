package dev.logcast.broker.journal;

import dev.logcast.broker.core.Cycle;
import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventJournal;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.SseFrames;
import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * The journal as the core sees it ({@link EventJournal}): the sequencer's cycles go to the group-commit
 * {@link JournalWriter}, whose outcomes go back to the sequencer; replays older than the memory ring read the
 * {@link Journal} and encode frames. Only wiring between the two packages.
 */
public final class JournalStore implements EventJournal, JournalWriter.Listener, AutoCloseable {
    private final Journal journal;
    private final JournalWriter writer;
    private final ByteBufAllocator alloc;
    private volatile Sequencer sequencer;

    public JournalStore(Journal journal, FsyncPolicy policy, long fsyncIntervalMs, ByteBufAllocator alloc,
                        DoubleConsumer fsyncSecondsObserver) {
        this.journal = journal;
        this.alloc = alloc;
        this.writer = new JournalWriter(journal, policy, fsyncIntervalMs, this, fsyncSecondsObserver);
    }

    /** Connects the outcomes to the sequencer and starts the writer thread; before the first {@link #store}. */
    public void start(Sequencer target) {
        this.sequencer = target;
        writer.start();
    }

    public Journal journal() {
        return journal;
    }

    @Override
    public Stored store(Cycle cycle, boolean mayStoreNow) {
        int n = cycle.count();
        long[] ids = new long[n];
        long[] received = new long[n];
        LogEvent[] events = new LogEvent[n];
        for (int i = 0; i < n; i++) {
            ids[i] = cycle.id(i);
            received[i] = cycle.receivedMillis(i);
            events[i] = cycle.event(i);
        }
        JournalBatch batch = new JournalBatch(ids, received, events, n, cycle);
        if (mayStoreNow && writer.storeNow(batch)) {
            return Stored.NOW;
        }
        return writer.submit(batch) ? Stored.QUEUED : Stored.REFUSED;
    }

    @Override
    public int backlog() {
        return writer.backlog();
    }

    @Override
    public long firstId() {
        return journal.firstId();
    }

    @Override
    public long committedId() {
        return journal.committedId();
    }

    @Override
    public long read(long afterId, long upToId, int maxEvents, long maxBytes, EventFilter filter,
                     List<EventRecord> out, long[] lost) throws IOException {
        List<StoredEvent> found = new ArrayList<>();
        long cursor = journal.read(afterId, upToId, maxEvents, maxBytes, filter::matches, found::add, lost);
        int n = found.size();
        if (n == 0) {
            return cursor;
        }
        long[] ids = new long[n];
        long[] received = new long[n];
        LogEvent[] events = new LogEvent[n];
        for (int i = 0; i < n; i++) {
            StoredEvent stored = found.get(i);
            ids[i] = stored.id();
            received[i] = stored.receivedMillis();
            events[i] = stored.event();
        }
        EventJson.Tails tails = EventJson.encodeTails(events);
        // the byte budget: events while the frames so far are under it (the last may go over; at least one)
        long bytes = 0;
        int count = 0;
        while (count < n && (count == 0 || bytes < maxBytes)) {
            bytes += SseFrames.frameSize(ids[count], tails.length(count));
            count++;
        }
        SseFrames.records(alloc, ids, events, tails, received, count, out);
        if (bytes >= maxBytes) {
            // the byte budget cut the chunk (or just filled it): resume after the last event actually returned
            cursor = ids[count - 1];
        }
        return cursor;
    }

    /**
     * {@inheritDoc} At most {@value #TAIL_SCAN_RECORDS} records are looked at (whole segments, newest first), so
     * that a {@code tail} whose filter matches little does not read the whole journal.
     */
    @Override
    public long tailStart(long beforeId, long n, EventFilter filter) throws IOException {
        return journal.tailStart(beforeId, n, filter::matches, TAIL_SCAN_RECORDS);
    }

    /** How far back a {@code tail=N} looks in the journal, in records (beyond the memory ring). */
    static final long TAIL_SCAN_RECORDS = 1_000_000;

    /** Why journal writes fail right now (a full disk), or null while they succeed. Any thread. */
    public String failure() {
        return writer.failure();
    }

    @Override
    public void durable(JournalBatch batch) {
        sequencer.cycleDurable((Cycle) batch.attachment());
    }

    @Override
    public void failed(JournalBatch batch, IOException cause) {
        sequencer.cycleFailed((Cycle) batch.attachment(), cause);
    }

    /** Drains the writer (every queued cycle gets its outcome), syncs and closes the journal. */
    @Override
    public void close() throws IOException {
        writer.close();
        journal.close();
    }
}
