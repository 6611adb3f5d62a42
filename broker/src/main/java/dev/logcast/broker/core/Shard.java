package dev.logcast.broker.core;

import io.netty.channel.EventLoop;
import io.netty.channel.SingleThreadEventLoop;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;

/**
 * One event loop's share of the subscribers. The sequencer hands it {@link EventBatch}es and
 * {@link ReplayChunk}s through {@code shardQueue}; the loop delivers them in <em>rounds</em> over its members, each
 * round cut into <em>slices</em> with the loop's own I/O (reading POSTs, which become new batches) in between.
 *
 * <p><b>Backlog and cursors.</b> A drain step first takes everything from the queue, in order: each batch is
 * appended to a local backlog, where batches are numbered {@code base..end-1}; each member's cursor
 * ({@link ShardMember#nextBatch}) is the number of the next batch it has not been given. A replay chunk is applied
 * on the spot and sets its member's cursor to the current end: the batches queued before the chunk (whose events
 * are in the chunk or older) are never delivered to that member, those queued after it are, once it is live. A
 * member that joins starts at the end: it gets the batches taken from the queue after it joined.
 *
 * <p><b>Slices.</b> Then the step visits the next members of the round: a live member gets every record from its
 * cursor to the end of the backlog in one {@link ShardMember#deliverBatch} call (frames of consecutive batches
 * mostly adjoin in one block, so a stream writes them as one slice), one {@link ShardMember#batchSeen} with the
 * last id and one flush ({@link ShardMember#endOfBatch}); its cursor moves to the end. A member that is not live
 * just moves to the end. A slice stops after {@code sliceFlushes} members were written to, {@code sliceVisits}
 * members were visited or {@code sliceNanos} went by; on an I/O loop the next step runs in the loop's next
 * iteration, after it polled its sockets (a tail task hands it back to the task queue), so a member visited late in
 * a round gets the batches that arrived meanwhile in the same write.
 *
 * <p><b>Release.</b> At the end of a round the lowest cursor of the live members (members that are not live count
 * as at the end) says which batches everyone is past: those are released ({@link EventBatch#shardDone}), each
 * exactly once. Members are removed by moving the last one into the gap, so a round may skip a member; its cursor
 * holds its batches back and the next round visits it. With no members every batch is released at once.
 *
 * <p><b>Owner:</b> the shard's event loop, except {@link #offer}, {@link #wakeup} and {@link #backlog}, which the
 * sequencer calls. Members are added and removed on the loop only.
 */
public final class Shard {
    private static final System.Logger LOG = System.getLogger(Shard.class.getName());
    /** Members written to (and flushed) per slice before the loop gets back to its I/O. */
    private static final int SLICE_FLUSHES = 64;
    /** Members visited per slice at most, written to or not. */
    private static final int SLICE_VISITS = 512;
    /** Time per slice after which it stops at the next member written to. */
    private static final long SLICE_NANOS = TimeUnit.MICROSECONDS.toNanos(500);
    /** Queue items taken per step (replay chunks are written at once); the rest waits for the next step. */
    private static final int PULL_LIMIT = 4096;
    /** Frame bytes a member is given per visit at most (unless a single batch is larger). */
    static final long VISIT_BYTES = 256 * 1024;
    /** A member that still owes this much after its visit counts towards congestion, as a blocked one does. */
    static final long LAG_CONGESTED = 512 * 1024;
    /**
     * A slow member that takes less of its backlog than this many bytes a second (over a progress check's
     * {@link #PROGRESS_CHECK_NANOS}) is hopeless: it does not hold ingest, it overflows at its cap. One that does not
     * read at all, or reads at a trickle (16 KiB/s), would otherwise hold all ingest for as long as it stays.
     */
    static final long MIN_PROGRESS_BYTES = 128 * 1024;
    static final long PROGRESS_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Slow members it takes, at least, for the shard to count as congested. */
    static final int CONGESTED_MIN = 8;
    /** Capacity of the backlog's record array kept once it is empty again. */
    private static final int MAX_IDLE_RECORDS = 1 << 16;

