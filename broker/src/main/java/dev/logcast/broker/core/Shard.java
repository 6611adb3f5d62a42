package dev.logcast.broker.core;

import io.netty.channel.EventLoop;
import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * One event loop's share of the subscribers. The sequencer hands it {@link EventBatch}es and
 * {@link ReplayChunk}s through {@code shardQueue}; the loop drains the queue in bounded runs, writes each matching
 * frame to each member (a retained duplicate, never a copy) and flushes every member it wrote to once per run.
 *
 * <p><b>Owner:</b> the shard's event loop, except {@link #offer} and {@link #wakeup}, which the sequencer calls.
 * Members are added and removed on the loop only.
 */
public final class Shard {
    private static final System.Logger LOG = System.getLogger(Shard.class.getName());
    /** Queue items drained per run before the loop gets back to its I/O. */
    private static final int DRAIN_LIMIT = 64;

    private final int index;
    private final EventLoop loop;
    private final MpscUnboundedXaddArrayQueue<Object> shardQueue = new MpscUnboundedXaddArrayQueue<>(1024);
    private final AtomicInteger drainScheduled = new AtomicInteger();
    private final Runnable drainTask = this::drain;
    private final MessagePassingQueue.Consumer<Object> applier = this::apply;

    private ShardMember[] members = new ShardMember[16];
    private int memberCount;
    /** {@code memberCount} for other threads: the sequencer skips shards that have nobody to deliver to. */
    private volatile boolean hasMembers;
    private ShardMember[] dirty = new ShardMember[16];
    private int dirtyCount;
    private ScheduledFuture<?> ticker;

    /** Single-writer counters, read by the metrics thread. */
    private volatile long delivered;
    private long deliveredLocal;

    /** A shard on {@code loop}; the broker makes one per I/O loop ({@link BrokerCore}), benchmarks their own. */
    public Shard(int index, EventLoop loop) {
        this.index = index;
        this.loop = loop;
    }

    public int index() {
        return index;
    }

    public EventLoop loop() {
        return loop;
    }

    void startTicker(long periodMs) {
        ticker = loop.scheduleAtFixedRate(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Enqueues a batch or a replay chunk. Called by the sequencer thread only; never fails (the queue is unbounded;
     * the sequencer bounds it by looking at {@link #backlog()} before it takes more ingest).
     */
    void offer(Object item) {
        shardQueue.offer(item);
    }

    /** Makes sure a drain runs soon on the loop. Any thread. */
    void wakeup() {
        if (drainScheduled.get() == 0 && drainScheduled.compareAndSet(0, 1)) {
            loop.execute(drainTask);
        }
    }

    /** Items waiting in the shard queue. Any thread; approximate. */
    public int backlog() {
        return shardQueue.size();
    }

    /** Adds a member. On the loop. */
    public void add(ShardMember member) {
        assert loop.inEventLoop();
        if (member.shardPosition >= 0) {
            return;
        }
        if (memberCount == members.length) {
            members = Arrays.copyOf(members, memberCount * 2);
        }
        member.shardPosition = memberCount;
        members[memberCount++] = member;
        hasMembers = true;
    }

    /** Removes a member; a no-op if it is not here. On the loop. */
    public void remove(ShardMember member) {
        assert loop.inEventLoop();
        int at = member.shardPosition;
        if (at < 0) {
            return;
        }
        ShardMember last = members[--memberCount];
        members[at] = last;
        last.shardPosition = at;
        members[memberCount] = null;
        member.shardPosition = -1;
        hasMembers = memberCount > 0;
    }

    /**
     * Whether anyone is on this shard. Any thread. A member that will go live after a replay joins before it asks,
     * so a shard is never skipped for a member that is owed events.
     */
    boolean hasMembers() {
        return hasMembers;
    }

    public int memberCount() {
        return memberCount;
    }

    public long delivered() {
        return delivered;
    }

    /** One drain run: deliver up to {@code DRAIN_LIMIT} queued items, then flush. On the loop. */
    void drain() {
        drainScheduled.set(0);
        shardQueue.drain(applier, DRAIN_LIMIT);
        flushDirty();
        delivered = deliveredLocal;
        if (!shardQueue.isEmpty()) {
            wakeup();
        }
    }

    private void apply(Object item) {
        try {
            if (item instanceof EventBatch batch) {
                deliver(batch);
            } else if (item instanceof ReplayChunk chunk) {
                chunk.member().onReplayChunk(chunk);
            } else {
                ((Runnable) item).run();
            }
        } catch (RuntimeException e) {
            // one failing member must not stop the shard
            LOG.log(System.Logger.Level.ERROR, "shard " + index + " failed to apply " + item.getClass().getSimpleName(), e);
        }
    }

    /**
     * Delivers one batch to every live member. Members are not removed meanwhile: a member that fails stops being
     * live and leaves in a later task.
     */
    private void deliver(EventBatch batch) {
        try {
            EventRecord[] records = batch.records;
            int count = batch.count;
            long lastId = batch.lastId();
            ShardMember[] ms = members;
            int n = memberCount;
            for (int i = 0; i < n; i++) {
                ShardMember m = ms[i];
                if (!m.live) {
                    continue;
                }
                int delivered;
                try {
                    delivered = m.deliverBatch(records, count);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "delivery to a member failed; it stops receiving", e);
                    m.live = false;
                    m.onShutdown();
                    continue;
                }
                if (delivered > 0) {
                    deliveredLocal += delivered;
                    if (!m.dirty) {
                        markDirty(m);
                    }
                }
                if (m.live) {
                    m.batchSeen(lastId);
                }
            }
        } finally {
            batch.shardDone();
        }
    }

    private void markDirty(ShardMember m) {
        m.dirty = true;
        if (dirtyCount == dirty.length) {
            dirty = Arrays.copyOf(dirty, dirtyCount * 2);
        }
        dirty[dirtyCount++] = m;
    }

    private void flushDirty() {
        for (int i = 0; i < dirtyCount; i++) {
            ShardMember m = dirty[i];
            dirty[i] = null;
            m.dirty = false;
            m.endOfBatch();
        }
        dirtyCount = 0;
    }

    private void tick() {
        long now = System.nanoTime();
        ShardMember[] ms = members;
        for (int i = memberCount - 1; i >= 0; i--) {
            if (i < memberCount) {
                ms[i].onTick(now);
            }
        }
    }

    /** Tells every member the broker is draining; on the loop. */
    void drainMembers() {
        assert loop.inEventLoop();
        ShardMember[] snapshot = Arrays.copyOf(members, memberCount);
        for (ShardMember m : snapshot) {
            m.onDraining();
        }
    }

    /** Says goodbye to every member; on the loop. */
    void shutdownMembers() {
        assert loop.inEventLoop();
        if (ticker != null) {
            ticker.cancel(false);
        }
        shardQueue.drain(applier);
        flushDirty();
        ShardMember[] snapshot = Arrays.copyOf(members, memberCount);
        for (ShardMember m : snapshot) {
            m.onShutdown();
        }
    }

    /** Releases whatever is still queued (after the loop stopped draining). */
    void discardQueued() {
        Object item;
        while ((item = shardQueue.poll()) != null) {
            if (item instanceof EventBatch batch) {
                batch.shardDone();
            } else if (item instanceof ReplayChunk chunk) {
                chunk.release();
            }
        }
    }
}
