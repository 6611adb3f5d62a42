package dev.logcast.broker.core;

import java.io.IOException;
import java.util.List;

/**
 * What the sequencer needs of durable storage ({@code storage=disk}). The journal package implements it; with
 * {@code storage=memory} there is none and cycles are published as soon as they are sequenced.
 */
public interface EventJournal {
    /** What {@link #store} did with a cycle. */
    enum Stored {
        /** Stored on the calling thread, as durable as the policy promises: no outcome follows. */
        NOW,
        /**
         * Queued: the outcome arrives later, on any thread, as {@link Sequencer#cycleDurable(Cycle)} or
         * {@link Sequencer#cycleFailed(Cycle, Exception)}.
         */
        QUEUED,
        /** Not taken (the journal is stopping): the sequencer fails the cycle itself. */
        REFUSED
    }

    /**
     * Stores a cycle's events. Sequencer thread only.
     *
     * @param mayStoreNow whether the cycle may be stored on the calling thread ({@link Stored#NOW}); the sequencer
     *                    allows it only when no earlier cycle still waits for its outcome, so that cycles are
     *                    published in id order
     */
    Stored store(Cycle cycle, boolean mayStoreNow);

    /** Cycles handed to {@link #store} and not answered yet. Any thread. */
    int backlog();

    /** Oldest stored id, 0 when empty. Any thread. */
    long firstId();

    /** Newest id that {@link #read} can return. Any thread. */
    long committedId();

    /**
     * Reads stored events with ids greater than {@code afterId} and at most {@code upToId}, at most
     * {@code maxEvents} matching ones and about {@code maxBytes} of frames, encoded as records (the caller owns
     * their frames). Any thread but an event loop: this reads files.
     *
     * @param lost gets {@code {from, to}} of ids the read had to pass without reading them (journal damage, a
     *             missing segment), before every event it returns; stays {@code {0, 0}} if none
     * @return the id of the last record looked at ({@code afterId} if none): the next read resumes after it
     */
    long read(long afterId, long upToId, int maxEvents, long maxBytes, EventFilter filter, List<EventRecord> out,
              long[] lost) throws IOException;

    /**
     * Where {@code tail=n} starts among the stored events below {@code beforeId} (those older than the memory
     * ring): the id after which the newest {@code n} that match {@code filter} begin; {@code beforeId - 1} when none
     * does. It looks back through a bounded number of records. Any thread but an event loop: this reads files.
     */
    long tailStart(long beforeId, long n, EventFilter filter) throws IOException;
}
