package dev.logcast.bench.ceiling;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.netty.util.CharsetUtil;

/**
 * The ceiling peer's one handler: {@code POST /v1/logs} publishes, {@code GET /v1/stream} subscribes,
 * {@code GET /healthz} is 200, anything else 404. Answers of pipelined POSTs are flushed once per read burst.
 *
 * <pre>
 * p.addLast("http", new HttpServerCodec());
 * p.addLast("aggregator", new HttpObjectAggregator(16 MiB));
 * p.addLast("handler", new CeilingHandler(hub));   // this handler
 * </pre>
 *
 * <b>Owner:</b> its channel's event loop, the same one as the hub's.
 */
final class CeilingHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream; charset=utf-8");
    private static final ByteBuf STREAM_PREAMBLE =
            Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("retry: 3000\n: ceiling\n\n", CharsetUtil.US_ASCII));

    private final CeilingHub hub;
    private boolean subscriber;
    private boolean blocked;
    private boolean answered;

    CeilingHandler(CeilingHub hub) {
        this.hub = hub;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String uri = request.uri();
        if (request.method() == HttpMethod.POST && uri.startsWith("/v1/logs")) {
            int events = hub.publish(ctx.channel(), request.content(), ctx.alloc());
            ByteBuf body = ctx.alloc().buffer(32);
            ByteBufUtil.writeAscii(body, "{\"accepted\":" + events + "}");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, body);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.write(response, ctx.voidPromise());
            answered = true;
        } else if (request.method() == HttpMethod.GET && uri.startsWith("/v1/stream")) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, EVENT_STREAM)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            HttpUtil.setKeepAlive(response, false);
            ctx.write(response);
            // from here on the connection carries raw frames: no HTTP codec between the hub and the socket
            ctx.writeAndFlush(STREAM_PREAMBLE.duplicate());
            ctx.pipeline().remove("aggregator");
            ctx.pipeline().remove("http");
            subscriber = true;
            hub.subscribe(ctx.channel());
            channelWritabilityChanged(ctx);
        } else {
            // GET /healthz answers 200 once the peer listens (the comparison script waits for it); the rest is 404
            boolean health = request.method() == HttpMethod.GET && uri.equals("/healthz");
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    health ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND, Unpooled.EMPTY_BUFFER);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
            ctx.write(response, ctx.voidPromise());
            answered = true;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (answered) {
            answered = false;
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        boolean writable = ctx.channel().isWritable();
        if (subscriber && writable == blocked) {
            blocked = !writable;
            if (blocked) {
                hub.block();
            } else {
                hub.unblock();
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (subscriber) {
            subscriber = false;
            hub.unsubscribe(ctx.channel());
            if (blocked) {
                blocked = false;
                hub.unblock();
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
