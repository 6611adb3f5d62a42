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
    private final int jsonOffset;
    private final int jsonLength;
    private final long receivedMillis;

    EventRecord(long id, LogEvent event, ByteBuf frame, int jsonOffset, int jsonLength, long receivedMillis) {
        this.id = id;
        this.event = event;
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

    public int frameBytes() {
        return frame.readableBytes();
    }

    public long receivedMillis() {
        return receivedMillis;
    }
}
