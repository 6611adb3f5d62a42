package dev.logcast.broker.journal;

import dev.logcast.broker.core.Cycle;
import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventJournal;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.SseFrames;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
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
                     List<EventRecord> out) throws IOException {
        long[] bytes = {0};
        long cursor = journal.read(afterId, upToId, maxEvents, filter::matches, stored -> {
            if (bytes[0] < maxBytes) {
                EventRecord record = SseFrames.record(alloc, stored.id(), stored.event(), stored.receivedMillis());
                bytes[0] += record.frameBytes();
                out.add(record);
            }
        });
        if (bytes[0] >= maxBytes && !out.isEmpty()) {
            // the byte budget cut the chunk: resume after the last event actually returned
            cursor = out.get(out.size() - 1).id();
        }
        return cursor;
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
