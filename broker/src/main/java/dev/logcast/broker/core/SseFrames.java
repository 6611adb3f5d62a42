package dev.logcast.broker.core;

import dev.logcast.protocol.EventJson;
import dev.logcast.protocol.LogEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocal;
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

    /** The size of an event's frame with this id and a JSON tail of {@code tailLength} bytes. */
    public static int frameSize(long id, int tailLength) {
        int idLength = decimalLength(id);
        return ID.length + idLength + DATA_ID.length + idLength + AFTER_ID.length + tailLength + END.length;
    }

    /**
     * Encodes the event's frame, {@code id: <id>\ndata: {"id":"<id>",<tail>\n\n}, at the end of {@code block},
     * and returns its record. It takes no reference: the caller holds one on the block for every record it keeps
     * (the sequencer takes them for a whole block at once).
     *
     * @param tails the event's JSON after its id member is {@code tails[offset .. offset + length)}, from
     *              {@link dev.logcast.protocol.EventJson#encodeTails}
     */
    static EventRecord encodeInto(ByteBuf block, long id, LogEvent event, byte[] tails, int offset, int length,
                                  long receivedMillis) {
        int start = block.writerIndex();
        // id: <id>\ndata: {"id":"<id>", composed once, written with one copy
        Prefix prefix = PREFIX.get();
        int at = prefix.compose(id);
        int idLength = prefix.idLength;
        block.writeBytes(prefix.bytes, 0, at).writeBytes(tails, offset, length).writeBytes(END);
        int size = block.writerIndex() - start;
        int jsonOffset = ID.length + idLength + DATA_PREFIX;
        int jsonLength = size - jsonOffset - END.length;
        return new EventRecord(id, event, block, start, size, jsonOffset, jsonLength, receivedMillis);
    }

    private static final FastThreadLocal<Prefix> PREFIX = new FastThreadLocal<>() {
        @Override
        protected Prefix initialValue() {
            return new Prefix();
        }
    };

    /**
     * A thread's frame prefix {@code id: <id>\ndata: {"id":"<id>",}. Ids come in runs (a cycle's events are
     * numbered one after another), so the next id's digits are the last one's, counted up in place.
     */
    private static final class Prefix {
        /** Room for the longest prefix: two ids of at most 20 digits. */
        final byte[] bytes = new byte[ID.length + DATA_ID.length + AFTER_ID.length + 40];
        /** The id whose digits are at {@code bytes[ID.length..]}; 0: none yet (ids start at 1). */
        private long id;
        int idLength;

        Prefix() {
            System.arraycopy(ID, 0, bytes, 0, ID.length);
        }

        /** Composes the prefix for {@code id}; returns its length. */
        int compose(long next) {
            if (id == 0 || next != id + 1 || next == 0 || !countUp()) {
                idLength = writeDecimal(bytes, ID.length, next);
            }
            id = next;
            int at = ID.length + idLength;
            System.arraycopy(DATA_ID, 0, bytes, at, DATA_ID.length);
            at += DATA_ID.length;
            System.arraycopy(bytes, ID.length, bytes, at, idLength);
            at += idLength;
            System.arraycopy(AFTER_ID, 0, bytes, at, AFTER_ID.length);
            return at + AFTER_ID.length;
        }

        /** Adds one to the digits in place; {@code false} when they are all nines (the length changes). */
        private boolean countUp() {
            for (int i = ID.length + idLength - 1; i >= ID.length; i--) {
                if (bytes[i] != '9') {
                    bytes[i]++;
                    return true;
                }
                bytes[i] = '0';
            }
            return false;
        }
    }

    /**
     * Encodes stored events (read back from the journal) into one block: {@code out} gets a record for each of the
     * first {@code count}, each holding one reference to the block. One allocation for a replay chunk instead of
     * one per event.
     *
     * @param tails each event's JSON after its id, from {@link dev.logcast.protocol.EventJson#encodeTails}
     */
    public static void records(ByteBufAllocator alloc, long[] ids, LogEvent[] events, EventJson.Tails tails,
                               long[] receivedMillis, int count, java.util.List<EventRecord> out) {
        if (count == 0) {
            return;
        }
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += frameSize(ids[i], tails.length(i));
        }
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a replay chunk of " + bytes + " bytes");
        }
        ByteBuf block = alloc.directBuffer((int) bytes, (int) bytes);
        try {
            for (int i = 0; i < count; i++) {
                out.add(encodeInto(block, ids[i], events[i], tails.bytes(), tails.offset(i), tails.length(i),
                        receivedMillis[i]));
            }
            block.retain(count);
        } finally {
            block.release();
        }
    }

    /** Encodes one frame into a block of its own; the record holds the block's one reference. */
    static EventRecord encode(ByteBufAllocator alloc, long id, LogEvent event, byte[] tail, long receivedMillis) {
        int size = frameSize(id, tail.length);
        ByteBuf block = alloc.directBuffer(size, size);
        boolean ok = false;
        try {
            EventRecord record = encodeInto(block, id, event, tail, 0, tail.length, receivedMillis);
            ok = true;
            return record;
        } finally {
            if (!ok) {
                block.release();
            }
        }
    }

    /** Digits of {@code v} as an unsigned decimal. */
    static int decimalLength(long v) {
        if (v < 0) {
            // 2^63 and above: 19 or 20 digits
            return Long.compareUnsigned(v, -8_446_744_073_709_551_616L) >= 0 ? 20 : 19;
        }
        // log10 from the bit length (1233 / 4096 is just above log10(2)), then one comparison to correct it
        int guess = (64 - Long.numberOfLeadingZeros(v | 1)) * 1233 >>> 12;
        return guess + ((v | 1) >= POWERS_OF_TEN[guess] ? 1 : 0);
    }

    /** 10^i for i = 0..18. */
    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        long power = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = power;
            power *= 10;
        }
    }

    /** Writes {@code v} as an unsigned decimal at {@code out[at..]}; returns the number of digits. */
    static int writeDecimal(byte[] out, int at, long v) {
        int length = decimalLength(v);
        int i = at + length - 1;
        if (v < 0) {
            // unsigned: the lowest digit first, then the rest fits a signed long
            long rest = Long.divideUnsigned(v, 10);
            out[i--] = (byte) ('0' + (v - rest * 10));
            v = rest;
        }
        for (; i >= at; i--) {
            out[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return length;
    }

    private static ByteBuf ascii(ByteBufAllocator alloc, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    /** A shared, read-only buffer of {@code text}'s ASCII bytes that releases are no-ops on; write duplicates. */
    public static ByteBuf constant(String text) {
        return Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.US_ASCII)))
                .asReadOnly();
    }
}
