package dev.logcast.broker.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts requests being received or worked on, so a graceful shutdown can wait for them. Thread-safe. */
final class InflightTracker {
    private final AtomicInteger inflight = new AtomicInteger();

    void begin() {
        inflight.incrementAndGet();
    }

    void end() {
        inflight.decrementAndGet();
    }

    int inflight() {
        return inflight.get();
    }

    /** Waits until no request is in flight or the timeout passes; true if none is left. */
    boolean awaitIdle(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (inflight.get() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }
}
