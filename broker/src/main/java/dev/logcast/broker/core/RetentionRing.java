package dev.logcast.broker.core;

import io.netty.buffer.ByteBuf;

/**
 * The most recent events in memory, for replay (Last-Event-ID, {@code tail}, poll), bounded by count, bytes and
 * age. Ids increase along the ring; they are usually consecutive, but not always (a batch the journal failed to
 * store gives its ids back to nobody), so an id is found by binary search.
 *
 * <p><b>Owner:</b> the sequencer thread. Not thread-safe. The ring holds one reference for each record (on its
 * block) and gives it back on eviction; the references of consecutive evicted records in one block go back with one
 * {@code release(n)} at the end of the call.
 */
final class RetentionRing {
    private final EventRecord[] records;
    private final long maxBytes;
    private final long maxAgeMs;
    /** Index of the oldest record. */
    private int head;
    private int size;
    private long bytes;
    /** The block of the records evicted in this call and not released yet, and how many there were. */
    private ByteBuf evictedBlock;
    private int evictedCount;

    /** The most frame bytes it keeps. */
    long maxBytes() {
        return maxBytes;
    }

    RetentionRing(int maxEvents, long maxBytes, long maxAgeMs) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents < 1");
        }
        this.records = new EventRecord[maxEvents];
        this.maxBytes = maxBytes;
        this.maxAgeMs = maxAgeMs;
    }

    /** Appends the newest record (id greater than the last), evicting the oldest ones over the bounds. */
    void append(EventRecord record) {
        add(record);
        releaseEvicted();
    }

    /**
     * Appends a cycle's records (ids increasing, above the last), evicting the oldest ones over the bounds; the
     * evicted records' references go back once per block run for the whole call, not once per record.
     */
    void appendAll(EventRecord[] cycle) {
        for (EventRecord record : cycle) {
            add(record);
        }
        releaseEvicted();
    }

    private void add(EventRecord record) {
        if (size == records.length) {
            evictOldest();
        }
        records[slot(head + size)] = record;
        size++;
        bytes += record.frameBytes();
        while (bytes > maxBytes && size > 1) {
            evictOldest();
        }
    }

    /** The array index of ring position {@code i} ({@code 0 <= i < 2 * capacity}), without a division. */
    private int slot(int i) {
        return i < records.length ? i : i - records.length;
    }

    /** Drops the records received before {@code nowMillis - maxAge}. */
    void expire(long nowMillis) {
        long cutoff = nowMillis - maxAgeMs;
        while (size > 0 && records[head].receivedMillis() < cutoff) {
            evictOldest();
        }
        releaseEvicted();
    }

    private void evictOldest() {
        EventRecord oldest = records[head];
        records[head] = null;
        head = slot(head + 1);
        size--;
        bytes -= oldest.frameBytes();
        ByteBuf block = oldest.block();
        if (block != evictedBlock) {
            releaseEvicted();
            evictedBlock = block;
        }
        evictedCount++;
    }

    private void releaseEvicted() {
        if (evictedCount > 0) {
            evictedBlock.release(evictedCount);
            evictedCount = 0;
        }
        evictedBlock = null;
    }

    int size() {
        return size;
    }

    long bytes() {
        return bytes;
    }

    /** Id of the oldest retained record, or 0 when empty. */
    long oldestId() {
        return size == 0 ? 0 : records[head].id();
    }

    /** Id of the newest retained record, or 0 when empty. */
    long newestId() {
        return size == 0 ? 0 : records[slot(head + size - 1)].id();
    }

    /** The record at position {@code i}, 0 being the oldest. */
    EventRecord at(int i) {
        return records[slot(head + i)];
    }

    /** Position of the first record with an id greater than {@code afterId}; {@link #size()} when none. */
    int positionAfter(long afterId) {
        if (size == 0) {
            return 0;
        }
        if (afterId < 0) {
            // unsigned ids at or above 2^63: newer than anything the broker gave out
            return size;
        }
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid).id() <= afterId) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Releases every record; the ring is empty after. */
    void clear() {
        while (size > 0) {
            evictOldest();
        }
        releaseEvicted();
    }
}
