package dev.logcast.broker.stream;

import dev.logcast.broker.core.EventFilter;
import dev.logcast.broker.core.EventRecord;
import dev.logcast.broker.core.ReplayChunk;
import dev.logcast.broker.core.ReplayRequest;
import dev.logcast.broker.core.Sequencer;
import dev.logcast.broker.core.Shard;
import dev.logcast.broker.core.ShardMember;
import dev.logcast.broker.core.SseFrames;
import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * One {@code GET /v1/stream} connection on its shard. While it replays (Last-Event-ID, {@code tail}) it pulls
 * retained events from the sequencer chunk by chunk, asking for the next chunk only when the connection is
 * writable; once a chunk says it is caught up it goes live and receives each matching frame as a retained
 * duplicate, flushed once per visit of its shard. Over {@code stream.max.pending} outbound bytes it sends
 * {@code event: overflow} and closes: its client resumes from retention with Last-Event-ID.
 *
 * <p><b>Owner:</b> the channel's event loop, which is its shard's loop. Not thread-safe.
 */
public final class StreamSubscriber extends ShardMember {
    private static final int REPLAY_CHUNK_EVENTS = 512;
    /**
     * Force the close this long after an overflow if the client does not read the overflow event. A plain stream
     * holds nothing of its own by then (what the socket had not taken is dropped), so it can wait for a slow reader
     * to get there; a gzip or TLS stream still holds up to its cap until the close.
     */
    private static final long OVERFLOW_CLOSE_MS = 30_000;
    private static final long OVERFLOW_CLOSE_HOLDING_MS = 2_000;
    private static final byte[] ID_LINE = {'i', 'd', ':', ' '};
    /** A stream that takes nothing for this long while it owes events overflows even below its cap. */
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Channel channel;
    private final Shard shard;
    private final Sequencer sequencer;
    private final long maxPendingBytes;
    private final int ticksPerHeartbeat;
    private final boolean gzip;
    /** Whether the outbound buffer holds the stream's own bytes (no TLS records), which can be cut between frames. */
    private final boolean plain;
    private final BrokerMetrics metrics;

    private CompositeByteBuf gzipBatch;
    /** Id of the last event in {@code gzipBatch}: it counts as sent once the batch is written. */
    private long gzipBatchLastId;
    private long lastSentId;
    private int idleTicks;
    private boolean replayWhenWritable;
    private long cursorForReplay;
    private boolean closing;
    /** Counted in the subscribers gauge: from start to the overflow or the close. */
    private boolean counted;
    /** When a visit first found the connection unable to take more while events were owed; 0 when it could. */
    private long blockedSinceNanos;

    /**
     * A subscriber for {@code channel}, whose event loop must be {@code shard}'s. {@link StreamService} makes them;
     * benchmarks too.
     */
    public StreamSubscriber(Channel channel, Shard shard, Sequencer sequencer, EventFilter filter,
                            long maxPendingBytes, int ticksPerHeartbeat, boolean gzip, BrokerMetrics metrics) {
        super(filter);
        this.channel = channel;
        this.shard = shard;
        this.sequencer = sequencer;
        this.maxPendingBytes = maxPendingBytes;
        this.ticksPerHeartbeat = ticksPerHeartbeat;
        this.gzip = gzip;
        this.plain = !gzip && channel.pipeline().get(SslHandler.class) == null;
        this.metrics = metrics;
    }

    /** Joins the shard: live at once, or after replaying from {@code afterId} / the last {@code tail} events. */
    public void start(long afterId, long tail, boolean replay) {
        assert channel.eventLoop().inEventLoop();
        shard.add(this);
        metrics.subscriberAdded();
        counted = true;
        if (replay) {
            live = false;
            requestReplay(afterId, tail);
        } else {
            live = true;
        }
    }

    private void requestReplay(long afterId, long tail) {
        sequencer.requestReplay(new ReplayRequest(shard, this, afterId, tail, REPLAY_CHUNK_EVENTS,
                Math.max(64 * 1024, maxPendingBytes / 4), false));
    }

    /**
     * Writes the matching events of the batches since the last visit. Frames of one sequencer cycle lie back to back
     * in one block, and so do those of consecutive cycles while the block lasts, so each run of adjoining matches
     * goes out as a single retained slice: a subscriber that matches every event of several batches costs one
     * write, not one per event or per batch.
     */
    @Override
    protected int deliverBatch(EventRecord[] records, int from, int to) {
        int delivered = 0;
        int runStart = -1;
        for (int i = from; i < to; i++) {
            EventRecord record = records[i];
            if (filter.matches(record.event())) {
                if (runStart >= 0 && !records[i - 1].adjoins(record)) {
                    if (!writeRun(records[runStart], records[i - 1])) {
                        return delivered - (i - runStart);
                    }
                    runStart = i;
                } else if (runStart < 0) {
                    runStart = i;
                }
                delivered++;
            } else if (runStart >= 0) {
                if (!writeRun(records[runStart], records[i - 1])) {
                    return delivered - (i - runStart);
                }
                runStart = -1;
            }
        }
        if (runStart >= 0 && !writeRun(records[runStart], records[to - 1])) {
            return delivered - (to - runStart);
        }
        return delivered;
    }

