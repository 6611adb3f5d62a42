package dev.logcast.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Holds the SSE subscribers on one event loop: opens them with a bounded number of connects in progress, reconnects
 * streams that close during the run (with {@code Last-Event-ID}), checks each delivery against its publisher's
 * sequence and records publish-to-deliver latency in one HdrHistogram.
 *
 * <p><b>Owner:</b> one event loop. The methods that return futures may be called from any thread and hand over to it;
 * the {@code on*} callbacks come from the handlers on that loop.
 */
final class Subscribers {

    /** Latency histogram range: 1 ns to 20 minutes, 3 significant digits. */
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(20);
    private static final long RECONNECT_DELAY_MS = 100;
    private static final long COMPLETE_CHECK_MS = 20;

    private final LoadConfig config;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int nonce;
    private final SubscriberState[] states;
    private final byte[] request;
    private final Histogram latency = new Histogram(MAX_LATENCY_NANOS, 3);
    private final CompletableFuture<Integer> allSettled = new CompletableFuture<>();

    private long timeBase;
    private long warmupEnd = Long.MAX_VALUE;
    private boolean connecting;
    private int nextToConnect;
    private int connectsInProgress;
    private int subscribed;
    private int failed;
    private int open;
    private boolean closing;
    private long delivered;
    private long deliveredAfterWarmup;
    private long deliveredInWindow = -1;
    private long windowNanos;
    private long foreign;
    private long malformed;
    private long overflows;
    private long gaps;
    private long reconnects;
    private String firstError;

