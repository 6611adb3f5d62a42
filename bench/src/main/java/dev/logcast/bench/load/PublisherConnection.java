package dev.logcast.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * One keep-alive publishing connection: writes pre-encoded batches, pipelined up to the in-flight cap, and matches
 * each HTTP response to its POST in order (RFC 9112 §9.3.2: responses to pipelined requests come in request order).
 *
 * <pre>
 *   p.addLast(new PublisherConnection(publishers, index, template, inflight));   // the whole pipeline
 * </pre>
 *
 * <b>Owner:</b> the publishers' event loop. Not thread-safe.
 */
final class PublisherConnection extends ByteToMessageDecoder {

    final int index;
    final RequestTemplate template;
    private final Publishers owner;
    private final ResponseHead head = new ResponseHead();
    private final int maxPosts;
    private final long[] postFirstSeq;
    private final long[] postSentNanos;
    private int oldest;
    private int postsInFlight;
    private ChannelHandlerContext ctx;
    private boolean unflushed;
    long pausedUntilNanos;

    PublisherConnection(Publishers owner, int index, RequestTemplate template, int inflightBatches) {
        this.owner = owner;
        this.index = index;
        this.template = template;
        this.maxPosts = inflightBatches * template.postsPerBatch;
        this.postFirstSeq = new long[maxPosts];
        this.postSentNanos = new long[maxPosts];
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    boolean isActive() {
        return ctx != null && ctx.channel().isActive();
    }

    boolean hasRoomForBatch() {
        return postsInFlight + template.postsPerBatch <= maxPosts && isActive();
    }

    /**
     * Closed loop refills only once half the window has drained, so one write carries several requests and the
     * server reads them in one go; topping up after every answer would cost a syscall per request on each side.
     */
    boolean wantsRefill() {
        return postsInFlight <= maxPosts / 2 && isActive();
    }

    int postsInFlight() {
        return postsInFlight;
    }

    /** Writes one batch (not flushed): events {@code firstSeq ..} stamped with {@code payloadTime}. */
    void send(long firstSeq, long sentNanos, long payloadTime) {
        ByteBuf buf = ctx.alloc().directBuffer(template.bytes.length);
        template.encode(buf, firstSeq, payloadTime);
        for (int p = 0; p < template.postsPerBatch; p++) {
            int slot = (oldest + postsInFlight) % maxPosts;
            postFirstSeq[slot] = firstSeq + (long) p * template.eventsPerPost;
            postSentNanos[slot] = sentNanos;
            postsInFlight++;
        }
        ctx.write(buf, ctx.voidPromise());
        unflushed = true;
    }

    void flush() {
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
    }

    void close() {
        if (ctx != null) {
            ctx.close();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable() && head.parse(in)) {
            int end;
            if (head.bodyless()) {
                end = head.bodyStart;
            } else if (head.chunked) {
                end = ResponseHead.chunkedBodyEnd(in, head.bodyStart);
            } else {
                // no length on a keep-alive response: cannot be framed, treat it as empty
                end = head.bodyStart + (int) Math.max(0, head.contentLength);
                if (end > in.writerIndex()) {
                    end = -1;
                }
            }
            if (end < 0) {
                return;
            }
            if (head.status >= 200) {
                answered(head.status, in, head.bodyStart, end - head.bodyStart);
            }
            in.readerIndex(end);
        }
    }

    private void answered(int status, ByteBuf in, int bodyStart, int bodyLength) {
        if (postsInFlight == 0) {
            owner.onUnexpectedResponse(status);
            return;
        }
        long firstSeq = postFirstSeq[oldest];
        long sentNanos = postSentNanos[oldest];
        oldest = (oldest + 1) % maxPosts;
        postsInFlight--;
        owner.onAnswer(this, status, firstSeq, sentNanos, in, bodyStart, bodyLength);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        super.channelActive(ctx);
        owner.refill(this);
        flush();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        super.channelReadComplete(ctx);
        owner.refill(this);
        flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        super.channelInactive(ctx);
        int lost = postsInFlight;
        postsInFlight = 0;
        owner.onClosed(this, (long) lost * template.eventsPerPost);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        owner.onError(cause);
        ctx.close();
    }
}
