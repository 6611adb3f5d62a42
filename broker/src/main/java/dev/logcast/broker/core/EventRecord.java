package dev.logcast.broker.core;

import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;

/**
 * A sequenced event: its id, the event, and its SSE frame, encoded once and shared by every subscriber.
 *
 * <p>The frame is {@code id: <id>\ndata: <json>\n\n}; {@link #json()} is a view of the JSON inside it, for the poll
 * answers. The record itself is immutable; the frame's reference count belongs to whoever holds the record
 * (the {@link RetentionRing} holds one reference, each {@link EventBatch} in flight to a shard holds one).
 */
public final class EventRecord {
    private final long id;
    private final LogEvent event;
    private final ByteBuf frame;
    /** The buffer the sequencer encoded this record's whole cycle into; {@code frame} is a slice of it. */
    private final ByteBuf block;
    private final int blockOffset;
    private final int jsonOffset;
    private final int jsonLength;
    private final long receivedMillis;

    EventRecord(long id, LogEvent event, ByteBuf block, int blockOffset, ByteBuf frame, int jsonOffset,
                int jsonLength, long receivedMillis) {
        this.id = id;
        this.event = event;
        this.block = block;
        this.blockOffset = blockOffset;
        this.frame = frame;
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

    /** The SSE frame; callers that keep or write it take their own reference ({@code retainedDuplicate()}). */
    public ByteBuf frame() {
        return frame;
    }

    /** A retained slice of the frame holding just the event's JSON object. */
    public ByteBuf retainedJson() {
        return frame.retainedSlice(frame.readerIndex() + jsonOffset, jsonLength);
    }

    /**
     * The cycle's buffer. Frames of records sequenced in the same cycle lie back to back in it, so a run of them
     * can be written as one slice; valid while a reference to this record's frame is held.
     */
    public ByteBuf block() {
        return block;
    }

    public int blockOffset() {
        return blockOffset;
    }

    /** True when {@code next}'s frame starts right where this one's ends, in the same block. */
    public boolean adjoins(EventRecord next) {
        return next.block == block && next.blockOffset == blockOffset + frame.readableBytes();
    }

    public int frameBytes() {
        return frame.readableBytes();
    }

    public long receivedMillis() {
        return receivedMillis;
    }
}