    private final int index;
    private final EventLoop loop;
    /** Whether {@code loop} runs tail tasks after its tasks and then polls its sockets (NIO, epoll). */
    private final boolean ioLoop;
    private final int sliceFlushes;
    private final int sliceVisits;
    private final long sliceNanos;
    private final MpscUnboundedXaddArrayQueue<Object> shardQueue = new MpscUnboundedXaddArrayQueue<>(1024);
    /** 1 while a step is scheduled or running (or handed from the tail task to the next iteration). */
    private final AtomicInteger drainScheduled = new AtomicInteger();
    private final Runnable stepTask = this::step;
    /**
     * How long after a step started the next one waits when a wake-up finds the shard idle ({@code stream.linger});
     * 0: it runs at once.
     */
    private final long lingerNanos;
    /** When the last step started (nanoTime); written on the loop, read by {@link #wakeup}'s callers. */
    private volatile long lastStepStart = System.nanoTime() - (1L << 40);
    /** Runs as a tail task: puts the next step into the task queue, behind the next iteration's I/O. */
    private final Runnable afterIoTask = this::stepAfterIo;
    private final MessagePassingQueue.Consumer<Object> puller = this::take;

    private ShardMember[] members = new ShardMember[16];
    private int memberCount;
    /** {@code memberCount} for other threads: the sequencer skips shards that have nobody to deliver to. */
    private volatile boolean hasMembers;
    private ScheduledFuture<?> ticker;

    // the local backlog: batches base..end-1 at batches[0..end-base), their records back to back in records
    private EventBatch[] batches = new EventBatch[64];
    /** Index in {@code records} of each backlog batch's first record. */
    private int[] batchStart = new int[64];
    /** Frame bytes appended before each backlog batch, counted from the shard's start ({@link #bytesAppended}). */
    private long[] batchBytesBefore = new long[64];
    /** Frame bytes of every batch ever appended. */
    private long bytesAppended;
    private EventRecord[] records = new EventRecord[1024];
    private int recordCount;
    /** Number of the oldest batch not released. */
    private long base;
    /** Number the next batch taken from the queue gets. */
    private long end;
    /** Position in {@code members} of the next member to visit in the current round. */
    private int roundPosition;
    /** {@code end - base} for the sequencer's backlog check. */
    private volatile int backlogBatches;
    /** Frame bytes of the batches not released yet, for the sequencer's backlog check. */
    private volatile long backlogBytes;
    /**
     * Most of the live members (and at least {@link #CONGESTED_MIN}) could not take their events in the last
     * round: the subscribers as a whole are slower than ingest. The sequencer sheds ingest while it is set, rather
     * than let every subscriber fall behind until it overflows: readers that keep reading set the pace, and nothing
     * is lost. A few slow members never set it: they overflow alone. Nor do hopeless ones (see
     * {@link #MIN_PROGRESS_BYTES}): subscribers that do not read, or read at a trickle, are left to overflow within
     * a progress check or two, so that they can never stop the writers.
     */
    private volatile boolean congested;
    /** When the members' progress was last checked, once {@code progressStarted}. On the loop. */
    private long progressCheckedNanos;
    private boolean progressStarted;
    /** Whether some live, ready member still owes batches after the last round (then another round runs). */
    private boolean readyBehind;
    /** Members whose last visit found them slow (blocked, or far behind); kept up to date visit by visit. */
    private int slowMembers;

    /** Single-writer counters, read by the metrics thread. */
    private volatile long delivered;
    private long deliveredLocal;

    /** A shard on {@code loop} that delivers at once; benchmarks make their own. */
    public Shard(int index, EventLoop loop) {
        this(index, loop, 0);
    }

    /**
     * A shard on {@code loop}; the broker makes one per I/O loop ({@link BrokerCore}). A wake-up less than
     * {@code lingerNanos} after the last step started waits for that much to have passed, so that what comes
     * meanwhile goes out with it.
     */
    public Shard(int index, EventLoop loop, long lingerNanos) {
        this(index, loop, SLICE_FLUSHES, SLICE_VISITS, SLICE_NANOS, lingerNanos);
    }

    /** A shard with its own slice bounds (tests). */
    Shard(int index, EventLoop loop, int sliceFlushes, int sliceVisits, long sliceNanos) {
        this(index, loop, sliceFlushes, sliceVisits, sliceNanos, 0);
    }

