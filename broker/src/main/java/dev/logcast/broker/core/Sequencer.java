package dev.logcast.broker.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscArrayQueue;

/**
 * The one place that orders events. It takes {@link IngestBatch}es and {@link ReplayRequest}s from
 * {@code ingestQueue}, gives each event the next id, encodes its SSE frame once, keeps it in the
 * {@link RetentionRing}, and hands every shard one {@link EventBatch} per cycle. Replay answers go through the same
 * shard queues, behind the batches handed out before them: that order is what makes resume gap-free and
 * duplicate-free.
 *
 * <p>There is no sequencer thread: whichever thread offers work and finds nobody draining runs the cycles (flat
 * combining), so a POST is sequenced on its own I/O thread with no hand-off: at the end of the loop's iteration,
 * together with the other POSTs that loop read in it ({@link #offer(IngestBatch, EventLoop)}).
 *
 * <p><b>Owner:</b> the current drainer (whoever holds {@code draining}) owns the ring, the id counter and the
 * pending batch. Other threads call only {@link #offer(IngestBatch)}, {@link #requestReplay}, {@link #execute},
 * {@link #cycleDurable}, {@link #cycleFailed}, {@link #housekeep} and the read-only gauges.
 */
public final class Sequencer {
    private static final System.Logger LOG = System.getLogger(Sequencer.class.getName());
    private static final int DRAIN_LIMIT = 256;
    /** Frames of consecutive batches go into one buffer up to this size. */
    private static final long BLOCK_BYTES = 16 << 20;
    private static final int SCAN_LIMIT = 65_536;
    /** Shard backlog (batches) over which the sequencer stops taking ingest until the shards catch up. */
    private static final int SHARD_BACKLOG_LIMIT = 4096;
    /** Cycles waiting in the journal over which the sequencer stops taking ingest. */
    private static final int JOURNAL_BACKLOG_LIMIT = 1024;

    private final MpscArrayQueue<Object> ingestQueue;
    private final Object[] cycle = new Object[DRAIN_LIMIT];
    private int cycleCount;
    private final MessagePassingQueue.Consumer<Object> collector = item -> cycle[cycleCount++] = item;
    private final AtomicLong queuedEvents = new AtomicLong();
    private final long maxQueuedEvents;
    private final Shard[] shards;
    private final Shard[] targetShards;
    private final RetentionRing ring;
    private final ByteBufAllocator alloc;
    /** Durable storage, or {@code null} with {@code storage=memory}. */
    private final EventJournal journal;
    /** Reads the journal for replays older than the ring; {@code null} without a journal. */
    private final Executor replayReader;
    /** Cycles handed to the journal and not answered yet. Sequencer thread. */
    private volatile int inflightCycles;
    private final java.util.concurrent.atomic.AtomicBoolean draining = new java.util.concurrent.atomic.AtomicBoolean();

    private volatile boolean stopping;

    // sequencer-thread state
    private long lastId;
    /** The newest id handed to the shards: everything up to it is in the ring or older. Sequencer thread. */
    private long publishedId;
    /** The first id this broker (or its journal) ever issued: a gap never reaches below it. */
    private final long firstIssuedId;
    private EventRecord[] pending = new EventRecord[256];
    private int pendingCount;
    private final List<IngestBatch> completed = new ArrayList<>();

    // gauges, written by the sequencer thread
    private volatile long lastIdPublished;
    private volatile int ringEvents;
    private volatile long ringBytes;

    /**
     * @param firstIdAfter the sequence continues after this id (the journal's last id, or a time-based floor)
     * @param firstIssuedId the first id ever given out (the journal's oldest, or this start's with storage=memory):
     *                      a resume from 0 gets no gap below it
     * @param journal      durable storage, or {@code null} for {@code storage=memory}
     * @param replayReader runs journal reads for old replays; {@code null} without a journal
     */
    public Sequencer(Shard[] shards, RetentionRing ring, ByteBufAllocator alloc, long maxQueuedEvents,
                     long firstIdAfter, long firstIssuedId, EventJournal journal, Executor replayReader) {
        this.journal = journal;
        this.replayReader = replayReader;
        this.shards = shards;
        this.targetShards = new Shard[shards.length];
        this.ring = ring;
        this.alloc = alloc;
        this.maxQueuedEvents = maxQueuedEvents;
        this.ingestQueue = new MpscArrayQueue<>(65_536);
        this.lastId = firstIdAfter;
        this.publishedId = firstIdAfter;
        this.firstIssuedId = firstIssuedId;
        this.lastIdPublished = firstIdAfter;
    }

