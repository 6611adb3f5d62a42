package dev.logcast.broker.core;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Wires the core: one {@link Shard} per I/O event loop, the {@link RetentionRing} and the {@link Sequencer}.
 * Only construction and lifecycle here; the work is in those classes.
 */
public final class BrokerCore {
    /** How often retained events are checked against {@code retention.age}. */
    private static final long HOUSEKEEPING_MS = 100;
    private final ShardMap shards;
    private final Sequencer sequencer;
    private final RetentionRing ring;
    private final long tickMs;
    private final int ticksPerHeartbeat;

    /** A core with no journal ({@code storage=memory}); ids continue after {@code firstIdAfter}. */
    public BrokerCore(EventLoopGroup ioGroup, ByteBufAllocator alloc, int ringEvents, long ringBytes,
                      long retentionAgeMs, long maxQueuedEvents, long heartbeatMs, long firstIdAfter) {
        this(ioGroup, alloc, ringEvents, ringBytes, retentionAgeMs, maxQueuedEvents, heartbeatMs, 0, firstIdAfter,
                firstIdAfter + 1, null, null);
    }

    /**
     * @param lingerMs      how long a shard woken soon after its last step waits for more ({@code stream.linger})
     * @param firstIdAfter  ids continue after this one
     * @param firstIssuedId the oldest id ever given out (a resume from 0 gets no gap below it)
     * @param journal       durable storage, or {@code null}
     * @param replayReader  the thread that reads the journal for old replays, or {@code null}
     */
    public BrokerCore(EventLoopGroup ioGroup, ByteBufAllocator alloc, int ringEvents, long ringBytes,
                      long retentionAgeMs, long maxQueuedEvents, long heartbeatMs, long lingerMs, long firstIdAfter,
                      long firstIssuedId, EventJournal journal, Executor replayReader) {
        List<Shard> list = new ArrayList<>();
        for (EventExecutor executor : ioGroup) {
            list.add(new Shard(list.size(), (EventLoop) executor, TimeUnit.MILLISECONDS.toNanos(lingerMs)));
        }
        Shard[] array = list.toArray(new Shard[0]);
        this.shards = new ShardMap(array);
        RetentionRing ring = new RetentionRing(ringEvents, ringBytes, retentionAgeMs);
        this.ring = ring;
        this.sequencer = new Sequencer(array, ring, alloc, maxQueuedEvents, firstIdAfter, firstIssuedId, journal,
                replayReader);
        // heartbeats go out between 0.9 and 1.0 heartbeat intervals after the last write
        this.tickMs = Math.max(10, Math.min(1_000, heartbeatMs / 10));
        this.ticksPerHeartbeat = (int) Math.max(1, heartbeatMs / tickMs);
    }

    /**
     * Fills the ring with stored events before start (after a restart, so that {@code tail} and recent resumes
     * are served from memory). Ids must increase and be at most the id the sequence continues after.
     */
    public void preload(List<EventRecord> records) {
        for (EventRecord record : records) {
            ring.append(record);
        }
        sequencer.ringSizeChanged();
    }

    public void start() {
        for (Shard shard : shards.all()) {
            shard.startTicker(tickMs);
        }
        sequencer.start();
        Shard first = shards.all()[0];
        first.loop().scheduleAtFixedRate(sequencer::housekeep, HOUSEKEEPING_MS, HOUSEKEEPING_MS,
                TimeUnit.MILLISECONDS);
    }

    public ShardMap shards() {
        return shards;
    }

    public Sequencer sequencer() {
        return sequencer;
    }

    public int ticksPerHeartbeat() {
        return ticksPerHeartbeat;
    }

    /** Answers waiting polls at once: the broker is going away. Any thread; does not wait. */
    public void beginDraining() {
        for (Shard shard : shards.all()) {
            shard.loop().execute(shard::drainMembers);
        }
    }

    /**
     * Graceful stop of the core: the sequencer takes nothing new and sequences what it has (so in-flight POSTs get
     * their answers), the shards deliver what is queued, then every stream gets its final comment and is closed.
     *
     * @return {@code true} if everything finished within the timeout
     */
    public boolean stop(long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        boolean clean = sequencer.stop(timeoutMs, TimeUnit.MILLISECONDS);
        Shard[] all = shards.all();
        CountDownLatch said = new CountDownLatch(all.length);
        for (Shard shard : all) {
            shard.loop().execute(() -> {
                try {
                    shard.shutdownMembers();
                } finally {
                    said.countDown();
                }
            });
        }
        long left = Math.max(0, deadline - System.nanoTime());
        clean &= said.await(left, TimeUnit.NANOSECONDS);
        return clean;
    }

    /** Releases queued batches and the ring, after the event loops have stopped. */
    public void release() {
        for (Shard shard : shards.all()) {
            shard.discardQueued();
        }
        sequencer.releaseRing();
    }
}