    Shard(int index, EventLoop loop, int sliceFlushes, int sliceVisits, long sliceNanos, long lingerNanos) {
        if (sliceFlushes < 1 || sliceVisits < 1 || sliceNanos < 0 || lingerNanos < 0) {
            throw new IllegalArgumentException("slice bounds must be positive, the linger not negative");
        }
        this.lingerNanos = lingerNanos;
        this.index = index;
        this.loop = loop;
        this.ioLoop = IoLoops.runsTailTasks(loop);
        this.sliceFlushes = sliceFlushes;
        this.sliceVisits = sliceVisits;
        this.sliceNanos = sliceNanos;
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

    /**
     * Makes sure a drain step runs soon on the loop: at once, or, less than the linger after the last step started,
     * once the linger has passed (a burst of single events then goes out in a few writes, not one write and one
     * wake-up of every subscriber per event). Any thread. While a step is scheduled or running this does nothing:
     * that step (or the one it hands on to) takes what was offered.
     */
    public void wakeup() {
        if (drainScheduled.get() == 0 && drainScheduled.compareAndSet(0, 1)) {
            try {
                long wait = lingerNanos > 0 ? lingerNanos - (System.nanoTime() - lastStepStart) : 0;
                if (wait > 0) {
                    loop.schedule(stepTask, wait, TimeUnit.NANOSECONDS);
                } else {
                    loop.execute(stepTask);
                }
            } catch (RejectedExecutionException e) {
                // the loop is shutting down: discardQueued() releases what is queued
                drainScheduled.set(0);
            }
        }
    }

    /**
     * How far behind the shard is, in batches: those queued plus those taken from the queue and not yet delivered
     * to every member. Any thread; approximate.
     */
    public int backlog() {
        return shardQueue.size() + backlogBatches;
    }

    /** Adds a member; it gets the batches taken from the queue from now on. On the loop. */
    public void add(ShardMember member) {
        assert loop.inEventLoop();
        if (member.shardPosition >= 0) {
            return;
        }
        if (memberCount == members.length) {
            members = Arrays.copyOf(members, memberCount * 2);
        }
        member.nextBatch = end;
        member.shardPosition = memberCount;
        members[memberCount++] = member;
        hasMembers = true;
    }

    /**
     * Removes a member; a no-op if it is not here. On the loop, never inside a delivery. The last member takes its
     * place: if that place was already visited in this round, the moved member waits for the next round, its
     * cursor holding its batches back.
     */
    public void remove(ShardMember member) {
        assert loop.inEventLoop();
        int at = member.shardPosition;
        if (at < 0) {
            return;
        }
        member.blocked = false;
        if (holdsIngest(member)) {
            slowMembers--;
        }
        member.slow = false;
        member.hopeless = false;
        ShardMember last = members[--memberCount];
        members[at] = last;
        last.shardPosition = at;
        members[memberCount] = null;
        member.shardPosition = -1;
        hasMembers = memberCount > 0;
        updateCongested();
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

    /**
     * One drain step ({@link #wakeup}'s task): take what is queued, deliver one slice of the round, and if there is
     * more to do hand the next step on, behind the loop's I/O. On the loop.
     */
    void step() {
        if (lingerNanos > 0) {
            lastStepStart = System.nanoTime();
        }
        try {
            shardQueue.drain(puller, PULL_LIMIT);
            deliverSlice();
        } finally {
            delivered = deliveredLocal;
            backlogBatches = (int) (end - base);
            backlogBytes = heldBytes();
            continueOrStop();
        }
    }

    /**
     * Delivers everything queued to every member now, releases it, and flushes: for shutdown and benchmarks. On the
     * loop; leaves no round in progress.
     */
    void drain() {
        assert loop.inEventLoop();
        do {
            shardQueue.drain(puller);
            if (base < end) {
                for (int i = 0; i < memberCount; i++) {
                    ShardMember m = members[i];
                    // everything, VISIT_BYTES at a time (a visit that matched nothing still moves the cursor)
                    do {
                        visit(m);
                    } while (m.live && !m.blocked && m.nextBatch < end);
                }
                finishRound();
            }
        } while (!shardQueue.isEmpty());
        delivered = deliveredLocal;
        backlogBatches = (int) (end - base);
    }

    private long heldBytes() {
        return base < end ? bytesAppended - batchBytesBefore[0] : 0;
    }

    /**
     * Frame bytes taken from the queue and not yet delivered to every member (those queued are not counted). Any
     * thread; approximate.
     */
    public long backlogBytes() {
        return backlogBytes;
    }

    /** Whether the subscribers that read, as a whole, are slower than ingest (see {@code congested}). Any thread. */
    public boolean congested() {
        return congested;
    }

    private void continueOrStop() {
        // a round under way goes on; after a round, another one only if a member that can take events owes some
        // (members that are not ready wake the shard when they are)
        if (roundPosition > 0 || readyBehind || !shardQueue.isEmpty()) {
            continueAfterIo();
            return;
        }
        drainScheduled.set(0);
        // an offer that saw the flag still set did not schedule a step: look again now that it is clear
        if (!shardQueue.isEmpty() && drainScheduled.compareAndSet(0, 1)) {
            continueAfterIo();
        }
    }

    /** Schedules the next step (the flag stays set) so that the loop reads its sockets first. */
    private void continueAfterIo() {
        try {
            if (ioLoop) {
                // a task added by a tail task waits for the next iteration, which polls the sockets first (a task
                // added by a task, or a tail task by a tail task, would run in this one)
                ((SingleThreadEventLoop) loop).executeAfterEventLoopIteration(afterIoTask);
            } else {
                loop.execute(stepTask);
            }
        } catch (RejectedExecutionException e) {
            drainScheduled.set(0);
        }
    }

    private void stepAfterIo() {
        try {
            loop.execute(stepTask);
        } catch (RejectedExecutionException e) {
            drainScheduled.set(0);
        }
    }

    /** Takes one queue item, in queue order. */
    private void take(Object item) {
        try {
            if (item instanceof EventBatch batch) {
                append(batch);
            } else if (item instanceof ReplayChunk chunk) {
                applyChunk(chunk);
            } else {
                ((Runnable) item).run();
            }
        } catch (RuntimeException e) {
            // one failing member must not stop the shard
            LOG.log(System.Logger.Level.ERROR, "shard " + index + " failed to apply " + item.getClass().getSimpleName(), e);
        }
    }

    private void append(EventBatch batch) {
        if (batch.count == 0) {
            batch.shardDone();
            return;
        }
        int n = (int) (end - base);
        if (n == batches.length) {
            batches = Arrays.copyOf(batches, n * 2);
            batchStart = Arrays.copyOf(batchStart, n * 2);
            batchBytesBefore = Arrays.copyOf(batchBytesBefore, n * 2);
        }
        if (recordCount + batch.count > records.length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, recordCount + batch.count));
        }
        batches[n] = batch;
        batchStart[n] = recordCount;
        batchBytesBefore[n] = bytesAppended;
        for (int i = 0; i < batch.count; i++) {
            bytesAppended += batch.records[i].frameBytes();
        }
        System.arraycopy(batch.records, 0, records, recordCount, batch.count);
        recordCount += batch.count;
        end++;
    }

