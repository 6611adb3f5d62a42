package dev.logcast.bench.ceiling;

import dev.logcast.bench.LoadGenerator;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * The best case a broker on Netty can reach on this machine, measured with the same load generator in the same run
 * (docs/benchmarks.md, "The ceiling"): it speaks logcast's two paths, parses no event, validates, stores, sequences and
 * encodes nothing, and writes each POST's events to every subscriber at once.
 *
 * <ul>
 *   <li>{@code POST /v1/logs}: the body's lines become SSE frames ({@code data: <line>\n\n}) in one buffer, one
 *       retained duplicate of it is written and flushed to each subscriber, and the POST is answered {@code 202}
 *       with {@code {"accepted":N}}.</li>
 *   <li>{@code GET /v1/stream}: {@code 200 text/event-stream}, then the connection only receives frames.</li>
 * </ul>
 *
 * One event loop for every connection (no locks, no hand-off), as a broker pinned to one core would run. While any
 * subscriber is not writable the publishers are not read (TCP pushes back on them), so its memory stays bounded and
 * nothing is dropped. Loopback only; it runs until it is stopped (SIGTERM).
 */
@Command(name = "ceiling-peer", mixinStandardHelpOptions = true,
        description = "A best-case Netty peer on logcast's paths: no parsing, no storage, each POST's events written "
                + "to every subscriber at once. For bench/run-peer-comparison.sh.")
public final class CeilingPeer implements Callable<Integer> {

    @Option(names = "--host", description = "loopback only (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String host;

    @Option(names = "--port", description = "default: ${DEFAULT-VALUE}", defaultValue = "17071")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CeilingPeer()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        if (!LoadGenerator.isLoopback(host)) {
            System.err.println("ceiling-peer: --host must be a loopback address, not '" + host + "'");
            return 2;
        }
        boolean epoll = Epoll.isAvailable();
        DefaultThreadFactory threads = new DefaultThreadFactory("ceiling-io", false);
        EventLoopGroup group = epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
        CeilingHub hub = new CeilingHub();
        try {
            Channel server = new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // logcast's stream high-water mark: as much buffered per subscriber before publishers wait
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 << 10, 256 << 10))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline p = ch.pipeline();
                            p.addLast("http", new HttpServerCodec());
                            p.addLast("aggregator", new HttpObjectAggregator(16 << 20));
                            p.addLast("handler", new CeilingHandler(hub));
                        }
                    })
                    .bind(host.equalsIgnoreCase("localhost") ? "127.0.0.1" : host, port).sync().channel();
            System.out.println("ceiling-peer listening on " + server.localAddress() + (epoll ? " (epoll)" : " (nio)"));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.close().syncUninterruptibly(),
                    "ceiling-shutdown"));
            server.closeFuture().sync();
            return 0;
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
