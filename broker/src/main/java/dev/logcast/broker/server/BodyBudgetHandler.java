package dev.logcast.broker.server;

import dev.logcast.broker.auth.AuthResult;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * Holds every request body of the connection against the broker-wide {@link BodyBudget}: a body with a
 * {@code Content-Length} takes its length before a byte of it is buffered (and before a {@code 100 Continue}), a
 * chunked one takes each chunk as it comes. A body that does not fit is not buffered: its request goes on with an
 * empty body and a failed decoder result ({@link BodyBudget.OverBudgetException}), which the router answers with 503
 * and {@code Retry-After} in request order, and the rest of the body is read and dropped (the connection stays
 * usable). What a request took goes
 * back when its final answer is written, and all of it when the connection closes (or becomes a stream).
 *
 * <pre>
 * p.addLast("write-auth", new WriteAuthHandler(services, verdicts));
 * p.addLast("body-budget", new BodyBudgetHandler(budget, maxBody, verdicts));
 * p.addLast("aggregator", new BodyLimitAggregator(...));
 * </pre>
 *
 * <p><b>Owner:</b> the channel's event loop. Not sharable.
 */
final class BodyBudgetHandler extends ChannelDuplexHandler {
    private final BodyBudget budget;
    /** {@code ingest.max.body}: a longer body is the aggregator's to refuse (413), not the budget's. */
    private final long maxBodyBytes;
    private final ArrayDeque<AuthResult> verdicts;
    /** What each request not answered yet holds, in request order; the last is the one being received. */
    private final ArrayDeque<Held> held = new ArrayDeque<>(2);
    /** The body being received was refused: its chunks are dropped. */
    private boolean dropping;

    /** What a request without a body holds: nothing, ever (shared, so that such a request allocates nothing). */
    private static final Held NO_BODY = new Held(false);

    /** The bytes one request holds. */
    private static final class Held {
        long bytes;
        /** No Content-Length: the body is taken chunk by chunk. */
        final boolean chunked;

        Held(boolean chunked) {
            this.chunked = chunked;
        }
    }

    BodyBudgetHandler(BodyBudget budget, long maxBodyBytes, ArrayDeque<AuthResult> verdicts) {
        this.budget = budget;
        this.maxBodyBytes = maxBodyBytes;
        this.verdicts = verdicts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request && !(msg instanceof FullHttpRequest)) {
            // a request the decoder failed is refused before its body: it holds nothing
            boolean decoded = request.decoderResult().isSuccess();
            long length = decoded ? HttpUtil.getContentLength(request, -1L) : 0;
            boolean chunked = decoded && length < 0 && HttpUtil.isTransferEncodingChunked(request);
            Held taken = length > 0 || chunked ? new Held(chunked) : NO_BODY;
            held.add(taken);
            dropping = false;
            if (length > 0 && length <= maxBodyBytes) {
                if (!budget.tryReserve(length)) {
                    refuse(ctx, request);
                    return;
                }
                taken.bytes = length;
            }
            ctx.fireChannelRead(request);
            return;
        }
        if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (dropping) {
                content.release();
                dropping = !last;
                return;
            }
            Held taken = held.peekLast();
            int bytes = content.content().readableBytes();
            if (taken != null && taken.chunked && bytes > 0) {
                if (!budget.tryReserve(bytes)) {
                    // a chunked body over the budget: the request fails (the router answers 503), what was passed
                    // on of it goes with it, and the rest is dropped
                    content.release();
                    ctx.fireChannelRead(overBudgetEnd());
                    dropping = !last;
                    return;
                }
                taken.bytes += bytes;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, HttpRequest request) {
        if (WriteAuthHandler.ingestTarget(request) != null) {
            // WriteAuthHandler gave this request a verdict, the newest; the router answers a failed request without
            // asking for one, so it goes
            verdicts.pollLast();
        }
        request.headers().remove(HttpHeaderNames.EXPECT);
        HttpUtil.setTransferEncodingChunked(request, false);
        HttpUtil.setContentLength(request, 0);
        dropping = true;
        ctx.fireChannelRead(request);
        ctx.fireChannelRead(overBudgetEnd());
    }

    private static LastHttpContent overBudgetEnd() {
        LastHttpContent end = new DefaultLastHttpContent();
        end.setDecoderResult(DecoderResult.failure(new BodyBudget.OverBudgetException()));
        return end;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            // the final answer of the oldest request not answered yet (answers keep the order of requests)
            Held taken = held.poll();
            if (taken != null) {
                budget.release(taken.bytes);
            }
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseAll();
    }

    private void releaseAll() {
        Held taken;
        while ((taken = held.poll()) != null) {
            budget.release(taken.bytes);
        }
    }
}