    /**
     * Ready while the socket takes what is written (the outbound buffer under its high-water mark). A stream that
     * is not ready is skipped: what it owes waits in the shard's backlog and goes out in one run once it drains.
     */
    @Override
    protected boolean ready() {
        if (channel.isWritable()) {
            blockedSinceNanos = 0;
            return true;
        }
        return false;
    }

    /** Owes {@code lagBytes} and cannot take them: over the cap, or stalled too long, it overflows. */
    @Override
    protected void lagging(long lagBytes) {
        if (closing) {
            return;
        }
        if (lagBytes + waitingBytes() >= maxPendingBytes) {
            overflow();
            return;
        }
        if (blockedSinceNanos == 0) {
            blockedSinceNanos = Math.max(1, System.nanoTime());
        }
    }

    @Override
    protected boolean deliver(EventRecord record) {
        return writeRun(record, record);
    }

    /**
     * Writes the frames from {@code first} to {@code last} (adjoining in one block); false on overflow. The cap is
     * about how far behind the client is, not how large a burst is: when the bytes waiting reach the cap, what was
     * written so far is flushed to the socket first, and only what the socket would not take counts. What a
     * connection holds stays below the cap plus one run (whose memory every subscriber shares).
     */
    private boolean writeRun(EventRecord first, EventRecord last) {
        int length = last.blockOffset() + last.frameBytes() - first.blockOffset();
        if (waitingBytes() >= maxPendingBytes) {
            flushNow();
            if (waitingBytes() >= maxPendingBytes) {
                overflow();
                return false;
            }
        }
        if (gzip) {
            if (gzipBatch == null) {
                gzipBatch = channel.alloc().compositeDirectBuffer(Integer.MAX_VALUE);
            }
            gzipBatch.addComponent(true, first.block().retainedSlice(first.blockOffset(), length));
            gzipBatchLastId = last.id();
        } else {
            channel.write(first.block().retainedSlice(first.blockOffset(), length), channel.voidPromise());
            lastSentId = last.id();
        }
        return true;
    }

