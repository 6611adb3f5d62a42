package dev.logcast.broker.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Closes a connection after its last answer without resetting it: the broker's side is shut (the client reads the
 * answer, then the end), and what the client still sends (the rest of a body the broker refused) is read and
 * dropped until the client closes, or for at most {@link #LINGER_MS}. A plain close with unread bytes in the receive
 * buffer sends a TCP reset, which can destroy the answer before the client reads it: a client that writes its whole
 * body before reading (an OTLP exporter, Python's {@code http.client}) would see a reset instead of its 413. On TLS,
 * and on anything but a socket, it is a plain close.
 *
 * <pre>
 * channel.writeAndFlush(response).addListener(LingeringClose.INSTANCE);
 * </pre>
 */
final class LingeringClose implements ChannelFutureListener {
    static final LingeringClose INSTANCE = new LingeringClose();
    /** The longest a closing connection waits for its client to finish sending. */
    static final long LINGER_MS = 2_000;

    private LingeringClose() {
    }

    @Override
    public void operationComplete(ChannelFuture future) {
        Channel channel = future.channel();
        if (!future.isSuccess() || !(channel instanceof DuplexChannel duplex)
                || channel.pipeline().get(SslHandler.class) != null) {
            channel.close();
            return;
        }
        // later: the write may have completed inside a handler that is still decoding
        channel.eventLoop().execute(() -> linger(duplex));
    }

    private static void linger(DuplexChannel channel) {
        if (!channel.isActive()) {
            return;
        }
        if (channel.pipeline().get(Discard.class) == null) {
            // the handlers stay (they release what they hold when the channel goes inactive) but see nothing more
            channel.pipeline().addFirst("linger", new Discard());
        }
        channel.config().setAutoRead(true);
        channel.shutdownOutput();
        channel.eventLoop().schedule(() -> channel.close(), LINGER_MS, TimeUnit.MILLISECONDS);
    }

    /** Drops everything read; closes when the client ends its side. */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // nothing was passed on
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

    }
}
