package dev.logcast.broker.core;

import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent-Events framing (WHATWG HTML §9.2). Every event is one default message: {@code id:} then one
 * {@code data:} line with the event's JSON. The JSON comes from jackson-core, which escapes every control
 * character, so no CR, LF or NUL can appear inside a {@code data:} line and the framing cannot be broken by what a
 * message holds. Stateless.
 */
public final class SseFrames {
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA_ID = "\ndata: {\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AFTER_ID = "\",".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DATA_PREFIX = "\ndata: ".length();

    /** A heartbeat: one comment line and a blank line. */
    public static final ByteBuf HEARTBEAT = constant(":\n\n");
    /** The last bytes a stream gets on a graceful shutdown. */
    public static final ByteBuf SHUTDOWN = constant(": shutdown\n\n");

    private SseFrames() {
    }

    /** The first bytes of every stream: the reconnection delay and a comment, flushed at once. */
    public static ByteBuf preamble(ByteBufAllocator alloc, long retryMs) {
        return ascii(alloc, "retry: " + retryMs + "\n: logcast\n\n");
    }

    /** {@code event: gap} telling a resuming client that ids {@code from..to} are no longer retained. */
    public static ByteBuf gap(ByteBufAllocator alloc, long fromId, long toId) {
        return ascii(alloc, "event: gap\ndata: {\"from\":\"" + Long.toUnsignedString(fromId) + "\",\"to\":\""
                + Long.toUnsignedString(toId) + "\"}\n\n");
    }

    /** {@code event: overflow}: the connection fell more than its cap behind and is closed. */
    public static ByteBuf overflow(ByteBufAllocator alloc, long lastId, long capBytes) {
        return ascii(alloc, "event: overflow\ndata: {\"last\":\"" + Long.toUnsignedString(lastId) + "\",\"cap\":"
                + capBytes + "}\n\n");
    }

    /**
     * Encodes the event's frame: {@code id: <id>\ndata: {"id":"<id>",<tail>\n\n}.
     *
     * @param tail the event's JSON after its id member, from {@link dev.logcast.protocol.EventJson#encodeTail}
     */
    static EventRecord encode(ByteBufAllocator alloc, long id, LogEvent event, byte[] tail, long receivedMillis) {
        byte[] idText = Long.toUnsignedString(id).getBytes(StandardCharsets.US_ASCII);
        int size = ID.length + idText.length + DATA_ID.length + idText.length + AFTER_ID.length + tail.length
                + END.length;
        ByteBuf frame = alloc.directBuffer(size, size);
        frame.writeBytes(ID).writeBytes(idText).writeBytes(DATA_ID).writeBytes(idText).writeBytes(AFTER_ID)
                .writeBytes(tail).writeBytes(END);
        int jsonOffset = ID.length + idText.length + DATA_PREFIX;
        int jsonLength = size - jsonOffset - END.length;
        return new EventRecord(id, event, frame, jsonOffset, jsonLength, receivedMillis);
    }

    private static ByteBuf ascii(ByteBufAllocator alloc, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static ByteBuf constant(String text) {
        return Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.US_ASCII)))
                .asReadOnly();
    }
}
