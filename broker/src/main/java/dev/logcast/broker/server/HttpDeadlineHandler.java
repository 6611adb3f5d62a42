package dev.logcast.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time limits of a plain HTTP connection, first in the pipeline so it sees raw bytes. Between requests the
 * connection may be idle for {@code idleTimeoutMs}; from the first byte of a request, the whole request (line,
 * headers, body) must arrive within {@code requestTimeoutMs}: a client that sends one byte a second is cut off.
 * While the broker works on a request (a waiting poll, an ingest being sequenced) no limit runs. Removed when the
 * connection becomes a stream.
 *
 * <pre>
 * p.addLast("deadline", new HttpDeadlineHandler(requestTimeoutMs, idleTimeoutMs, tracker));
 * p.addLast("decoder", new StrictHttpRequestDecoder(...));
 * </pre>
 *
 * <p><b>Owner:</b> the channel's event loop.
 */
public final class HttpDeadlineHandler extends ChannelDuplexHandler {
    private enum State { IDLE, RECEIVING, BUSY }

    private final long requestTimeoutMs;
    private final long idleTimeoutMs;
    private final InflightTracker tracker;
    private ChannelHandlerContext ctx;
    private State state = State.IDLE;
    private ScheduledFuture<?> timer;
    private boolean counted;
    /** When the first byte of the current request arrived ({@link System#nanoTime}). */
    private long receivingSinceNanos;

    HttpDeadlineHandler(long requestTimeoutMs, long idleTimeoutMs, InflightTracker tracker) {
        this.requestTimeoutMs = requestTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.tracker = tracker;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            arm(idleTimeoutMs);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        arm(idleTimeoutMs);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.IDLE && msg instanceof ByteBuf buf && buf.isReadable()) {
            state = State.RECEIVING;
            receivingSinceNanos = System.nanoTime();
            if (!counted) {
                counted = true;
                tracker.begin();
            }
            arm(requestTimeoutMs);
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Whether the connection's request in flight began to arrive before {@code nanos} ({@link System#nanoTime}): a
     * POST whose first bytes came before a SIGTERM is finished, not shed.
     */
    public boolean receivingSince(long nanos) {
        return counted && receivingSinceNanos - nanos < 0;
    }

    /** The whole request arrived; the broker works on it. */
    public void busy() {
        state = State.BUSY;
        if (!counted) {
            counted = true;
            tracker.begin();
        }
        cancel();
    }

    /** The response went out; the connection waits for the next request. */
    public void idle() {
        state = State.IDLE;
        if (counted) {
            counted = false;
            tracker.end();
        }
        arm(idleTimeoutMs);
    }

    private void arm(long ms) {
        cancel();
        timer = ctx.executor().schedule(this::expired, ms, TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expired() {
        timer = null;
        if (state != State.BUSY) {
            ctx.close();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
        if (counted) {
            counted = false;
            tracker.end();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        if (counted) {
            counted = false;
            tracker.end();
        }
        ctx.fireChannelInactive();
    }
}