    Subscribers(LoadConfig config, EventLoop loop, Transport transport, int nonce) {
        this.config = config;
        this.loop = loop;
        this.nonce = nonce;
        this.states = new SubscriberState[config.subscribers()];
        for (int i = 0; i < states.length; i++) {
            states[i] = new SubscriberState(i, config.publishers());
        }
        String auth = config.token() == null || !config.target().speaksLogcast()
                ? "" : "Authorization: Bearer " + config.token() + "\r\n";
        this.request = ("GET " + config.target().subscribePath(config.branch()) + " HTTP/1.1\r\nHost: "
                + config.hostHeader() + "\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n" + auth + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        this.bootstrap = transport.bootstrap(loop, 10_000);
    }

    /** Opens every subscriber; completes with how many got a 200 once each first attempt has settled. */
    CompletableFuture<Integer> connectAll() {
        loop.execute(() -> {
            connecting = true;
            settledCheck();
            connectMore();
        });
        return allSettled;
    }

    /** Sets the time base and the end of warm-up; from then on latency is recorded. */
    CompletableFuture<Void> startWindow(RunClock clock) {
        return CompletableFuture.runAsync(() -> {
            timeBase = clock.timeBase();
            warmupEnd = clock.warmupEnd();
        }, loop);
    }

    /** Closes the delivery window now; callable from any thread (the publishers' loop calls it when it stops). */
    void markStopOnLoop() {
        loop.execute(this::markStop);
    }

    private void markStop() {
        if (deliveredInWindow < 0) {
            deliveredInWindow = deliveredAfterWarmup;
            windowNanos = System.nanoTime() - warmupEnd;
        }
    }

    /** Completes when every subscriber has every acknowledged event, or at {@code deadlineNanos}. */
    CompletableFuture<Void> awaitDelivered(AckedEvents acked, long deadlineNanos) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> checkDelivered(acked, deadlineNanos, done));
        return done;
    }

    private void checkDelivered(AckedEvents acked, long deadlineNanos, CompletableFuture<Void> done) {
        boolean all = true;
        for (SubscriberState s : states) {
            if (s.everSubscribed && !s.tracker.complete(acked)) {
                all = false;
                break;
            }
        }
        if (all || System.nanoTime() >= deadlineNanos) {
            done.complete(null);
        } else {
            loop.schedule(() -> checkDelivered(acked, deadlineNanos, done), COMPLETE_CHECK_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops counting, closes every stream and sums up, against {@code acked} (null in idle mode). */
    CompletableFuture<SubscribeResult> finish(AckedEvents acked) {
        return CompletableFuture.supplyAsync(() -> {
            closing = true;
            markStop();
            long lost = 0;
            long duplicated = 0;
            long reordered = 0;
            for (SubscriberState s : states) {
                duplicated += s.tracker.duplicates;
                reordered += s.tracker.reordered;
                if (acked != null && s.everSubscribed) {
                    lost += s.tracker.lost(acked);
                }
            }
            SubscribeResult result = new SubscribeResult(subscribed, failed, delivered, deliveredInWindow, windowNanos,
                    lost, duplicated, reordered, foreign, malformed, overflows, gaps, reconnects, open, latency.copy(),
                    firstError);
            for (SubscriberState s : states) {
                if (s.channel != null) {
                    s.channel.close();
                }
            }
            return result;
        }, loop);
    }

    /** Streams open now. */
    CompletableFuture<Integer> openStreams() {
        return CompletableFuture.supplyAsync(() -> open, loop);
    }

    private void connectMore() {
        while (connecting && connectsInProgress < config.connectInFlight() && nextToConnect < states.length
                && !closing) {
            connectsInProgress++;
            connect(states[nextToConnect++]);
        }
    }

    private void connect(SubscriberState state) {
        ChannelFuture future = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new SseSubscriber(Subscribers.this, state));
            }
        }).connect(config.host(), config.port());
        state.channel = future.channel();
        future.addListener(f -> {
            if (!f.isSuccess()) {
                onError(f.cause());
                if (!state.initialSettled) {
                    settle(state, false);
                } else {
                    reconnectLater(state);
                }
            }
        });
    }

    byte[] subscribeRequest(SubscriberState state) {
        if (state.lastIdLength == 0) {
            return request;
        }
        byte[] header = ("Last-Event-ID: " + new String(state.lastId, 0, state.lastIdLength,
                StandardCharsets.UTF_8) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] withId = Arrays.copyOf(request, request.length - 2 + header.length);
        System.arraycopy(header, 0, withId, request.length - 2, header.length);
        return withId;
    }

    void onSubscribed(SubscriberState state) {
        open++;
        state.everSubscribed = true;
        if (!state.initialSettled) {
            settle(state, true);
        }
    }

    void onRefused(SubscriberState state, int status) {
        state.refused = true;
        if (firstError == null) {
            firstError = "subscribe refused: HTTP " + status;
        }
        if (!state.initialSettled) {
            settle(state, false);
        }
    }

    void onInactive(SubscriberState state, boolean wasSubscribed) {
        if (wasSubscribed) {
            open--;
        }
        if (closing || state.refused) {
            return;
        }
        if (!state.initialSettled) {
            settle(state, false);
        } else if (state.everSubscribed) {
            reconnects++;
            reconnectLater(state);
        }
    }

    private void reconnectLater(SubscriberState state) {
        loop.schedule(() -> {
            if (!closing) {
                connect(state);
            }
        }, RECONNECT_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private void settle(SubscriberState state, boolean ok) {
        state.initialSettled = true;
        connectsInProgress--;
        if (ok) {
            subscribed++;
        } else {
            failed++;
        }
        connectMore();
        settledCheck();
    }

    private void settledCheck() {
        if (subscribed + failed == states.length) {
            allSettled.complete(subscribed);
        }
    }

    void onDelivery(SubscriberState state, long eventNonce, long publisher, long seq, long time, long nowNanos) {
        if (closing) {
            return;
        }
        if (eventNonce != nonce || publisher >= config.publishers()) {
            foreign++;
            return;
        }
        if (state.tracker.onDelivery((int) publisher, seq) == DeliveryTracker.DUPLICATE) {
            return;
        }
        delivered++;
        if (nowNanos >= warmupEnd) {
            deliveredAfterWarmup++;
            long sentNanos = timeBase + time;
            if (sentNanos >= warmupEnd) {
                latency.recordValue(Math.min(MAX_LATENCY_NANOS, Math.max(0, nowNanos - sentNanos)));
            }
        }
    }

    void onEventType(byte first) {
        if (first == 'o') {
            overflows++;
        } else if (first == 'g') {
            gaps++;
        }
    }

    void onMalformed() {
        malformed++;
    }

    void onError(Throwable cause) {
        if (firstError == null) {
            firstError = cause.toString();
        }
    }
}
