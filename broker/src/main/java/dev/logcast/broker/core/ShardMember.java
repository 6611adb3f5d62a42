package dev.logcast.broker.core;

/**
 * Something on a shard that receives events: a stream subscriber or a waiting poll. The shard calls it on its
 * event loop only.
 *
 * <p><b>Owner:</b> the shard's event loop. Not thread-safe.
 */
public abstract class ShardMember {
    /** Position in the shard's member array, kept by the shard. */
    int shardPosition = -1;
    /** Set while the shard collects the members to flush at the end of a drain. */
    boolean dirty;
    /** Live members get every matching event the shard delivers; others (replaying, closing) get none. */
    protected boolean live;

    protected final EventFilter filter;

    protected ShardMember(EventFilter filter) {
        this.filter = filter;
    }

    public EventFilter filter() {
        return filter;
    }

    /**
     * The events of one batch, in id order, while live. The default matches each and calls {@link #deliver};
     * stream subscribers write runs of adjoining frames as one slice instead.
     *
     * @return how many events were delivered (and need a flush at the end of the run)
     */
    protected int deliverBatch(EventRecord[] records, int count) {
        int delivered = 0;
        for (int i = 0; i < count && live; i++) {
            EventRecord record = records[i];
            if (filter.matches(record.event()) && deliver(record)) {
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * One matching event while live. The member takes its own reference to the frame if it keeps or writes it.
     *
     * @return {@code true} if something was written that needs a flush at the end of the batch
     */
    protected abstract boolean deliver(EventRecord record);

    /** The last of a drained run of events: flush what {@link #deliver} wrote. */
    protected abstract void endOfBatch();

    /** A batch went by that held events (matching or not) up to {@code lastId}. */
    protected void batchSeen(long lastId) {
    }

    /** An answer to this member's {@link ReplayRequest}; the member owns the chunk's frame references. */
    protected abstract void onReplayChunk(ReplayChunk chunk);

    /** Periodic tick for heartbeats and deadlines. */
    protected void onTick(long nowNanos) {
    }

    /** The broker is draining: answer what is waiting (polls) now rather than at its deadline. */
    protected void onDraining() {
    }

    /** The shard is closing (broker shutdown): say goodbye and close. */
    protected abstract void onShutdown();
}
