package dev.logcast.broker.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;

/** The pipeline of a new connection. Only wiring: the work is in the handlers. */
final class BrokerInitializer extends ChannelInitializer<SocketChannel> {
    private final Services services;
    private final ChannelGroup channels;
    private final HttpDecoderConfig decoderConfig;
    private final long maxBodyBytes;
    private final long requestTimeoutMs;
    private final long idleTimeoutMs;

    BrokerInitializer(Services services, ChannelGroup channels, int maxInitialLine, int maxHeaderBytes,
                      long maxBodyBytes, long requestTimeoutMs, long idleTimeoutMs) {
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
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        channels.add(ch);
        HttpDeadlineHandler deadline = new HttpDeadlineHandler(requestTimeoutMs, idleTimeoutMs, services.inflight());
        ChannelPipeline p = ch.pipeline();
        p.addLast("deadline", deadline);
        p.addLast("decoder", new StrictHttpRequestDecoder(decoderConfig));
        p.addLast("encoder", new HttpResponseEncoder());
        p.addLast("aggregator", new BodyLimitAggregator(maxBodyBytes, () -> services.metrics().rejected("too_large")));
        p.addLast("router", new HttpRouter(services, deadline));
    }
}