    /** Bytes written or collected for this connection that the socket has not taken yet. */
    private long waitingBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        long pending = out == null ? 0 : out.totalPendingWriteBytes();
        return gzipBatch == null ? pending : pending + gzipBatch.readableBytes();
    }

    /** Hands what was collected to the socket now. */
    private void flushNow() {
        if (gzipBatch != null) {
            ByteBuf batch = gzipBatch;
            gzipBatch = null;
            channel.write(batch, channel.voidPromise());
            lastSentId = gzipBatchLastId;
        }
        channel.flush();
    }

    @Override
    protected void endOfBatch() {
        if (closing) {
            return;
        }
        flushNow();
        idleTicks = 0;
    }

    @Override
    protected void onReplayChunk(ReplayChunk chunk) {
        if (closing || !channel.isActive()) {
            chunk.release();
            return;
        }
        if (chunk.hasGap()) {
            channel.write(SseFrames.gap(channel.alloc(), chunk.gapFrom(), chunk.gapTo()), channel.voidPromise());
        }
        // the chunk's frames as one write (one compression, one HTTP chunk), still the shared frames, not copies
        ByteBuf out = chunk.count() > 1 ? channel.alloc().compositeDirectBuffer(chunk.count()) : null;
        for (int i = 0; i < chunk.count(); i++) {
            // the chunk's reference moves to the write
            ByteBuf frame = chunk.records()[i].frame();
            if (out != null) {
                ((CompositeByteBuf) out).addComponent(true, frame);
            } else {
                channel.write(frame, channel.voidPromise());
            }
        }
        if (out != null) {
            channel.write(out, channel.voidPromise());
        }
        channel.flush();
        idleTicks = 0;
        metrics.delivered(chunk.count());
        if (chunk.count() > 0) {
            lastSentId = chunk.records()[chunk.count() - 1].id();
        }
        if (chunk.caughtUp()) {
            live = true;
        } else if (channel.isWritable()) {
            requestReplay(chunk.cursor(), -1);
        } else {
            replayWhenWritable = true;
            cursorForReplay = chunk.cursor();
        }
    }

    /** The channel drained below its low-water mark. */
    void onWritable() {
        if (live && isBlocked() && !closing) {
            // it owes events the shard held back: the next round gives them
            shard.wakeup();
        }
        if (replayWhenWritable && !closing) {
            replayWhenWritable = false;
            requestReplay(cursorForReplay, -1);
        }
    }

    @Override
    protected void onTick(long nowNanos) {
        if (closing) {
            return;
        }
        if (blockedSinceNanos != 0 && isBlocked() && nowNanos - blockedSinceNanos > STALL_NANOS) {
            // it has taken nothing for too long: let go of what it holds back (the shard forgets it next round)
            overflow();
            shard.wakeup();
            return;
        }
        if (++idleTicks >= ticksPerHeartbeat) {
            idleTicks = 0;
            channel.writeAndFlush(SseFrames.HEARTBEAT.duplicate(), channel.voidPromise());
        }
    }

    /**
     * Over the cap: sends {@code event: overflow} and closes. It stops being a subscriber at once. On a plain stream
     * what the socket has not taken yet is dropped first, after the frame in progress and through the next event
     * frame, so that a client that reads slowly still gets the overflow event soon, and its {@code last} names the
     * last event the client gets: resuming after it loses nothing.
     */
    private void overflow() {
        live = false;
        closing = true;
        metrics.overflowClosed();
        uncount();
        if (gzipBatch != null) {
            gzipBatch.release();
            gzipBatch = null;
        }
        long last = lastSentId;
        ByteBuf kept = null;
        ChannelHandlerContext framing = channel.pipeline().context(ChunkedFraming.NAME);
        if (plain) {
            Cut cut = framing == null ? new UnsentCut(channel.alloc()) : new ChunkedUnsentCut(channel.alloc());
            ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
            if (out != null) {
                out.addFlush();
                try {
                    out.forEachFlushedMessage(cut);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                if (cut.complete) {
                    while (out.remove()) {
                        // each entry's buffer is released; the writability event finds this stream closing
                    }
                    if (cut.lastId >= 0) {
                        last = cut.lastId;
                    }
                    kept = cut.kept;
                } else {
                    cut.kept.release();
                }
            }
        }
        if (kept != null && kept.isReadable()) {
            // a chunked stream's kept bytes are whole chunks already: past the framing
            if (framing == null) {
                channel.write(kept, channel.voidPromise());
            } else {
                framing.write(kept, channel.voidPromise());
            }
        } else if (kept != null) {
            kept.release();
        }
        channel.writeAndFlush(SseFrames.overflow(channel.alloc(), last, maxPendingBytes))
                .addListener(ChannelFutureListener.CLOSE);
        // a client that does not read the overflow event is cut off; straight at the transport, so that the gzip
        // encoder's wait for its trailer to be written does not hold the connection open
        channel.eventLoop().schedule(() -> {
            if (channel.isOpen()) {
                channel.unsafe().close(channel.unsafe().voidPromise());
            }
        }, plain ? OVERFLOW_CLOSE_MS : OVERFLOW_CLOSE_HOLDING_MS, TimeUnit.MILLISECONDS);
    }

    private void uncount() {
        if (counted) {
            counted = false;
            metrics.subscriberRemoved();
        }
    }

    /**
     * Walks a plain stream's unsent bytes frame by frame (every write holds whole frames, each ending in a blank
     * line, except that the socket may have taken the start of the first) and copies what must still go out: the
     * rest of the frame in progress and the frames after it through the first event frame ({@code id:} line), whose
     * id it notes. Anything else it finds (a buffer that is not a {@code ByteBuf}) leaves it incomplete, and then
     * nothing is dropped.
     */
    static final class UnsentCut extends Cut {
        private boolean first = true;

        UnsentCut(ByteBufAllocator alloc) {
            super(alloc);
        }

        @Override
        boolean process(ByteBuf buf) {
            int from = buf.readerIndex();
            int end = buf.writerIndex();
            int frameStart = from;
            if (first) {
                first = false;
                // the socket may have taken part of a frame: find where that frame began
                frameStart = frameStartBefore(buf, from);
            }
            while (frameStart < end) {
                int frameEnd = frameEnd(buf, Math.max(frameStart, from - 1), end);
                kept.writeBytes(buf, from, frameEnd - from);
                from = frameEnd;
                long id = eventId(buf, frameStart, frameEnd);
                if (id >= 0) {
                    lastId = id;
                    complete = true;
                    return false;
                }
                frameStart = frameEnd;
            }
            complete = true;
            return true;
        }

        /** Where the frame holding byte {@code at} starts: after the blank line before it, or at the buffer's start. */
        private static int frameStartBefore(ByteBuf buf, int at) {
            for (int i = at - 1; i >= 1; i--) {
                if (buf.getByte(i) == '\n' && buf.getByte(i - 1) == '\n') {
                    return i + 1;
                }
            }
            return 0;
        }

        /** The end of the frame going on at {@code from}: just past its blank line, or {@code end} if none. */
        static int frameEnd(ByteBuf buf, int from, int end) {
            for (int i = Math.max(from, 0); i + 1 < end; i++) {
                if (buf.getByte(i) == '\n' && buf.getByte(i + 1) == '\n') {
                    return i + 2;
                }
            }
            return end;
        }

        /** The id of the frame in {@code [start, end)} if it is an event frame ({@code id: <digits>}), else -1. */
        static long eventId(ByteBuf buf, int start, int end) {
            if (end - start <= ID_LINE.length) {
                return -1;
            }
            for (int i = 0; i < ID_LINE.length; i++) {
                if (buf.getByte(start + i) != ID_LINE[i]) {
                    return -1;
                }
            }
            long id = 0;
            int digits = 0;
            for (int i = start + ID_LINE.length; i < end; i++) {
                byte b = buf.getByte(i);
                if (b < '0' || b > '9') {
                    break;
                }
                id = id * 10 + (b - '0');
                digits++;
            }
            return digits == 0 ? -1 : id;
        }
    }

    /** What an overflow keeps of a plain stream's unsent bytes, and the id of the last event frame among them. */
    abstract static class Cut implements ChannelOutboundBuffer.MessageProcessor {
        final ByteBuf kept;
        long lastId = -1;
        /** Whether every message walked was understood; if not, nothing may be dropped. */
        boolean complete;

        Cut(ByteBufAllocator alloc) {
            kept = alloc.heapBuffer(256);
        }

        @Override
        public final boolean processMessage(Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                complete = false;
                return false;
            }
            return process(buf);
        }

        /** Walks one unsent buffer; returns whether to go on to the next. */
        abstract boolean process(ByteBuf buf);
    }

    /**
     * {@link UnsentCut} for a chunked stream, whose unsent messages are chunks as {@link ChunkedFraming} wrote them:
     * a small one in one buffer, a large one as its size line, the bytes of whole frames and CRLF (the first message
     * may be any of these, partly taken by the socket). It copies the rest of the chunk in progress and the chunks
     * after it through the first that holds an event frame, and notes the last event id in that chunk: what it keeps
     * is whole chunks of whole frames.
     */
    static final class ChunkedUnsentCut extends Cut {
        /** The last event id in the data of the chunk being walked, -1 for none yet. */
        private long chunkLastId = -1;

        ChunkedUnsentCut(ByteBufAllocator alloc) {
            super(alloc);
        }

        @Override
        boolean process(ByteBuf buf) {
            kept.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
            complete = true;
            int data = ChunkedFraming.wholeChunkData(buf);
            if (data >= 0) {
                // a small chunk in one buffer: its frames, then its end
                scanFrames(buf, data, buf.writerIndex() - 2);
                return chunkEnded();
            }
            if (ChunkedFraming.isChunkEnd(buf)) {
                return chunkEnded();
            }
            if (!ChunkedFraming.isSizeLine(buf)) {
                // a large chunk's data: whole frames from index 0, each ending in a blank line
                scanFrames(buf, 0, buf.writerIndex());
            }
            return true;
        }

        /** Notes the id of the last event frame among the whole frames in {@code buf[start, end)}. */
        private void scanFrames(ByteBuf buf, int start, int end) {
            while (start < end) {
                int frameEnd = UnsentCut.frameEnd(buf, start, end);
                long id = UnsentCut.eventId(buf, start, frameEnd);
                if (id >= 0) {
                    chunkLastId = id;
                }
                start = frameEnd;
            }
        }

        /** A chunk ended: the walk stops after it if it held an event frame. */
        private boolean chunkEnded() {
            if (chunkLastId >= 0) {
                lastId = chunkLastId;
                return false;
            }
            return true;
        }
    }

    @Override
    protected void onShutdown() {
        live = false;
        if (closing) {
            return;
        }
        closing = true;
        if (gzipBatch != null) {
            gzipBatch.release();
            gzipBatch = null;
        }
        channel.writeAndFlush(SseFrames.SHUTDOWN.duplicate()).addListener(ChannelFutureListener.CLOSE);
    }

    /** The connection closed: leave the shard. Runs as its own loop task, never inside a shard's delivery. */
    void closed() {
        live = false;
        closing = true;
        if (gzipBatch != null) {
            gzipBatch.release();
            gzipBatch = null;
        }
        shard.remove(this);
        uncount();
    }
}
