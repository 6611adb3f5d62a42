package dev.logcast.broker.server;

import dev.logcast.broker.auth.Authenticator;
import dev.logcast.broker.ingest.IngestService;
import dev.logcast.broker.metrics.BrokerMetrics;
import dev.logcast.broker.poll.PollService;
import dev.logcast.broker.stream.StreamService;
import java.util.function.Supplier;

/**
 * The broker-wide services a connection's handlers reach. Immutable but for the draining flag, which the
 * shutdown sets once.
 */
final class Services {
    private final IngestService ingest;
    private final StreamService stream;
    private final PollService poll;
    private final BrokerMetrics metrics;
    private final Authenticator authenticator;
    private final InflightTracker inflight;
    private final CorsPolicy cors;
    private volatile boolean draining;
    private volatile long drainingSinceNanos;
    /** Why the broker cannot take writes right now (the journal failing), or null; set once at start-up. */
    private volatile Supplier<String> unready = () -> null;

    /** Without CORS: no origin is allowed. */
    Services(IngestService ingest, StreamService stream, PollService poll, BrokerMetrics metrics,
             Authenticator authenticator, InflightTracker inflight) {
        this(ingest, stream, poll, metrics, authenticator, inflight, CorsPolicy.NONE);
    }

    Services(IngestService ingest, StreamService stream, PollService poll, BrokerMetrics metrics,
             Authenticator authenticator, InflightTracker inflight, CorsPolicy cors) {
        this.cors = cors;
        this.ingest = ingest;
        this.stream = stream;
        this.poll = poll;
        this.metrics = metrics;
        this.authenticator = authenticator;
        this.inflight = inflight;
    }

    IngestService ingest() {
        return ingest;
    }

    StreamService stream() {
        return stream;
    }

    PollService poll() {
        return poll;
    }

    BrokerMetrics metrics() {
        return metrics;
    }

    Authenticator authenticator() {
        return authenticator;
    }

    InflightTracker inflight() {
        return inflight;
    }

    CorsPolicy cors() {
        return cors;
    }

    /** Why {@code /readyz} should say 503 besides draining (the journal cannot store events), or null. */
    String unreadyReason() {
        return unready.get();
    }

    void unreadyWhen(Supplier<String> reason) {
        this.unready = reason;
    }

    boolean draining() {
        return draining;
    }

    /** When draining started ({@link System#nanoTime}); meaningful once {@link #draining()}. */
    long drainingSinceNanos() {
        return drainingSinceNanos;
    }

    void startDraining() {
        drainingSinceNanos = System.nanoTime();
        draining = true;
    }
}
