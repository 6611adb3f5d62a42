package dev.logcast.broker.server;

import dev.logcast.broker.auth.Authenticator;
import dev.logcast.broker.auth.HmacAuthenticator;
import dev.logcast.broker.auth.KeyFile;
import dev.logcast.broker.auth.KeyRing;
import dev.logcast.broker.auth.NoneAuthenticator;
import dev.logcast.broker.config.BrokerConfig;
import dev.logcast.broker.config.ConfigKeys;
import dev.logcast.broker.core.BrokerCore;
import dev.logcast.broker.core.Shard;
import dev.logcast.broker.ingest.IngestService;
import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.poll.PollService;
import dev.logcast.broker.stream.StreamService;
import dev.logcast.broker.tls.TlsServerContext;
import dev.logcast.protocol.EventLimits;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The daemon: binds the listener (and, with {@code tls.cert}, the TLS listener beside it), wires the core and the
 * services, and stops gracefully. Only wiring and lifecycle here.
 */
public final class Broker {
    private static final System.Logger LOG = System.getLogger(Broker.class.getName());

    private final BrokerConfig config;
    private final EventLoopGroup bossGroup;
    private final EventLoopGroup ioGroup;
    private final ChannelGroup channels = new DefaultChannelGroup("logcast", GlobalEventExecutor.INSTANCE);
    private final BrokerCore core;
    private final Services services;
    private final BodyBudget bodyBudget;
    private final BrokerMetrics metrics = new BrokerMetrics();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Channel listener;
    private Channel tlsListener;
    private volatile boolean shutdownStarted;
    private final Storage storage;

