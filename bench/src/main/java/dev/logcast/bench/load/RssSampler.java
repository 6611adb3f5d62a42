package dev.logcast.bench.load;

import java.util.concurrent.TimeUnit;

/**
 * Samples the broker's resident memory every 200 ms on a daemon thread and keeps the peak.
 *
 * <p>Thread-safe: {@link #peakKiB()} may be read from any thread.
 */
final class RssSampler implements AutoCloseable {

    private static final long PERIOD_MS = 200;

    private final ServerProcess server;
    private final Thread thread;
    private volatile long peakKiB;
    private volatile boolean stopped;

    RssSampler(ServerProcess server) {
        this.server = server;
        this.thread = new Thread(this::run, "loadgen-rss");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopped) {
            sample();
            try {
                TimeUnit.MILLISECONDS.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Takes a sample now and returns it. */
    long sample() {
        long kib = server.rssKiB();
        synchronized (this) {
            peakKiB = Math.max(peakKiB, kib);
        }
        return kib;
    }

    long peakKiB() {
        return peakKiB;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