    /** Nothing to start: the sequencer runs on the threads that give it work. Kept for the lifecycle's shape. */
    public void start() {
    }

    /**
     * Offers a batch for sequencing, and sequences it (with whatever else waits) on the calling thread unless
     * another thread is doing so right now. Any thread.
     *
     * @return {@code false} when the broker is over its ingest bound, the shards or the journal are too far
     *         behind, or it is stopping: shed the request (503)
     */
    public boolean offer(IngestBatch batch) {
        return offer(batch, null);
    }

    /**
     * Offers a batch read on {@code loop}. On that loop's own thread the batch is sequenced at the end of the loop's
     * iteration, together with every other batch the loop read in it: one cycle, one block, one journal record
     * group and one fan-out round for all the POSTs of an iteration instead of one each. Anywhere else it is
     * sequenced at once, as {@link #offer(IngestBatch)} does.
     *
     * @return {@code false} when the broker is over its ingest bound, the shards or the journal are too far
     *         behind, or it is stopping: shed the request (503)
     */
    public boolean offer(IngestBatch batch, EventLoop loop) {
        if (stopping || shardsBacklogged() || journalBacklogged()) {
            return false;
        }
        int n = batch.size();
        long queued = queuedEvents.addAndGet(n);
        // a single batch larger than the bound is let through when nothing else waits
        if (queued > maxQueuedEvents && queued != n) {
            queuedEvents.addAndGet(-n);
            return false;
        }
        if (!ingestQueue.offer(batch)) {
            queuedEvents.addAndGet(-n);
            return false;
        }
        if (loop != null && loop.inEventLoop() && IoLoops.runsTailTasks(loop)) {
            LoopDrain drain = loopDrains.get();
            if (!drain.scheduled) {
                drain.scheduled = true;
                ((SingleThreadEventLoop) loop).executeAfterEventLoopIteration(drain);
            }
        } else {
            drainIfFree();
        }
        return true;
    }

    /** An event loop's pending end-of-iteration drain; touched by that loop's thread only. */
    private final class LoopDrain implements Runnable {
        boolean scheduled;

        @Override
        public void run() {
            scheduled = false;
            drainIfFree();
        }
    }

    private final FastThreadLocal<LoopDrain> loopDrains = new FastThreadLocal<>() {
        @Override
        protected LoopDrain initialValue() {
            return new LoopDrain();
        }
    };

    /**
     * Asks for retained events for a member; the {@link ReplayChunk} arrives on the member's shard. Any thread.
     * Never fails while the broker runs (control requests may exceed the ingest bound briefly).
     */
    public void requestReplay(ReplayRequest request) {
        enqueueControl(request);
    }

    /** The journal stored a cycle: publish it. Any thread (the journal's writer). */
    public void cycleDurable(Cycle cycle) {
        enqueueControl(new Outcome(cycle, null));
    }

    /** The journal could not store a cycle: its requests get 503, nobody sees its events. Any thread. */
    public void cycleFailed(Cycle cycle, Exception cause) {
        enqueueControl(new Outcome(cycle, cause == null ? new java.io.IOException("not stored") : cause));
    }

    private record Outcome(Cycle cycle, Exception failure) {
    }

    /** Runs a task in sequencer order, after everything offered before it. Any thread. */
    public void execute(Runnable task) {
        enqueueControl(task);
    }

    /** Drops retained events older than {@code retention.age}; called periodically. Any thread. */
    public void housekeep() {
        enqueueControl(housekeeping);
    }

    private final Runnable housekeeping = this::expireRing;

    private void expireRing() {
        ring.expire(System.currentTimeMillis());
        ringSizeChanged();
    }

