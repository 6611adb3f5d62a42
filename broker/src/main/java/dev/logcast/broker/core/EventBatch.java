package dev.logcast.broker.core;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The events one sequencer cycle made ready, handed to every shard. The batch holds one reference for each
 * record (on its block, {@link EventRecord#retainAll}); the last shard to finish with it releases them.
 *
 * <p>Created by the sequencer; read by every shard's event loop after it takes the batch from its queue (the
 * queue hand-off publishes the array).
 */
final class EventBatch {
    private static final AtomicIntegerFieldUpdater<EventBatch> REMAINING =
            AtomicIntegerFieldUpdater.newUpdater(EventBatch.class, "remainingShards");

    final EventRecord[] records;
    final int count;
    private volatile int remainingShards;

    EventBatch(EventRecord[] records, int count, int shards) {
        this.records = records;
        this.count = count;
        this.remainingShards = shards;
    }

    /** Called once by each shard when it has delivered the batch; the last call releases the frames. */
    void shardDone() {
        if (REMAINING.decrementAndGet(this) == 0) {
            EventRecord.releaseAll(records, count);
        }
    }

    /** Shards that have not finished with the batch yet (tests). */
    int remainingShards() {
        return remainingShards;
    }

    long lastId() {
        return records[count - 1].id();
    }
}
