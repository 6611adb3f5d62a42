package dev.logcast.broker.server;

import dev.logcast.broker.ingest.BodyMemory;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies the broker holds at once, over every connection: from the first byte of a body until
 * its answer is written (its buffer, then its decoded events while they wait for the sequencer and the journal).
 * A body that does not fit is refused with 503 and {@code Retry-After} before it is buffered, so that many clients
 * sending large bodies at once (or holding them half-sent) cannot exhaust the direct memory or the heap. Thread-safe.
 */
final class BodyBudget implements BodyMemory {
    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /**
     * The budget for this JVM: a quarter of the heap or half of the direct memory, whichever is less (a body's
     * buffer is direct; its decoded events take a few times its size on the heap), and at least two bodies of
     * {@code maxBodyBytes}, so that the largest request allowed can always be taken alone (a gzip body's inflated
     * bytes count too).
     */
    static BodyBudget forThisJvm(long maxBodyBytes) {
        long limit = Math.min(Runtime.getRuntime().maxMemory() / 4, PlatformDependent.maxDirectMemory() / 2);
        return new BodyBudget(Math.max(2 * maxBodyBytes, limit));
    }

    @Override
    public boolean tryReserve(long bytes) {
        if (bytes <= 0) {
            return true;
        }
        while (true) {
            long now = used.get();
            if (now + bytes > limitBytes) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    @Override
    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limitBytes;
    }

    /** The cause a refused body's request carries to the router, which answers 503 with {@code Retry-After}. */
    static final class OverBudgetException extends Exception {
        OverBudgetException() {
            super("the broker holds as many request bodies as it may; retry later", null, false, false);
        }
    }
}
