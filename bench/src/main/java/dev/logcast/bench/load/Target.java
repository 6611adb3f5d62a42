package dev.logcast.bench.load;

/**
 * The broker a run points at: where it publishes and subscribes, and which answers acknowledge a publish.
 * Both targets get the same event bytes; only the HTTP framing around them differs.
 */
public enum Target {
    /** logcast: {@code POST /v1/logs} (NDJSON, K events a POST), {@code GET /v1/stream?branch=B}. */
    LOGCAST(17070),
    /** nginx + nchan: {@code POST /pub?id=B} (one message a POST), {@code GET /sub/B}. */
    NCHAN(18080);

    private final int defaultPort;

    Target(int defaultPort) {
        this.defaultPort = defaultPort;
    }

    public int defaultPort() {
        return defaultPort;
    }

    /** Request target of the SSE subscription. */
    String subscribePath(String branch) {
        return this == LOGCAST ? "/v1/stream?branch=" + branch : "/sub/" + branch;
    }

    /** Whether {@code status} means the broker took the publish (logcast: 202; nchan: 201 or 202). */
    boolean acknowledges(int status) {
        return this == LOGCAST ? status == 202 : status == 201 || status == 202;
    }

    /** Whether {@code status} is the broker shedding load rather than refusing the request. */
    static boolean isBackPressure(int status) {
        return status == 429 || status == 503;
    }
}