    /**
     * A replay chunk for a member: every batch queued before it is older than what the chunk covers, every batch
     * queued after it is newer, so the member's cursor moves to the current end. A member that is live already
     * (chunks normally go to members that are not) first gets what it is owed from before the chunk, as if each
     * batch had been delivered when it was taken.
     */
    private void applyChunk(ReplayChunk chunk) {
        ShardMember member = chunk.member();
        if (member.live && member.shardPosition >= 0 && member.nextBatch < end) {
            visit(member);
        }
        member.nextBatch = end;
        member.onReplayChunk(chunk);
    }

    /** Visits members from the round position until the slice's budget is spent or the round is finished. */
    private void deliverSlice() {
        if (base == end) {
            // nothing held back: nobody can be behind
            roundPosition = 0;
            readyBehind = false;
            return;
        }
        if (memberCount == 0) {
            roundPosition = 0;
            readyBehind = false;
            congested = false;
            release(end);
            return;
        }
        long started = System.nanoTime();
        int flushes = 0;
        int visits = 0;
        while (roundPosition < memberCount) {
            boolean flushed = visit(members[roundPosition++]);
            visits++;
            if (flushed && (++flushes >= sliceFlushes || System.nanoTime() - started >= sliceNanos)) {
                break;
            }
            if (visits >= sliceVisits) {
                break;
            }
        }
        if (roundPosition >= memberCount) {
            finishRound();
        }
    }

