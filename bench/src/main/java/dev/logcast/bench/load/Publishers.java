package dev.logcast.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Drives the publisher connections: closed loop (each connection keeps {@code --inflight} batches outstanding, refilled
 * as answers arrive) or paced (a 1 ms tick sends what the rate schedule owes, round robin over connections with room).
 * Publishing stops at the run's end or at {@code --max-events}; then it waits for the outstanding answers.
 *
 * <p><b>Owner:</b> one event loop; {@link #connect()} and {@link #start} may be called from any thread and hand over to
 * it. Results are read through the returned futures only.
 */
final class Publishers {
    private static final long ACK_LATENCY_MAX_NANOS = 20L * 60 * 1_000_000_000L;
    /** POST to acknowledgement, for POSTs sent after warm-up; owned by the publishers' loop. */
    private final org.HdrHistogram.Histogram ackLatency = new org.HdrHistogram.Histogram(ACK_LATENCY_MAX_NANOS, 3);


    private static final long BACK_PRESSURE_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long RECONNECT_DELAY_MS = 50;

    private final LoadConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final RequestTemplate[] templates;
    private final PublisherConnection[] connections;
    private final long[] nextSeq;
    private final AckedEvents acked;
    private final Runnable onStop;
    private final int eventsPerBatch;
    private final CompletableFuture<Long> stopped = new CompletableFuture<>();
    private final CompletableFuture<PublishResult> drained = new CompletableFuture<>();

    private RunClock clock;
    private boolean running;
    private long publishEnd;
    private long sentEvents;
    private long sentBatches;
    private long ackedInWindow;
    private long rejected;
    private long errors;
    private long unanswered;
    private long reconnects;
    private long maxBehindEvents;
    private String firstError;
    private int roundRobin;
    private ScheduledFuture<?> tick;
    private ScheduledFuture<?> stopTask;

    /**
     * @param onStop run on this loop the moment publishing stops (the subscribers snapshot their window with it)
     */
    Publishers(LoadConfig config, EventLoop loop, Transport transport, int nonce, Runnable onStop) {
        this.config = config;
        this.loop = loop;
        this.onStop = onStop;
        int p = config.publishers();
        this.templates = new RequestTemplate[p];
        for (int i = 0; i < p; i++) {
            templates[i] = RequestTemplate.of(config, EventLayout.of(config.branch(), config.eventBytes(), nonce, i));
        }
        this.eventsPerBatch = templates[0].eventsPerBatch;
        this.connections = new PublisherConnection[p];
        this.nextSeq = new long[p];
        this.acked = new AckedEvents(p);
        this.bootstrap = transport.bootstrap(loop, 5000);
    }

    /** Opens every publisher connection; completes when all are open, exceptionally if one fails. */
    CompletableFuture<Void> connect() {
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(connections.length);
        for (int i = 0; i < connections.length; i++) {
            open(i).addListener(f -> {
                if (!f.isSuccess()) {
                    all.completeExceptionally(f.cause());
                } else if (pending.decrementAndGet() == 0) {
                    all.complete(null);
                }
            });
        }
        return all;
    }

    private ChannelFuture open(int index) {
        PublisherConnection connection = new PublisherConnection(this, index, templates[index], config.inflight());
        ChannelFuture future = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(connection);
            }
        }).connect(config.host(), config.port());
        connections[index] = connection;
        return future;
    }

    /** Starts publishing on the loop at {@code clock.start()}. */
    void start(RunClock clock) {
        loop.execute(() -> {
            this.clock = clock;
            running = true;
            stopTask = loop.schedule(() -> stop(System.nanoTime()),
                    Math.max(0, clock.runEnd() - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (config.rate() > 0) {
                tick = loop.scheduleAtFixedRate(this::tick, 0, 1, TimeUnit.MILLISECONDS);
            } else {
                for (PublisherConnection c : connections) {
                    refill(c);
                    c.flush();
                }
            }
        });
    }

    /** Completes with the nanoTime at which publishing stopped. */
    CompletableFuture<Long> stopped() {
        return stopped;
    }

    /** Completes once every answer is in, or the drain time after the stop ran out. */
    CompletableFuture<PublishResult> drained() {
        return drained;
    }

    private void tick() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        long dueBatches = (long) ((now - clock.start()) / 1e9 * config.rate() / eventsPerBatch);
        while (running && sentBatches < dueBatches) {
            PublisherConnection c = nextWithRoom(now);
            if (c == null) {
                maxBehindEvents = Math.max(maxBehindEvents, (dueBatches - sentBatches) * eventsPerBatch);
                break;
            }
            sendBatch(c, now);
        }
        for (PublisherConnection c : connections) {
            c.flush();
        }
    }

    private PublisherConnection nextWithRoom(long now) {
        for (int i = 0; i < connections.length; i++) {
            PublisherConnection c = connections[roundRobin];
            roundRobin = (roundRobin + 1) % connections.length;
            if (c.hasRoomForBatch() && now >= c.pausedUntilNanos) {
                return c;
            }
        }
        return null;
    }

    /** Closed loop: tops {@code c} up to its in-flight cap. Called after each read batch and at start. */
    void refill(PublisherConnection c) {
        if (!running || config.rate() > 0 || !c.wantsRefill()) {
            return;
        }
        while (running && c.hasRoomForBatch() && System.nanoTime() >= c.pausedUntilNanos) {
            sendBatch(c, System.nanoTime());
        }
    }

    private void sendBatch(PublisherConnection c, long now) {
        if (sentEvents + eventsPerBatch > config.maxEvents()) {
            stop(now);
            return;
        }
        long seq = nextSeq[c.index];
        nextSeq[c.index] = seq + eventsPerBatch;
        sentEvents += eventsPerBatch;
        sentBatches++;
        c.send(seq, now, now - clock.timeBase());
    }

    void onAnswer(PublisherConnection c, int status, long firstSeq, long sentNanos,
                  ByteBuf in, int bodyStart, int bodyLength) {
        if (drained.isDone()) {
            return;
        }
        int n = c.template.eventsPerPost;
        if (config.target().acknowledges(status)) {
            acked.add(c.index, firstSeq, n);
            if (sentNanos >= clock.warmupEnd()) {
                ackedInWindow += n;
                ackLatency.recordValue(Math.min(ACK_LATENCY_MAX_NANOS, Math.max(1, System.nanoTime() - sentNanos)));
            }
        } else if (Target.isBackPressure(status)) {
            rejected += n;
            long now = System.nanoTime();
            if (c.pausedUntilNanos <= now) {
                c.pausedUntilNanos = now + BACK_PRESSURE_PAUSE_NANOS;
                loop.schedule(() -> {
                    refill(c);
                    c.flush();
                }, BACK_PRESSURE_PAUSE_NANOS, TimeUnit.NANOSECONDS);
            }
        } else {
            errors += n;
            if (firstError == null) {
                firstError = "HTTP " + status + " " + in.toString(bodyStart, Math.min(bodyLength, 200),
                        StandardCharsets.UTF_8).strip();
            }
        }
        if (!running) {
            drainedIfQuiet();
        }
    }

    void onUnexpectedResponse(int status) {
        errors++;
        if (firstError == null) {
            firstError = "HTTP " + status + " with no request outstanding";
        }
    }

    void onClosed(PublisherConnection c, long unansweredEvents) {
        if (drained.isDone() || connections[c.index] != c) {
            return;
        }
        unanswered += unansweredEvents;
        if (running) {
            reconnects++;
            loop.schedule(() -> {
                if (running) {
                    open(c.index);
                }
            }, RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
        } else {
            drainedIfQuiet();
        }
    }

    void onError(Throwable cause) {
        if (firstError == null) {
            firstError = cause.toString();
        }
    }

    private void stop(long now) {
        if (!running) {
            return;
        }
        running = false;
        publishEnd = now;
        stopTask.cancel(false);
        if (tick != null) {
            tick.cancel(false);
        }
        for (PublisherConnection c : connections) {
            c.flush();
        }
        onStop.run();
        stopped.complete(now);
        loop.schedule(this::finishDrain, config.drain().toNanos(), TimeUnit.NANOSECONDS);
        drainedIfQuiet();
    }

    private void drainedIfQuiet() {
        for (PublisherConnection c : connections) {
            if (c.postsInFlight() > 0 && c.isActive()) {
                return;
            }
        }
        finishDrain();
    }

    private void finishDrain() {
        if (drained.isDone()) {
            return;
        }
        for (PublisherConnection c : connections) {
            unanswered += (long) c.postsInFlight() * c.template.eventsPerPost;
        }
        PublishResult result = new PublishResult(acked, sentEvents, ackedInWindow, publishEnd, rejected, errors,
                unanswered, reconnects, maxBehindEvents, firstError, ackLatency);
        drained.complete(result);
        for (PublisherConnection c : connections) {
            c.close();
        }
    }
}
