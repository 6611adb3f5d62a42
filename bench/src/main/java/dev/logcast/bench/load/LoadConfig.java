package dev.logcast.bench.load;

import java.time.Duration;

/**
 * One run's parameters, validated by the command that builds it.
 *
 * @param target           which broker
 * @param host             a loopback address literal or {@code localhost}
 * @param port             the broker's port
 * @param branch           logcast branch and nchan channel id
 * @param subscribers      SSE connections to hold
 * @param publishers       publishing connections
 * @param eventsPerPost    K: logcast sends K events in one POST, nchan K POSTs back to back
 * @param rate             events per second over all publishers, 0 for closed loop
 * @param inflight         batches of K events in flight per publisher connection
 * @param duration         measured window after warm-up (idle mode: how long to hold the streams)
 * @param warmup           time before the window; no latency is recorded for events sent in it
 * @param drain            after publishing stops, how long to wait for answers and then for deliveries
 * @param maxEvents        cap on events published in the whole run
 * @param eventBytes       size of one event's JSON text
 * @param idle             hold the streams without publishing and report memory per stream
 * @param serverPid        broker process to sample (0: none)
 * @param token            bearer token sent to logcast (null: none)
 * @param connectInFlight  subscriber connects in progress at once
 */
public record LoadConfig(
        Target target,
        String host,
        int port,
        String branch,
        int subscribers,
        int publishers,
        int eventsPerPost,
        long rate,
        int inflight,
        Duration duration,
        Duration warmup,
        Duration drain,
        long maxEvents,
        int eventBytes,
        boolean idle,
        long serverPid,
        String token,
        int connectInFlight) {

    /** The {@code Host} header value. */
    String hostHeader() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
