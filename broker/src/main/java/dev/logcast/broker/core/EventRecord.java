package dev.logcast.broker.core;

import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;

/**
 * A sequenced event: its id, the event, and its SSE frame, encoded once and shared by every subscriber.
 *
 * <p>The frame is {@code id: <id>\ndata: <json>\n\n}, a range of the <em>block</em> the sequencer encoded the
 * record's whole cycle into; {@link #retainedJson()} is the JSON inside it, for the poll answers. The record itself
 * is immutable and holds no reference count of its own: references are taken on the block ({@link #retain()},
 * {@link #release()}, and in bulk {@link #retainAll}, {@link #releaseAll}), one for every holder of the record (the
 * {@link RetentionRing}, each {@link EventBatch} in flight to a shard, each {@link ReplayChunk}). A block is freed
 * when the last holder of any of its records lets go. Counting on the block instead of per record spares the hot
 * path a derived buffer object and its recycling for every event, and lets a batch take its references with one
 * atomic operation per block instead of one per event.
 */
public final class EventRecord {
    private final long id;
    private final LogEvent event;
    /** The buffer the sequencer encoded this record's whole cycle into; the frame is a range of it. */
    private final ByteBuf block;
    private final int blockOffset;
    private final int frameLength;
    private final int jsonOffset;
    private final int jsonLength;
    private final long receivedMillis;

    EventRecord(long id, LogEvent event, ByteBuf block, int blockOffset, int frameLength, int jsonOffset,
                int jsonLength, long receivedMillis) {
        this.id = id;
        this.event = event;
        this.block = block;
        this.blockOffset = blockOffset;
        this.frameLength = frameLength;
        this.jsonOffset = jsonOffset;
        this.jsonLength = jsonLength;
        this.receivedMillis = receivedMillis;
    }

    public long id() {
        return id;
    }

    public LogEvent event() {
        return event;
    }

    /**
     * A view of the SSE frame, sharing the block's reference count: valid while the caller holds a reference, and
     * writing it hands that reference to the write.
     */
    public ByteBuf frame() {
        return block.slice(blockOffset, frameLength);
    }

    /** A retained slice of the frame holding just the event's JSON object. */
    public ByteBuf retainedJson() {
        return block.retainedSlice(blockOffset + jsonOffset, jsonLength);
    }

    /** Takes one reference to the record's block. */
    public void retain() {
        block.retain();
    }

    /** Gives back one reference to the record's block; true when that freed it. */
    public boolean release() {
        return block.release();
    }

    /** The references held on the record's block (by every record in it). */
    public int refCnt() {
        return block.refCnt();
    }

    /** Takes one reference for each of {@code records[0..count)}: one atomic operation per run in the same block. */
    public static void retainAll(EventRecord[] records, int count) {
        forEachRun(records, count, true);
    }

    /** Gives back one reference for each of {@code records[0..count)}, run by run as {@link #retainAll} takes them. */
    public static void releaseAll(EventRecord[] records, int count) {
        forEachRun(records, count, false);
    }

    private static void forEachRun(EventRecord[] records, int count, boolean retain) {
        int i = 0;
        while (i < count) {
            ByteBuf b = records[i].block;
            int run = 1;
            while (i + run < count && records[i + run].block == b) {
                run++;
            }
            if (retain) {
                b.retain(run);
            } else {
                b.release(run);
            }
            i += run;
        }
    }

    /**
     * The cycle's buffer. Frames of records sequenced in the same cycle lie back to back in it, so a run of them
     * can be written as one slice; valid while a reference to this record is held.
     */
    public ByteBuf block() {
        return block;
    }

    public int blockOffset() {
        return blockOffset;
    }

    /** True when {@code next}'s frame starts right where this one's ends, in the same block. */
    public boolean adjoins(EventRecord next) {
        return next.block == block && next.blockOffset == blockOffset + frameLength;
    }

    public int frameBytes() {
        return frameLength;
    }

    public long receivedMillis() {
        return receivedMillis;
    }
}
