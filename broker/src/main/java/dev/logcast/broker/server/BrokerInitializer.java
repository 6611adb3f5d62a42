package dev.logcast.broker.server;

import dev.logcast.broker.tls.TlsHandshakeHandler;
import dev.logcast.broker.tls.TlsServerContext;
import dev.logcast.broker.auth.AuthResult;
import io.netty.channel.ChannelInitializer;
import java.util.ArrayDeque;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * The pipeline of a new connection. Only wiring: the work is in the handlers. On the TLS listener the same pipeline
 * sits behind {@code ssl} handlers (the names a connection keeps when it becomes a stream).
 */
final class BrokerInitializer extends ChannelInitializer<SocketChannel> {
    private final Services services;
    private final ChannelGroup channels;
    private final HttpDecoderConfig decoderConfig;
    private final long maxBodyBytes;
    private final long requestTimeoutMs;
    private final long idleTimeoutMs;
    private final TlsServerContext tls;
    private final BodyBudget bodyBudget;

    /** @param tls the TLS listener's context, or {@code null} for the plain listener */
    BrokerInitializer(Services services, ChannelGroup channels, int maxInitialLine, int maxHeaderBytes,
                      long maxBodyBytes, long requestTimeoutMs, long idleTimeoutMs, TlsServerContext tls,
                      BodyBudget bodyBudget) {
        this.services = services;
        this.channels = channels;
        this.decoderConfig = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderBytes)
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false);
        this.maxBodyBytes = maxBodyBytes;
        this.requestTimeoutMs = requestTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.tls = tls;
        this.bodyBudget = bodyBudget;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        HttpDeadlineHandler deadline = new HttpDeadlineHandler(requestTimeoutMs, idleTimeoutMs, services.inflight());
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            // the handshake shares the request's time limit: a client that opens and says nothing is cut off
            p.addLast("ssl", tls.newHandler(ch.alloc(), requestTimeoutMs));
            p.addLast("ssl-handshake", new TlsHandshakeHandler(services.metrics()));
        }
        p.addLast("deadline", deadline);
        p.addLast("decoder", new StrictHttpRequestDecoder(decoderConfig));
        p.addLast("encoder", new HttpResponseEncoder());
        ArrayDeque<AuthResult> writeVerdicts = new ArrayDeque<>(2);
        p.addLast("write-auth", new WriteAuthHandler(services, writeVerdicts));
        p.addLast("body-budget", new BodyBudgetHandler(bodyBudget, maxBodyBytes, writeVerdicts));
        p.addLast("aggregator", new BodyLimitAggregator(maxBodyBytes, () -> {
            services.metrics().rejected("too_large");
            services.metrics().ingestAnswered(413);
        }));
        p.addLast("router", new HttpRouter(services, deadline, writeVerdicts));
    }
}
