package dev.logcast.broker.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last inbound handler of a connection once it streams: the HTTP codec is gone, the response body is open
 * until close. A client says nothing more on a stream, so whatever it sends is dropped; writability and close
 * events go to the {@link StreamSubscriber}.
 *
 * <pre>
 * p.addLast("zlib", new JdkZlibEncoder(GZIP));   // only with Content-Encoding: gzip
 * p.addLast("stream", new StreamHandler(subscriber));
 * </pre>
 */
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private final StreamSubscriber subscriber;

    StreamHandler(StreamSubscriber subscriber) {
        this.subscriber = subscriber;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf || msg != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            subscriber.onWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        subscriber.closed();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
