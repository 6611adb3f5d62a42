package dev.logcast.bench.load;

/**
 * The broker a run points at: where it publishes and subscribes, and which answers acknowledge a publish.
 * Every target gets the same event bytes; only the HTTP framing around them differs.
 */
public enum Target {
    /** logcast: {@code POST /v1/logs} (NDJSON, K events a POST), {@code GET /v1/stream?branch=B}. */
    LOGCAST(17070),
    /** nginx + nchan: {@code POST /pub?id=B} (one message a POST), {@code GET /sub/B}. */
    NCHAN(18080),
    /**
     * The best-case Netty peer ({@code dev.logcast.bench.ceiling.CeilingPeer}): logcast's paths and bodies, no
     * parsing, no storage. What this machine allows a broker on Netty.
     */
    CEILING(17071);

    private final int defaultPort;

    Target(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Whether the target takes logcast's requests ({@code POST /v1/logs} of K NDJSON lines, its stream path). */
    boolean speaksLogcast() {
        return this != NCHAN;
    }

    /** Request target of the SSE subscription. */
    String subscribePath(String branch) {
        return speaksLogcast() ? "/v1/stream?branch=" + branch : "/sub/" + branch;
    }

    /** Whether {@code status} means the broker took the publish (logcast and the ceiling: 202; nchan: 201 or 202). */
    boolean acknowledges(int status) {
        return speaksLogcast() ? status == 202 : status == 201 || status == 202;
    }

    /** Whether {@code status} is the broker shedding load rather than refusing the request. */
    static boolean isBackPressure(int status) {
        return status == 429 || status == 503;
    }
}