    /** Publishes the ring's size to the gauges; on the thread that changed the ring (or before start). */
    void ringSizeChanged() {
        ringEvents = ring.size();
        ringBytes = ring.bytes();
    }

    private void enqueueControl(Object item) {
        while (!ingestQueue.offer(item)) {
            // full of work: help drain it, then try again
            drainIfFree();
            Thread.onSpinWait();
        }
        drainIfFree();
    }

    /**
     * Flat combining: the thread that wins {@code draining} runs sequencer cycles until the queue is empty; the
     * others leave their work in the queue for it. The winner re-checks the queue after letting go, so no item is
     * stranded. The flag's CAS and release order every sequencer-owned field between successive drainers.
     */
    private void drainIfFree() {
        while (!ingestQueue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                int n;
                do {
                    cycleCount = 0;
                    n = ingestQueue.drain(collector, DRAIN_LIMIT);
                    try {
                        processCycle();
                        publishPending();
                    } catch (RuntimeException | Error e) {
                        // the ordering must go on: what failed is answered 503, the rest is published
                        LOG.log(System.Logger.Level.ERROR, "sequencer cycle failed", e);
                        recoverCycle();
                    }
                } while (n == DRAIN_LIMIT);
            } finally {
                draining.set(false);
            }
        }
    }

    /** Events waiting to be sequenced. Any thread. */
    public long queuedEvents() {
        return queuedEvents.get();
    }

    public long lastId() {
        return lastIdPublished;
    }

    public int ringEvents() {
        return ringEvents;
    }

    public long ringBytes() {
        return ringBytes;
    }

    /**
     * Stops taking new batches and returns once everything already offered is sequenced and every cycle handed to
     * the journal has its outcome, or when the timeout passed. Any thread.
     */
    public boolean stop(long timeout, TimeUnit unit) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            drainIfFree();
            if (ingestQueue.isEmpty() && inflight() == 0 && !draining.get()) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(1);
        }
    }

    /** Cycles in the journal without an outcome; read under the drain flag's ordering, approximate otherwise. */
    private int inflight() {
        return inflightCycles;
    }

    /** Releases the ring; call after {@link #stop} returned and the shards are done. */
    public void releaseRing() {
        Object item;
        while ((item = ingestQueue.poll()) != null) {
            if (item instanceof IngestBatch batch) {
                batch.onDropped();
            } else if (item instanceof Outcome outcome) {
                // answered by the journal after the sequencer had stopped: nobody will publish it now
                EventRecord.releaseAll(outcome.cycle().records, outcome.cycle().records.length);
                for (IngestBatch batch : outcome.cycle().batches) {
                    batch.drop("the broker stopped before the events could be published; retry later");
                }
            }
        }
        ring.clear();
    }

    private boolean journalBacklogged() {
        return journal != null && journal.backlog() > JOURNAL_BACKLOG_LIMIT;
    }

    /**
     * Whether the fan-out is behind ingest: a shard with too many batches or bytes not yet delivered to everyone
     * (over half of what the ring keeps), or most of its subscribers unable to take more ({@link Shard#congested}).
     * Ingest is then shed (503 with Retry-After) rather than taken and lost to overflows. One slow subscriber holds
     * back at most its own cap ({@code stream.max.pending}) and then overflows alone.
     */
    private boolean shardsBacklogged() {
        for (Shard shard : shards) {
            if (shard.backlog() > SHARD_BACKLOG_LIMIT || shard.congested()
                    || shard.backlogBytes() > ring.maxBytes() / 2) {
                return true;
            }
        }
        return false;
    }

    /**
     * Handles one drained cycle in order. Consecutive ingest batches are encoded into one block, so that a
     * subscriber matching a run of them gets a single write.
     */
    private void processCycle() {
        int i = 0;
        while (i < cycleCount) {
            Object item = cycle[i];
            if (item instanceof IngestBatch) {
                // consecutive batches share a block, up to BLOCK_BYTES (a single batch may exceed it alone)
                int end = i;
                long bytes = 0;
                long id = lastId;
                while (end < cycleCount && cycle[end] instanceof IngestBatch batch) {
                    long batchBytes = 0;
                    for (int k = 0; k < batch.events.length; k++) {
                        batchBytes += SseFrames.frameSize(++id, batch.tails.length(k));
                    }
                    if (end > i && bytes + batchBytes > BLOCK_BYTES) {
                        break;
                    }
                    bytes += batchBytes;
                    end++;
                }
                sequence(i, end, bytes);
                i = end;
            } else if (item instanceof Outcome outcome) {
                inflightCycles--;
                if (outcome.failure() == null) {
                    publishCycle(outcome.cycle());
                } else {
                    dropCycle(outcome.cycle(), outcome.failure());
                }
                i++;
            } else {
                publishPending();
                if (item instanceof ReplayRequest request) {
                    answer(request);
                } else {
                    ((Runnable) item).run();
                }
                i++;
            }
        }
        Arrays.fill(cycle, 0, cycleCount, null);
    }

    /** After a failed cycle: drop the batches that got no ids, publish what was sequenced. */
    private void recoverCycle() {
        for (int i = 0; i < cycleCount; i++) {
            if (cycle[i] instanceof IngestBatch batch && batch.lastId() == 0) {
                queuedEvents.addAndGet(-batch.size());
                batch.drop("the broker failed to sequence the events; retry later");
            }
        }
        Arrays.fill(cycle, 0, cycleCount, null);
        try {
            publishPending();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "publishing after a failed cycle failed", e);
            pendingCount = 0;
            completed.clear();
        }
    }

    /** Sequences the ingest batches {@code cycle[from..to)} into one block of {@code bytes}. */
    private void sequence(int from, int to, long bytes) {
        int events = 0;
        for (int b = from; b < to; b++) {
            events += ((IngestBatch) cycle[b]).events.length;
        }
        if (pendingCount + events > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingCount + events));
        }
        ByteBuf block = alloc.directBuffer((int) bytes, (int) bytes);
        // one reference for each record it will hold (the ring's, or the cycle's until the journal answers), taken
        // at once; what an exception leaves unused goes back with the allocation's own reference
        block.retain(events);
        int unused = events;
        EventRecord[] records = journal == null ? null : new EventRecord[events];
        int r = 0;
        try {
            for (int b = from; b < to; b++) {
                IngestBatch batch = (IngestBatch) cycle[b];
                long first = lastId + 1;
                for (int i = 0; i < batch.events.length; i++) {
                    EventRecord record = SseFrames.encodeInto(block, ++lastId, batch.events[i],
                            batch.tails.bytes(), batch.tails.offset(i), batch.tails.length(i), batch.receivedMillis);
                    unused--;
                    if (records != null) {
                        records[r++] = record;
                    } else {
                        ring.append(record);
                        pending[pendingCount++] = record;
                    }
                }
                batch.assign(first, lastId);
                if (records == null) {
                    queuedEvents.addAndGet(-batch.events.length);
                    completed.add(batch);
                }
            }
        } finally {
            block.release(unused + 1);
        }
        if (records == null) {
            publishedId = lastId;
        } else {
            IngestBatch[] batches = new IngestBatch[to - from];
            for (int b = from; b < to; b++) {
                batches[b - from] = (IngestBatch) cycle[b];
            }
            Cycle stored = new Cycle(records, batches);
            // stored at once only when no earlier cycle waits for its outcome: cycles are published in id order
            switch (journal.store(stored, inflightCycles == 0)) {
                case NOW -> publishCycle(stored);
                case QUEUED -> inflightCycles++;
                case REFUSED -> dropCycle(stored, new java.io.IOException("the journal is stopping"));
                default -> throw new IllegalStateException();
            }
        }
    }

    /** A stored cycle becomes visible: into the ring and the pending batch; its requests get their answers. */
    private void publishCycle(Cycle stored) {
        EventRecord[] records = stored.records;
        if (pendingCount + records.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingCount + records.length));
        }
        ring.appendAll(records);
        System.arraycopy(records, 0, pending, pendingCount, records.length);
        pendingCount += records.length;
        for (IngestBatch batch : stored.batches) {
            queuedEvents.addAndGet(-batch.events.length);
            completed.add(batch);
        }
        publishedId = stored.lastId();
    }

    /** A cycle the journal did not store: its ids are never used, its requests get 503. */
    private void dropCycle(Cycle lost, Exception cause) {
        LOG.log(System.Logger.Level.ERROR, "journal did not store ids " + lost.firstId() + ".." + lost.lastId()
                + "; their requests get 503: " + cause);
        EventRecord.releaseAll(lost.records, lost.records.length);
        for (IngestBatch batch : lost.batches) {
            queuedEvents.addAndGet(-batch.events.length);
            batch.drop("the journal could not store the events (" + cause.getMessage() + "); retry later");
        }
    }

    private void publishPending() {
        // answers first: a publisher's 202 need not wait behind the fan-out to every subscriber (the events are
        // already in the ring, so a client that resumes after its 202 finds them)
        if (!completed.isEmpty()) {
            for (IngestBatch batch : completed) {
                batch.onSequenced();
            }
            completed.clear();
        }
        if (pendingCount > 0) {
            int targets = 0;
            for (Shard shard : shards) {
                if (shard.hasMembers()) {
                    targetShards[targets++] = shard;
                }
            }
            if (targets > 0) {
                // the batch's references (nobody listening anywhere: none are taken)
                EventRecord.retainAll(pending, pendingCount);
                EventBatch batch = new EventBatch(Arrays.copyOf(pending, pendingCount), pendingCount, targets);
                for (int i = 0; i < targets; i++) {
                    targetShards[i].offer(batch);
                    targetShards[i].wakeup();
                    targetShards[i] = null;
                }
            }
            Arrays.fill(pending, 0, pendingCount, null);
            pendingCount = 0;
            lastIdPublished = publishedId;
            ringSizeChanged();
        }
    }

    private void answer(ReplayRequest request) {
        ShardMember member = request.member();
        EventFilter filter = member.filter();
        long after;
        long gapFrom = 0;
        long gapTo = 0;
        if (request.fromNow()) {
            after = publishedId;
        } else if (request.tail() >= 0) {
            long[] inRing = tailInRing(filter, request.tail());
            long oldestInMemory = ring.size() > 0 ? ring.oldestId() : publishedId + 1;
            if (inRing[1] < request.tail() && journal != null && journal.firstId() > 0
                    && journal.firstId() < oldestInMemory) {
                // the rest of the tail is older than the ring: the reader finds where it starts on disk
                tailFromJournal(request, request.tail() - inRing[1], oldestInMemory);
                return;
            }
            after = inRing[0];
        } else {
            after = request.afterId();
            long oldestInMemory = ring.size() > 0 ? ring.oldestId() : publishedId + 1;
            // the oldest id still retained anywhere: on disk if there is a journal, else in the ring
            long oldestRetained = oldestInMemory;
            if (journal != null && journal.firstId() > 0 && journal.firstId() < oldestInMemory) {
                oldestRetained = journal.firstId();
            }
            if (after < publishedId && after + 1 < oldestRetained) {
                // a resume point below firstIssuedId was seen from an earlier broker (storage=memory restarts with new
                // ids): whatever followed it there is gone, so the gap starts right after it; from 0 (nothing seen
                // yet) the gap covers only ids this broker gave out
                long from = after > 0 ? after + 1 : firstIssuedId;
                if (from <= oldestRetained - 1) {
                    gapFrom = from;
                    gapTo = oldestRetained - 1;
                }
                after = oldestRetained - 1;
            }
            if (journal != null && after + 1 < oldestInMemory && after < publishedId) {
                // only what the shards have been handed: newer events reach the member live, once
                replayFromJournal(request, after, Math.min(publishedId, oldestInMemory - 1), gapFrom, gapTo);
                return;
            }
        }
        if (after >= publishedId) {
            reply(request, new ReplayChunk(member, new EventRecord[0], 0, gapFrom, gapTo, publishedId, true));
            return;
        }
        EventRecord[] found = new EventRecord[Math.min(request.maxEvents(), 1024)];
        int count = 0;
        long bytes = 0;
        int size = ring.size();
        int pos = ring.positionAfter(after);
        long cursor = after;
        int scanned = 0;
        while (pos < size && count < request.maxEvents() && bytes < request.maxBytes() && scanned < SCAN_LIMIT) {
            EventRecord record = ring.at(pos++);
            scanned++;
            cursor = record.id();
            if (filter.matches(record.event())) {
                if (count == found.length) {
                    found = Arrays.copyOf(found, Math.min(found.length * 2, request.maxEvents()));
                }
                record.retain();
                found[count++] = record;
                bytes += record.frameBytes();
            }
        }
        boolean caughtUp = pos >= size;
        if (caughtUp) {
            cursor = publishedId;
        }
        reply(request, new ReplayChunk(member, found, count, gapFrom, gapTo, cursor, caughtUp));
    }

    /**
     * Reads a replay chunk from the journal on the reader thread (never on the sequencer or an event loop). The
     * chunk is never {@code caughtUp}: the member's next request comes back here, and only the sequencer says when
     * a member may go live.
     */
    private void replayFromJournal(ReplayRequest request, long after, long upTo, long gapFrom, long gapTo) {
        replayReader.execute(() -> {
            List<EventRecord> out = new ArrayList<>();
            long cursor = after;
            long[] lost = new long[2];
            try {
                cursor = journal.read(after, upTo, request.maxEvents(), request.maxBytes(), request.member().filter(),
                        out, lost);
            } catch (java.io.IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "journal read after id " + after + " failed", e);
                for (EventRecord record : out) {
                    record.release();
                }
                out.clear();
                // skip what cannot be read rather than loop on it: the client sees a gap
                long skipTo = Math.max(after + 1, upTo);
                reply(request, new ReplayChunk(request.member(), new EventRecord[0], 0, after + 1, skipTo, skipTo,
                        false));
                return;
            }
            long from = gapFrom;
            long to = gapTo;
            if (cursor <= after && upTo > after) {
                // nothing readable up to upTo (retention moved on under us): go on from there, showing the gap
                lost[0] = after + 1;
                lost[1] = upTo;
                cursor = upTo;
            }
            if (lost[0] > 0) {
                // ids the journal could not read (damage): a gap before this chunk's events, merged with the
                // retention gap if there is one (nothing matched between the two, or the read would have stopped)
                from = from == 0 ? lost[0] : Math.min(from, lost[0]);
                to = Math.max(to, lost[1]);
            }
            reply(request, new ReplayChunk(request.member(), out.toArray(new EventRecord[0]), out.size(), from, to,
                    cursor, false));
        });
    }

    /**
     * Finds on the reader thread where the older part of a tail starts in the journal (the newest {@code need}
     * matching events below {@code beforeId}), then asks for the replay from there as a resume: from the journal,
     * then the ring, then live, with the usual no-gap rule.
     */
    private void tailFromJournal(ReplayRequest request, long need, long beforeId) {
        replayReader.execute(() -> {
            long after;
            try {
                after = journal.tailStart(beforeId, need, request.member().filter());
            } catch (java.io.IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "journal read for tail=" + request.tail() + " failed", e);
                after = beforeId - 1;
            }
            requestReplay(new ReplayRequest(request.shard(), request.member(), after, -1, request.maxEvents(),
                    request.maxBytes(), false));
        });
    }

    /**
     * The tail in the ring: {@code {resume point, matches}}, where resuming after the point sends the last
     * {@code tail} matching events of the ring (all of them, and the point is before the ring, when fewer match).
     */
    private long[] tailInRing(EventFilter filter, long tail) {
        int size = ring.size();
        if (tail == 0 || size == 0) {
            return new long[] {publishedId, 0};
        }
        long matched = 0;
        for (int pos = size - 1; pos >= 0; pos--) {
            EventRecord record = ring.at(pos);
            if (filter.matches(record.event()) && ++matched == tail) {
                return new long[] {record.id() - 1, matched};
            }
        }
        return new long[] {ring.oldestId() - 1, matched};
    }

    private static void reply(ReplayRequest request, ReplayChunk chunk) {
        Shard shard = request.shard();
        shard.offer(chunk);
        shard.wakeup();
    }
}
