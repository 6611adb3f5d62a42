package dev.logcast.broker.it.streamsupport;

import dev.logcast.broker.testing.BrokerFixture;
import java.io.IOException;
import java.net.http.HttpResponse;

/** Reads one series of the broker's {@code GET /metrics} (Prometheus text format). */
public final class Metrics {
    private Metrics() {
    }

    /**
     * The value of the sample named exactly {@code series} (with its labels, if any, as written, e.g.
     * {@code logcast_rejected_total{reason="bad_request"}}), or {@code NaN} when absent.
     */
    public static double value(BrokerFixture broker, String series) throws IOException, InterruptedException {
        HttpResponse<String> r = broker.get("/metrics");
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode());
        }
        for (String line : r.body().split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]);
            }
        }
        return Double.NaN;
    }

    /** Waits until the series has the value; fails with the last value seen. */
    public static void await(BrokerFixture broker, String series, double expected, long timeoutMs)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        double v;
        while ((v = value(broker, series)) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(series + " is " + v + ", not " + expected + ", after " + timeoutMs + " ms");
            }
            Thread.sleep(20);
        }
    }
}
