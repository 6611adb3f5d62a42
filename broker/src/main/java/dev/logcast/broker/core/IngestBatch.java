package dev.logcast.broker.core;

import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.LogEvent;
import java.util.List;

/**
 * One accepted request's events on their way to the sequencer: validated, and each already encoded to JSON
 * (without its id) on the I/O thread that decoded it, so the sequencer only copies bytes.
 *
 * <p>Created on an I/O thread, handed to the sequencer by {@link Sequencer#offer}; the sequencer sets the ids and
 * calls {@link #onSequenced()} on its own thread once every event is delivered to the shards (and, with a journal,
 * stored). Subclasses answer the request from there, on their channel's loop.
 */
public abstract class IngestBatch {
    final LogEvent[] events;
    final EventJson.Tails tails;
    final long receivedMillis;
    private long firstId;
    private long lastId;
    private volatile String dropReason = "the broker is shutting down";

    protected IngestBatch(List<LogEvent> events, long receivedMillis) {
        this.events = events.toArray(new LogEvent[0]);
        this.tails = EventJson.encodeTails(this.events);
        this.receivedMillis = receivedMillis;
    }

    public int size() {
        return events.length;
    }

    public long firstId() {
        return firstId;
    }

    public long lastId() {
        return lastId;
    }

    void assign(long first, long last) {
        this.firstId = first;
        this.lastId = last;
    }

    /** Called on the sequencer thread when the ids are set and the events are delivered. Must not block. */
    protected abstract void onSequenced();

    /**
     * Called instead of {@link #onSequenced()} when the batch is not stored: the broker stops before it was taken,
     * or the journal could not write it. {@link #dropReason()} says which. Must not block.
     */
    protected abstract void onDropped();

    /** Why the batch was dropped, for the 503's error text. */
    public String dropReason() {
        return dropReason;
    }

    void drop(String reason) {
        dropReason = reason;
        onDropped();
    }
}