    private Broker(BrokerConfig config) {
        this.config = config;
        // first: a bad key file stops start-up before any thread exists
        Authenticator authenticator = authenticator(config);
        boolean epoll = Epoll.isAvailable();
        int ioThreads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        this.bossGroup = epoll ? new EpollEventLoopGroup(1, new DefaultThreadFactory("logcast-accept"))
                : new NioEventLoopGroup(1, new DefaultThreadFactory("logcast-accept"));
        this.ioGroup = epoll ? new EpollEventLoopGroup(ioThreads, new DefaultThreadFactory("logcast-io"))
                : new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("logcast-io"));
        this.storage = Storage.open(config, PooledByteBufAllocator.DEFAULT, metrics);
        this.core = new BrokerCore(ioGroup, PooledByteBufAllocator.DEFAULT, config.ringEvents(),
                Math.min(config.ringBytes(), config.retentionBytes()), config.retentionAgeMs(),
                config.ingestQueueEvents(), config.streamHeartbeatMs(), config.streamLingerMs(), storage.firstIdAfter(),
                storage.firstIssuedId(), storage.journal(), storage.replayReader());
        storage.preload(core, config.ringEvents(), Math.min(config.ringBytes(), config.retentionBytes()));
        EventLimits limits = new EventLimits(config.ingestMaxBodyBytes(), config.ingestMaxEvents(),
                (int) Math.min(Integer.MAX_VALUE, config.ingestMaxMsgBytes()), config.ingestMaxAttrs(),
                config.ingestMaxAttrKeyChars(), (int) Math.min(Integer.MAX_VALUE, config.ingestMaxAttrValueBytes()));
        this.bodyBudget = BodyBudget.forThisJvm(config.ingestMaxBodyBytes());
        IngestService ingest = new IngestService(core.sequencer(), limits, metrics, bodyBudget);
        StreamService stream = new StreamService(core.shards(), core.sequencer(), metrics, config.streamRetryMs(),
                config.streamMaxPendingBytes(), core.ticksPerHeartbeat(), config.streamGzip());
        PollService poll = new PollService(core.shards(), core.sequencer(), metrics);
        this.services = new Services(ingest, stream, poll, metrics, authenticator, new InflightTracker(),
                CorsPolicy.of(config.corsOrigins()));
        services.unreadyWhen(storage::failure);
        registerGauges();
    }

    private static Authenticator authenticator(BrokerConfig config) {
        if ("none".equals(config.authMode())) {
            LOG.log(System.Logger.Level.WARNING, "auth.mode=none: ANYONE WHO CAN REACH " + config.bind() + ":"
                    + config.port() + " CAN READ AND WRITE EVERY LOG. Use auth.mode=hmac outside a dev machine.");
            return new NoneAuthenticator();
        }
        Path keys = config.authKeys();
        try {
            String created = KeyFile.createIfMissing(keys, new SecureRandom());
            KeyRing ring = KeyFile.read(keys);
            if (KeyFile.isOpenToOthers(keys)) {
                LOG.log(System.Logger.Level.WARNING, "auth.keys " + keys + " can be read or written by others than"
                        + " its owner; anyone who reads it can mint tokens: chmod 600 " + keys);
            }
            String mint = "; mint a token with: logcast token create --keys " + keys
                    + " --sub me --scope read,write --ttl 24h";
            LOG.log(ring.isEmpty() ? System.Logger.Level.WARNING : System.Logger.Level.INFO, created != null
                    ? "auth.mode=hmac: created the key file " + keys + " (mode 0600) with key " + created + mint
                    : "auth.mode=hmac: " + HmacAuthenticator.describe(ring) + " from " + keys + mint);
            return new HmacAuthenticator(keys, ring, config.get(ConfigKeys.AUTH_CLOCK_SKEW),
                    config.get(ConfigKeys.AUTH_CACHE_SIZE), config.get(ConfigKeys.AUTH_FAILURES_PER_MINUTE));
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            throw new UncheckedIOException(message.startsWith("auth.keys") ? message
                    : "auth.keys " + keys + ": cannot be read or created (" + e + ")", e);
        }
    }

    /**
     * Re-reads what may change without a restart: the key file (a kid that is gone revokes its tokens). Open
     * streams stay open. For SIGHUP; a bad file is logged and the keys in use are kept.
     */
    public void reload() {
        services.authenticator().reload();
    }

    private void registerGauges() {
        Shard[] shards = core.shards().all();
        metrics.counter("logcast_delivered_events", "Events written to live streams", () -> {
            long sum = 0;
            for (Shard s : shards) {
                sum += s.delivered();
            }
            return sum;
        });
        metrics.gauge("logcast_ingest_queue_events", "Events accepted and waiting for the sequencer",
                () -> core.sequencer().queuedEvents());
        metrics.gauge("logcast_shards_congested",
                "I/O loops whose subscribers are too slow for ingest right now (ingest is shed while any is)", () -> {
                    int n = 0;
                    for (Shard s : shards) {
                        n += s.congested() ? 1 : 0;
                    }
                    return n;
                });
        metrics.gauge("logcast_shard_queue_batches", "Batches waiting in the shard queues", () -> {
            long sum = 0;
            for (Shard s : shards) {
                sum += s.backlog();
            }
            return sum;
        });
        metrics.gauge("logcast_retention_events", "Events retained in memory for replay",
                () -> core.sequencer().ringEvents());
        metrics.gauge("logcast_retention_bytes", "Bytes of events retained in memory for replay",
                () -> core.sequencer().ringBytes());
        metrics.gauge("logcast_last_event_id", "The newest event id", () -> core.sequencer().lastId());
        metrics.gauge("logcast_connections", "Open connections", channels::size);
        metrics.gauge("logcast_ingest_body_bytes", "Bytes of request bodies held (received and not answered yet)",
                bodyBudget::used);
    }

    /** Starts a broker and returns when it listens. */
    public static Broker start(BrokerConfig config) throws Exception {
        Broker broker = new Broker(config);
        try {
            broker.bind();
        } catch (Exception e) {
            broker.forceStop();
            throw e;
        }
        return broker;
    }

    private void bind() throws InterruptedException, IOException {
        // read the PEM pair before anything runs: a bad file stops start-up with a message naming tls.cert/tls.key
        TlsServerContext tls = config.tlsCert() == null ? null
                : TlsServerContext.load(config.tlsCert(), config.tlsKey());
        storage.start(core.sequencer());
        core.start();
        Class<? extends ServerChannel> channelClass = Epoll.isAvailable()
                ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(bossGroup, ioGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client's half-close still gets the answers to what it sent (HttpRouter closes after them)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(initializer(null));
        listener = listen(bootstrap, config.port(), "bind, port");
        LOG.log(System.Logger.Level.INFO, "logcast listening on http://" + urlHost(config.bind()) + ":" + port()
                + " (storage=" + config.storage() + ", auth.mode=" + config.authMode() + ", "
                + (Epoll.isAvailable() ? "epoll" : "nio") + ")");
        if (tls != null) {
            // no half-closure under TLS: a peer's close_notify ends the session
            tlsListener = listen(bootstrap.clone().childOption(ChannelOption.ALLOW_HALF_CLOSURE, false)
                    .childHandler(initializer(tls)), config.tlsPort(), "tls.port");
            LOG.log(System.Logger.Level.INFO, "logcast listening on https://" + urlHost(config.bind()) + ":"
                    + tlsPort() + " (" + tls.describe() + ")");
        }
    }

    private BrokerInitializer initializer(TlsServerContext tls) {
        return new BrokerInitializer(services, channels, config.httpMaxInitialLine(), config.httpMaxHeaderBytes(),
                config.ingestMaxBodyBytes(), config.httpRequestTimeoutMs(), config.httpIdleTimeoutMs(), tls, bodyBudget);
    }

    /** Binds {@code bootstrap} to {@code bind} and {@code port}; a failure names {@code keys}, which chose them. */
    private Channel listen(ServerBootstrap bootstrap, int port, String keys) throws InterruptedException, IOException {
        try {
            return bootstrap.bind(new InetSocketAddress(config.bind(), port)).sync().channel();
        } catch (Exception e) { // sync() rethrows the bind's own exception (BindException) undeclared
            if (e instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw new IOException(keys + ": cannot listen on " + urlHost(config.bind()) + ":" + port + ": "
                    + (e instanceof UnresolvedAddressException
                    ? "bind is not an address of this machine or a name that resolves" : e.getMessage()), e);
        }
    }

    private static String urlHost(String host) {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** The port it listens on (useful with {@code port=0}). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The TLS port it listens on (useful with {@code tls.port=0}), or -1 when {@code tls.cert} is not set. */
    public int tlsPort() {
        return tlsListener == null ? -1 : ((InetSocketAddress) tlsListener.localAddress()).getPort();
    }

    /**
     * Graceful stop, bounded by {@code shutdown.grace}: stop accepting, let in-flight requests finish, sequence
     * what was accepted, send each stream a final comment, close. Blocks until done; idempotent.
     */
    public void shutdown() {
        synchronized (this) {
            if (shutdownStarted) {
                awaitQuietly();
                return;
            }
            shutdownStarted = true;
        }
        long graceMs = config.shutdownGraceMs();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMs);
        try {
            LOG.log(System.Logger.Level.INFO, "shutting down (grace " + graceMs + " ms)");
            services.startDraining();
            core.beginDraining();
            closeListener(listener);
            closeListener(tlsListener);
            awaitIoPass(deadline);
            // in-flight requests finish; a bit of the grace is kept for the streams' goodbyes
            services.inflight().awaitIdle(Math.max(0, remainingMs(deadline) - Math.min(1_000, graceMs / 4)));
            core.stop(Math.max(100, remainingMs(deadline) - 200));
            channels.close().awaitUninterruptibly(Math.max(50, remainingMs(deadline)), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            forceStop();
        }
    }

    /**
     * Waits until every I/O loop has polled its sockets once more and read what was ready, so that a request whose
     * first bytes reached its connection before the listener closed counts as in flight before the shutdown waits for
     * what is in flight. (Without it a loop that had not yet read such a request when the count reached zero lost it:
     * its connection was closed unanswered.) A task that a loop schedules for itself is moved to its task queue only
     * at the start of its next task pass, which comes after its next poll of the sockets; Netty's epoll and NIO
     * loops alike.
     */
    private void awaitIoPass(long deadline) {
        List<Promise<Void>> passes = new ArrayList<>();
        for (EventExecutor loop : ioGroup) {
            Promise<Void> pass = loop.newPromise();
            loop.execute(() -> loop.schedule(() -> pass.trySuccess(null), 0, TimeUnit.NANOSECONDS));
            passes.add(pass);
        }
        for (Promise<Void> pass : passes) {
            pass.awaitUninterruptibly(Math.max(1, remainingMs(deadline)));
        }
    }

    private static void closeListener(Channel listener) {
        if (listener != null) {
            listener.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private void forceStop() {
        bossGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        ioGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        // the sequencer has stopped (or given up): flush and fsync what was acknowledged
        storage.close();
        core.release();
        LOG.log(System.Logger.Level.INFO, "stopped");
        terminated.countDown();
    }

    private void awaitQuietly() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public BrokerMetrics metrics() {
        return metrics;
    }
}
