package dev.logcast.broker.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Netty's aggregator with the contract's answer to a body over {@code ingest.max.body}: 413 with the JSON error
 * body (a {@code google.rpc.Status} for an OTLP protobuf request), then close (the rest of the body would have to be
 * read to keep the connection).
 *
 * <pre>
 * p.addLast("decoder", new StrictHttpRequestDecoder(...));
 * p.addLast("encoder", new HttpResponseEncoder());
 * p.addLast("aggregator", new BodyLimitAggregator(maxBody, metrics));
 * </pre>
 */
final class BodyLimitAggregator extends HttpObjectAggregator {
    private final long maxBodyBytes;
    private final Runnable onOversize;

    BodyLimitAggregator(long maxBodyBytes, Runnable onOversize) {
        super((int) Math.min(Integer.MAX_VALUE, maxBodyBytes), true);
        this.maxBodyBytes = maxBodyBytes;
        this.onOversize = onOversize;
    }

    /** {@code Expect: 100-continue} with a Content-Length over the limit: the same JSON 413, then close. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        String expect = start.headers().get(HttpHeaderNames.EXPECT);
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse full
                && full.status().code() == HttpResponseStatus.EXPECTATION_FAILED.code()) {
            // an expectation other than 100-continue: the contract's error body, then close as Netty does
            full.release();
            return Responses.error(pipeline.channel(), start, HttpResponseStatus.EXPECTATION_FAILED,
                    "unsupported Expect \"" + expect + "\"; only 100-continue is", null);
        }
        if (response instanceof FullHttpResponse full
                && full.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            full.release();
            onOversize.run();
            FullHttpResponse tooLarge = Responses.error(pipeline.channel(), start,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body is larger than " + maxBodyBytes + " bytes", null);
            tooLarge.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            return tooLarge;
        }
        return response;
    }

    @Override
    protected boolean closeAfterContinueResponse(Object msg) {
        return super.closeAfterContinueResponse(msg)
                || msg instanceof FullHttpResponse r && r.status().code() == 413;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        onOversize.run();
        FullHttpResponse response = Responses.error(ctx.channel(), oversized,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body is larger than " + maxBodyBytes + " bytes", null);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // the client may still be sending the body: read and drop it for a while, so that the 413 is not lost to
        // the reset a close with unread bytes sends
        ctx.writeAndFlush(response).addListener(LingeringClose.INSTANCE);
    }
}
