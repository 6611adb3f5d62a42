package dev.logcast.broker.core;

import dev.logcast.protocol.LogEvent;

/**
 * The events one sequencer cycle gave ids to, on their way through the journal. The sequencer creates it; the
 * journal stores its events and reports back through {@link Sequencer#cycleDurable} or
 * {@link Sequencer#cycleFailed}; until then nobody sees them. Immutable after construction; the accessors are safe
 * from any thread that received the cycle through a queue.
 */
public final class Cycle {
    final EventRecord[] records;
    final IngestBatch[] batches;

    Cycle(EventRecord[] records, IngestBatch[] batches) {
        this.records = records;
        this.batches = batches;
    }

    public int count() {
        return records.length;
    }

    public long id(int i) {
        return records[i].id();
    }

    public long receivedMillis(int i) {
        return records[i].receivedMillis();
    }

    public LogEvent event(int i) {
        return records[i].event();
    }

    public long firstId() {
        return records[0].id();
    }

    public long lastId() {
        return records[records.length - 1].id();
    }
}
