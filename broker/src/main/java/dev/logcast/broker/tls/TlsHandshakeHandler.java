package dev.logcast.broker.tls;

import dev.logcast.broker.metrics.BrokerMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Watches the TLS handshake of a connection on the TLS port, right behind the {@code SslHandler}:
 *
 * <pre>
 * p.addLast("ssl", tls.newHandler(ch.alloc(), requestTimeoutMs));
 * p.addLast("ssl-handshake", new TlsHandshakeHandler(metrics));
 * p.addLast("deadline", new HttpDeadlineHandler(...));
 * </pre>
 *
 * <p>A handshake that fails (plain HTTP or other bytes that are not TLS, a client that does not trust the
 * certificate, no common protocol or cipher, the handshake timeout) is counted once as
 * {@code logcast_rejected_total{reason="tls_handshake"}} and the connection is closed quietly: the exceptions a bad
 * client causes stop here and leave no stack trace in the log (the cause is logged at debug level, one line).
 * After a successful handshake the handler removes itself. Its name starts with {@code ssl} so that it is one of
 * the handlers a connection keeps when it becomes a stream.
 *
 * <p><b>Owner:</b> the channel's event loop.
 */
public final class TlsHandshakeHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(TlsHandshakeHandler.class.getName());

    private final BrokerMetrics metrics;
    private boolean failed;

    public TlsHandshakeHandler(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                ctx.pipeline().remove(this);
            } else {
                fail(ctx, handshake.cause());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Before the handshake is done every exception is the client's fault (or the network's): close, say nothing. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (!failed) {
            failed = true;
            metrics.rejected("tls_handshake");
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "TLS handshake with " + ctx.channel().remoteAddress()
                        + " failed: " + rootMessage(cause));
            }
        }
        ctx.close();
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
