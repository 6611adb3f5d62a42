package dev.logcast.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The client transport: native epoll where it loads, NIO otherwise (then the run says so). */
enum Transport {
    EPOLL,
    NIO;

    static Transport detect() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** A one-thread event loop group named {@code name}. */
    EventLoopGroup singleThreadGroup(String name) {
        DefaultThreadFactory threads = new DefaultThreadFactory(name, true);
        return this == EPOLL ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
    }

    /**
     * A client bootstrap on {@code group} with Nagle off. With epoll the sockets are level-triggered: a read that does
     * not fill its buffer is the last one, where edge-triggered mode would spend one more {@code read} per wake-up to
     * hit {@code EAGAIN}, and most wake-ups of an SSE subscriber carry a single small event.
     */
    Bootstrap bootstrap(EventLoopGroup group, int connectTimeoutMs) {
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channel(this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
        if (this == EPOLL) {
            bootstrap.option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        return bootstrap;
    }
}
