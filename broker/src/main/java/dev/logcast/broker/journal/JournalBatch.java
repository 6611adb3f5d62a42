package dev.logcast.broker.journal;

import dev.logcast.protocol.LogEvent;

/**
 * Events the sequencer hands to the {@link JournalWriter} together: parallel arrays of ids (consecutive), receive
 * times and events, the first {@code count} of each used, and whatever the sequencer needs back when the
 * {@link JournalWriter.Listener} answers. Not copied: the arrays must not change after {@link JournalWriter#submit}.
 */
public final class JournalBatch {
    private final long[] ids;
    private final long[] receivedMillis;
    private final LogEvent[] events;
    private final int count;
    private final Object attachment;

    public JournalBatch(long[] ids, long[] receivedMillis, LogEvent[] events, int count, Object attachment) {
        if (count < 0 || count > ids.length || count > receivedMillis.length || count > events.length) {
            throw new IllegalArgumentException("count " + count + " does not fit the arrays");
        }
        this.ids = ids;
        this.receivedMillis = receivedMillis;
        this.events = events;
        this.count = count;
        this.attachment = attachment;
    }

    /** The first id, 0 for an empty batch. */
    public long firstId() {
        return count == 0 ? 0 : ids[0];
    }

    /** The last id, 0 for an empty batch. */
    public long lastId() {
        return count == 0 ? 0 : ids[count - 1];
    }

    public int count() {
        return count;
    }

    public Object attachment() {
        return attachment;
    }

    public long id(int i) {
        return ids[i];
    }

    public long receivedMillis(int i) {
        return receivedMillis[i];
    }

    public LogEvent event(int i) {
        return events[i];
    }

    @Override
    public String toString() {
        return "JournalBatch{" + firstId() + ".." + lastId() + ", count=" + count + '}';
    }
}
