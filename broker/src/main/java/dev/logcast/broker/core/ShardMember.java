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
    /**
     * The shard's cursor: the number of the next backlog batch this member has not been given. Kept by the shard:
     * set to the backlog's end when the member joins, when a replay chunk for it is applied and when it is visited.
     */
    long nextBatch;
    /** Set by the shard when a visit found the member not {@link #ready} while it owed events. */
    boolean blocked;
    /** Set by the shard while the member is blocked or owes more than {@link Shard#LAG_CONGESTED} after a visit. */
    boolean slow;
    /**
     * Set by the shard while the member, slow, takes its backlog at less than {@link Shard#MIN_PROGRESS_BYTES} a
     * second: it does not count towards congestion (it overflows at its cap instead of holding ingest).
     */
    boolean hopeless;
    /** Backlog bytes the shard has handed this member so far (the frames of the batches it was given, all of them). */
    long progressBytes;
    /** {@link #progressBytes} at the shard's last progress check. */
    long progressChecked;
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
     * The events {@code records[from..to)}, in id order, while live: every batch the shard took since this member's
     * last visit, back to back. The default matches each and calls {@link #deliver} (stopping when the member stops
     * being live); stream subscribers write runs of adjoining frames as one slice instead.
     *
     * @return how many events were delivered (and need a flush: {@link #endOfBatch})
     */
    protected int deliverBatch(EventRecord[] records, int from, int to) {
        int delivered = 0;
        for (int i = from; i < to && live; i++) {
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

    /**
     * Whether the member can take more writes now. One that cannot keeps its cursor: what it owes stays in the
     * shard's backlog (the shared frames, no copy) until it can, and it tells the shard when it can again
     * ({@link Shard#wakeup}). The default is always ready.
     */
    protected boolean ready() {
        return true;
    }

    /**
     * A visit found the member not ready while it owes {@code lagBytes} of frames. It may give up here (close
     * with an overflow, no longer live); the shard then forgets what it owed.
     */
    protected void lagging(long lagBytes) {
    }

    /** Whether the last visit found the member not ready while it owed events. */
    protected final boolean isBlocked() {
        return blocked;
    }

    /** The end of a visit that delivered something: flush what {@link #deliverBatch} wrote. */
    protected abstract void endOfBatch();

    /**
     * Called after {@link #deliverBatch} if the member is still live: the events it was given (matching or not)
     * reach up to {@code lastId}, the last id of the newest batch.
     */
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