    /**
     * Gives a member every backlog record from its cursor on, in one call, then flushes it. Members are not
     * removed meanwhile: a member that fails stops being live and leaves in a later task.
     *
     * @return whether the member was written to and flushed
     */
    private boolean visit(ShardMember m) {
        long from = m.nextBatch;
        if (from >= end || !m.live) {
            caughtUp(m);
            return false;
        }
        assert from >= base : "a member's cursor is behind released batches";
        if (!m.ready()) {
            m.blocked = true;
            setSlow(m, true);
            try {
                m.lagging(bytesAppended - batchBytesBefore[(int) (from - base)]);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "a lagging member failed; it stops receiving", e);
                m.live = false;
            }
            if (!m.live) {
                caughtUp(m);
            }
            return false;
        }
        m.blocked = false;
        // at most VISIT_BYTES of frames (and at least one batch) per visit: a member that reads slowly is left
        // behind in the shared backlog, not handed megabytes into its own outbound buffer
        int fromIndex = (int) (from - base);
        int toIndex = fromIndex + 1;
        int n = (int) (end - base);
        long limit = batchBytesBefore[fromIndex] + VISIT_BYTES;
        while (toIndex < n && batchBytesBefore[toIndex] < limit) {
            toIndex++;
        }
        m.nextBatch = base + toIndex;
        long handedUpTo = toIndex < n ? batchBytesBefore[toIndex] : bytesAppended;
        m.progressBytes += handedUpTo - batchBytesBefore[fromIndex];
        setSlow(m, toIndex < n && bytesAppended - handedUpTo > LAG_CONGESTED);
        int first = batchStart[fromIndex];
        int last = toIndex < n ? batchStart[toIndex] : recordCount;
        int count;
        try {
            count = m.deliverBatch(records, first, last);
            if (m.live) {
                m.batchSeen(records[last - 1].id());
            }
            if (count > 0) {
                deliveredLocal += count;
                m.endOfBatch();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "delivery to a member failed; it stops receiving", e);
            m.live = false;
            try {
                m.onShutdown();
            } catch (RuntimeException again) {
                LOG.log(System.Logger.Level.ERROR, "a failed member could not be shut down", again);
            }
            return false;
        }
        return count > 0;
    }

    /** The member owes nothing (any more): its cursor at the end, neither blocked nor slow. */
    private void caughtUp(ShardMember m) {
        m.nextBatch = end;
        m.blocked = false;
        setSlow(m, false);
    }

    private void setSlow(ShardMember m, boolean slow) {
        if (m.slow != slow) {
            boolean held = holdsIngest(m);
            m.slow = slow;
            if (!slow) {
                m.hopeless = false;
            }
            counted(m, held);
        }
    }

    private void setHopeless(ShardMember m, boolean hopeless) {
        if (m.hopeless != hopeless) {
            boolean held = holdsIngest(m);
            m.hopeless = hopeless;
            counted(m, held);
        }
    }

    /** Whether the member counts towards congestion: slow, but not hopeless. */
    private static boolean holdsIngest(ShardMember m) {
        return m.slow && !m.hopeless;
    }

    private void counted(ShardMember m, boolean before) {
        boolean now = holdsIngest(m);
        if (now != before) {
            slowMembers += now ? 1 : -1;
            updateCongested();
        }
    }

    /**
     * Every {@link #PROGRESS_CHECK_NANOS}: a slow member that took less than {@link #MIN_PROGRESS_BYTES} a second of
     * its backlog since the last check is hopeless until it takes more (or catches up).
     */
    void checkProgress(long now) {
        if (!progressStarted) {
            progressStarted = true;
            progressCheckedNanos = now;
            for (int i = 0; i < memberCount; i++) {
                members[i].progressChecked = members[i].progressBytes;
            }
            return;
        }
        long elapsed = now - progressCheckedNanos;
        if (elapsed < PROGRESS_CHECK_NANOS) {
            return;
        }
        progressCheckedNanos = now;
        long minBytes = MIN_PROGRESS_BYTES * elapsed / TimeUnit.SECONDS.toNanos(1);
        ShardMember[] ms = members;
        for (int i = 0; i < memberCount; i++) {
            ShardMember m = ms[i];
            long taken = m.progressBytes - m.progressChecked;
            m.progressChecked = m.progressBytes;
            setHopeless(m, m.slow && taken < minBytes);
        }
    }

    /**
     * Congested from over a quarter of the members slow and not hopeless (and at least {@link #CONGESTED_MIN}) until
     * no more than an eighth are: a shard that took ingest again as soon as one member caught up would take it in
     * bursts that the slowest members, read least by a busy client, could not absorb before their cap.
     */
    private void updateCongested() {
        if (slowMembers < CONGESTED_MIN) {
            congested = false;
        } else if (slowMembers * 4 > memberCount) {
            congested = true;
        } else if (slowMembers * 8 <= memberCount) {
            congested = false;
        }
    }

    /** The round is over: release the batches every member is past, and start the next round from the first. */
    private void finishRound() {
        roundPosition = 0;
        long min = end;
        int slow = 0;
        boolean behind = false;
        ShardMember[] ms = members;
        for (int i = 0; i < memberCount; i++) {
            ShardMember m = ms[i];
            if (!m.live) {
                // it gets nothing until a chunk (or add) sets its cursor again
                m.nextBatch = end;
                m.blocked = false;
                m.slow = false;
                m.hopeless = false;
                continue;
            }
            if (holdsIngest(m)) {
                slow++;
            }
            if (!m.blocked && m.nextBatch < end) {
                behind = true;
            }
            if (m.nextBatch < min) {
                min = m.nextBatch;
            }
        }
        readyBehind = behind;
        slowMembers = slow;
        updateCongested();
        release(min);
    }

    /** Releases the backlog batches numbered below {@code upTo}, each once. */
    private void release(long upTo) {
        int n = (int) (end - base);
        int k = (int) (Math.min(upTo, end) - base);
        if (k <= 0) {
            return;
        }
        for (int i = 0; i < k; i++) {
            EventBatch batch = batches[i];
            batches[i] = null;
            try {
                batch.shardDone();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "shard " + index + " failed to release a batch", e);
            }
        }
        int firstKept = k < n ? batchStart[k] : recordCount;
        int keptBatches = n - k;
        int keptRecords = recordCount - firstKept;
        if (keptBatches > 0) {
            System.arraycopy(batches, k, batches, 0, keptBatches);
            Arrays.fill(batches, keptBatches, n, null);
            for (int i = 0; i < keptBatches; i++) {
                batchStart[i] = batchStart[i + k] - firstKept;
                batchBytesBefore[i] = batchBytesBefore[i + k];
            }
            System.arraycopy(records, firstKept, records, 0, keptRecords);
        }
        if (keptRecords == 0 && records.length > MAX_IDLE_RECORDS) {
            // a burst grew the array: do not keep it for good
            records = new EventRecord[1024];
        } else {
            Arrays.fill(records, keptRecords, recordCount, null);
        }
        recordCount = keptRecords;
        base += k;
    }

    private void tick() {
        long now = System.nanoTime();
        checkProgress(now);
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

    /** Delivers and flushes everything pending, then says goodbye to every member; on the loop. */
    void shutdownMembers() {
        assert loop.inEventLoop();
        if (ticker != null) {
            ticker.cancel(false);
        }
        drain();
        ShardMember[] snapshot = Arrays.copyOf(members, memberCount);
        for (ShardMember m : snapshot) {
            m.onShutdown();
        }
    }

    /** Releases the backlog and whatever is still queued (after the loop stopped draining). */
    void discardQueued() {
        release(end);
        backlogBatches = 0;
        Object item;
        while ((item = shardQueue.poll()) != null) {
            if (item instanceof EventBatch batch) {
                batch.shardDone();
            } else if (item instanceof ReplayChunk chunk) {
                chunk.release();
            }
        }
    }

    /** Batches taken from the queue and not yet released (tests). */
    int backlogBatches() {
        return (int) (end - base);
    }

    /** Position of the next member to visit in the current round; 0 when no round is under way (tests). */
    int roundPosition() {
        return roundPosition;
    }
}
