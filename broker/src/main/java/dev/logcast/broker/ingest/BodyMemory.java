package dev.logcast.broker.ingest;

/**
 * The broker-wide bound on request-body bytes held at once, as ingest sees it: an inflated gzip body takes its
 * inflated size from it until the request is answered (its compressed bytes were taken before it was read).
 * Thread-safe.
 */
public interface BodyMemory {
    /** No bound (tests and benchmarks that build an {@link IngestService} alone). */
    BodyMemory UNBOUNDED = new BodyMemory() {
        @Override
        public boolean tryReserve(long bytes) {
            return true;
        }

        @Override
        public void release(long bytes) {
        }
    };

    /** Takes {@code bytes} if they fit; false (and nothing taken) if not. */
    boolean tryReserve(long bytes);

    void release(long bytes);
}
