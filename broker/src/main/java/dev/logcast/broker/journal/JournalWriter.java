package dev.logcast.broker.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.DoubleConsumer;
import java.util.function.LongSupplier;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.SpscUnboundedArrayQueue;

/**
 * The journal's group-commit thread ({@code logcast-journal}). The sequencer {@link #submit}s a batch per cycle;
 * each duty cycle this thread drains every queued batch, appends them all to the {@link Journal}, then syncs once
 * ({@link FsyncPolicy#ALWAYS}) or writes them to the OS ({@link FsyncPolicy#INTERVAL}, {@link FsyncPolicy#NEVER}),
 * commits, and reports each batch {@link Listener#durable durable}, in order. Under load many batches share one
 * write and one fsync. {@code INTERVAL} also fsyncs every {@code fsyncIntervalMs} while something is unsynced;
 * every policy fsyncs at {@link #close()}. About once a second it applies the journal's retention.
 *
 * <p>When storing fails, the journal is rolled back to its last commit, the failing group and every batch still
 * queued are reported {@link Listener#failed failed}, and the thread goes on: the next batch tries again (a full
 * disk may have room by then).
 *
 * <p>With {@code INTERVAL} and {@code NEVER}, storing means writing to the OS, which takes microseconds, so the
 * producer may store a batch itself ({@link #storeNow}) when the writer is idle and nothing is queued: the batch is
 * then durable when the call returns, without two thread hand-offs (a wake-up of this thread, and its answer back
 * to the sequencer) per cycle. This thread still does every fsync and the retention. An {@code INTERVAL} fsync
 * runs without the lock: it forces what was written when it began, while the producer goes on storing batches
 * itself. While this thread holds the lock for a moment (to note where a sync begins or ends), the producer waits
 * for it, up to half a millisecond; it takes the queued path only when the hold is longer (a group appended,
 * retention applied), and this thread stores what was queued before it starts an fsync. So a batch never waits for
 * the disk, queued or not.
 *
 * <p><b>Owner:</b> the journal's writer side belongs to whoever holds {@code writerLock}: this thread for each duty
 * cycle from {@link #start()} until {@link #close()} returns, or the producer inside {@link #storeNow}; before
 * {@code start()} the thread that made it may step it with {@link #doWork()} (tests do). {@link #submit} and
 * {@link #storeNow} are for one producer thread (the sequencer); {@link #backlog()} for any thread.
 */
public final class JournalWriter implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JournalWriter.class.getName());
    /** Batches appended in one group at most; the rest wait for the next cycle (which follows at once). */
    static final int GROUP_LIMIT = 4096;
    private static final int SPINS_BEFORE_PARK = 100;
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long RETENTION_EVERY_MS = 1000;
    /** How long {@link #storeNow} waits for the lock the writer holds before it queues the batch instead. */
    static final long STORE_NOW_LOCK_WAIT_NANOS = TimeUnit.MICROSECONDS.toNanos(500);

    /** Outcomes, called on the writer thread, each batch exactly once, in submission order. */
    public interface Listener {
        /** The batch is stored as the policy promises (ALWAYS: fsynced; INTERVAL and NEVER: written to the OS). */
        void durable(JournalBatch batch);

        /** The batch is not stored, and neither is anything queued after it when this is called. */
        void failed(JournalBatch batch, IOException cause);
    }

    private final Journal journal;
    private final FsyncPolicy policy;
    private final long fsyncIntervalNanos;
    private final Listener listener;
    private final DoubleConsumer fsyncSecondsObserver;
    private final LongSupplier nanoClock;
    private final LongSupplier millisClock;
    private final SpscUnboundedArrayQueue<JournalBatch> journalQueue = new SpscUnboundedArrayQueue<>(1024);
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Producers inside {@link #submit}; {@link #close()} waits for none before it lets the thread finish. */
    private final AtomicInteger submitting = new AtomicInteger();

    /** Held by whoever uses the journal's writer side: this thread's duty cycle, or {@link #storeNow}. */
    final ReentrantLock writerLock = new ReentrantLock();
    private volatile boolean sleeping;
    /** No more submits. */
    private volatile boolean stopping;
    /** No submit can add a batch any more: the thread ends once the queue is empty. */
    private volatile boolean drainAndExit;
    private volatile boolean started;
    private volatile long submitted;
    private volatile long answered;

    // writer-thread state
    private final List<JournalBatch> group = new ArrayList<>();
    private final MessagePassingQueue.Consumer<JournalBatch> collector = group::add;
    /** Written to the OS and not fsynced yet; set under {@code writerLock}, read by this thread when it parks. */
    private volatile boolean unsynced;
    private long lastSyncNanos;
    private long lastRetentionMillis;
    /** Why the last write failed, until one succeeds; null while writes succeed. Read by readiness checks. */
    private volatile String failure;
    /** Failures not logged with their stack since the last one that was (a full disk fails every cycle). */
    private int unloggedFailures;
    private long lastFailureLogNanos;

    /**
     * @param fsyncIntervalMs      with {@link FsyncPolicy#INTERVAL}, the most time written data stays unsynced
     * @param fsyncSecondsObserver gets the duration of every fsync, in seconds (the fsync latency histogram)
     */
    public JournalWriter(Journal journal, FsyncPolicy policy, long fsyncIntervalMs, Listener listener,
                         DoubleConsumer fsyncSecondsObserver) {
        this(journal, policy, fsyncIntervalMs, listener, fsyncSecondsObserver, System::nanoTime,
                System::currentTimeMillis);
    }

    JournalWriter(Journal journal, FsyncPolicy policy, long fsyncIntervalMs, Listener listener,
                  DoubleConsumer fsyncSecondsObserver, LongSupplier nanoClock, LongSupplier millisClock) {
        if (policy == FsyncPolicy.INTERVAL && fsyncIntervalMs <= 0) {
            throw new IllegalArgumentException("fsyncIntervalMs must be positive: " + fsyncIntervalMs);
        }
        this.journal = journal;
        this.policy = policy;
        this.fsyncIntervalNanos = TimeUnit.MILLISECONDS.toNanos(fsyncIntervalMs);
        this.listener = listener;
        this.fsyncSecondsObserver = fsyncSecondsObserver;
        this.nanoClock = nanoClock;
        this.millisClock = millisClock;
        this.lastSyncNanos = nanoClock.getAsLong();
        this.lastRetentionMillis = millisClock.getAsLong();
        this.thread = new Thread(this::run, "logcast-journal");
        this.thread.setDaemon(true);
    }

    /** Starts the writer thread; the journal's writer side belongs to it from now on. */
    public void start() {
        started = true;
        thread.start();
    }

    /**
     * Queues a batch and wakes the writer. Only the one producer thread may call it, and not concurrently with
     * itself.
     *
     * @return {@code false} when the writer is closing: the batch will not be stored or answered
     */
    public boolean submit(JournalBatch batch) {
        submitting.incrementAndGet();
        try {
            if (stopping) {
                return false;
            }
            submitted++;
            journalQueue.offer(batch);
        } finally {
            // a full fence (the writer sets sleeping, then looks at the queue): one of the two sees the other
            submitting.decrementAndGet();
        }
        if (sleeping) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Stores the batch on the calling thread, when that can be done at once: the policy is {@code INTERVAL} or
     * {@code NEVER}, the writer runs, nothing is queued before the batch, and the writer is not busy appending a
     * group or applying retention (an fsync in progress does not count). The batch is then written to the OS and
     * committed, and the {@link Listener} is <em>not</em> called: the caller has its answer. Only the producer
     * thread of {@link #submit} may call it.
     *
     * @return {@code true} when the batch is stored; {@code false} when it could not be done now, or the write
     *         failed (the journal is rolled back): {@link #submit} it then, and the writer stores it or reports why
     *         not
     */
    public boolean storeNow(JournalBatch batch) {
        if (policy == FsyncPolicy.ALWAYS || !started || stopping || !journalQueue.isEmpty() || !lockBriefly()) {
            return false;
        }
        boolean wake = false;
        try {
            // the writer drains the queue only under the lock, and stores what it drained before letting go
            if (stopping || !journalQueue.isEmpty() || stopped.getCount() == 0) {
                return false;
            }
            try {
                append(batch);
                journal.flush();
                journal.commit();
            } catch (IOException | RuntimeException e) {
                logFailure("journal write failed; the writer thread will try the batch again and report it", e);
                rollbackAfter(e);
                return false;
            }
            succeeded();
            // the writer thread fsyncs within the interval: it learns there is something to sync
            wake = !unsynced;
            unsynced = true;
            return true;
        } finally {
            writerLock.unlock();
            if (wake && sleeping) {
                LockSupport.unpark(thread);
            }
        }
    }

    /**
     * Takes {@code writerLock} for {@link #storeNow}, waiting up to {@link #STORE_NOW_LOCK_WAIT_NANOS} for the writer's
     * short holds (noting a sync's start or end). Giving up at once would queue the batch, and a queued batch waits
     * for the writer, which may be about to spend milliseconds in an fsync: everything the producer stores after it
     * would wait as well.
     */
    private boolean lockBriefly() {
        if (writerLock.tryLock()) {
            return true;
        }
        try {
            return writerLock.tryLock(STORE_NOW_LOCK_WAIT_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Whether the writer thread is parked, waiting for work (tests). */
    boolean idle() {
        return sleeping;
    }

    /** Batches submitted and not yet answered (durable or failed). Any thread. */
    public int backlog() {
        return (int) Math.max(0, submitted - answered);
    }

    /**
     * One duty cycle: stores the queued batches as one group, fsyncs when the interval is due, applies retention
     * when due. Writer only (tests call it directly instead of starting the thread).
     *
     * @return batches handled
     */
    int doWork() {
        assert !started || Thread.currentThread() == thread || stopped.getCount() == 0 : "journal writer thread only";
        int n;
        Journal.SyncPoint point;
        writerLock.lock();
        try {
            n = journalQueue.drain(collector, GROUP_LIMIT);
            if (n > 0) {
                storeGroup();
            }
            point = beginSyncIfDue();
            if (point == null) {
                retainIfDue();
                return n;
            }
        } finally {
            writerLock.unlock();
        }
        // a batch queued while the lock was held would wait for the fsync, and every batch after it too
        storeQueued();
        // the fsync runs without the lock: storeNow goes on writing to the OS meanwhile (a file may be written and
        // fsynced at once), so a slow disk holds up no cycle
        long start = nanoClock.getAsLong();
        Exception failure = null;
        try {
            point.force();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        long end = nanoClock.getAsLong();
        writerLock.lock();
        try {
            endSync(point, failure, start, end);
            retainIfDue();
        } finally {
            writerLock.unlock();
        }
        return n;
    }

    /** Stores the batches queued so far, as a duty cycle would, without syncing. Writer only. */
    private void storeQueued() {
        if (journalQueue.isEmpty()) {
            return;
        }
        writerLock.lock();
        try {
            if (journalQueue.drain(collector, GROUP_LIMIT) > 0) {
                storeGroup();
            }
        } finally {
            writerLock.unlock();
        }
    }

    /** With {@code INTERVAL}, when something is unsynced and the interval is up: what to fsync. Under the lock. */
    private Journal.SyncPoint beginSyncIfDue() {
        if (policy != FsyncPolicy.INTERVAL || !unsynced
                || nanoClock.getAsLong() - lastSyncNanos < fsyncIntervalNanos) {
            return null;
        }
        try {
            Journal.SyncPoint point = journal.beginSync();
            // what storeNow writes from now on is for the next fsync, which it asks for by setting this again
            unsynced = false;
            return point;
        } catch (IOException | RuntimeException e) {
            // already reported durable (written to the OS): nothing to take back; try again next interval
            LOG.log(System.Logger.Level.ERROR, "journal fsync failed", e);
            rollbackAfter(e);
            lastSyncNanos = nanoClock.getAsLong();
            return null;
        }
    }

    /** Records the outcome of the fsync of {@code point}. Under the lock. */
    private void endSync(Journal.SyncPoint point, Exception failure, long start, long end) {
        if (failure != null) {
            // already reported durable (written to the OS): nothing to take back; try again next interval
            LOG.log(System.Logger.Level.ERROR, "journal fsync failed", failure);
            unsynced = true;
            lastSyncNanos = end;
            return;
        }
        lastSyncNanos = end;
        fsyncSecondsObserver.accept((end - start) / 1e9);
        try {
            journal.completeSync(point);
        } catch (IOException | RuntimeException e) {
            // closing a synced segment's writers: they are closed again when the journal closes
            LOG.log(System.Logger.Level.WARNING, "journal could not close a finished segment", e);
        }
    }

    /**
     * Applies retention once a second, and at once when the journal has grown a whole segment past
     * {@code retention.bytes} (fast ingest would otherwise overshoot it by a second's worth of segments).
     */
    private void retainIfDue() {
        long now = millisClock.getAsLong();
        if (now - lastRetentionMillis >= RETENTION_EVERY_MS || journal.overRetentionBytes()) {
            lastRetentionMillis = now;
            try {
                journal.enforceRetention(now);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "journal retention failed", e);
            }
        }
    }

    private void storeGroup() {
        try {
            for (JournalBatch batch : group) {
                append(batch);
            }
            if (policy == FsyncPolicy.ALWAYS) {
                timedSync();
            } else {
                journal.flush();
                unsynced = true;
            }
            journal.commit();
        } catch (IOException | RuntimeException e) {
            IOException cause = e instanceof IOException io ? io : new IOException("journal append failed: " + e, e);
            logFailure("journal write failed; " + group.size() + " batches and those queued behind them are refused",
                    e);
            rollbackAfter(cause);
            for (JournalBatch batch : group) {
                fail(batch, cause);
            }
            group.clear();
            JournalBatch queued;
            while ((queued = journalQueue.poll()) != null) {
                fail(queued, cause);
            }
            return;
        }
        succeeded();
        for (JournalBatch batch : group) {
            answered++;
            try {
                listener.durable(batch);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "journal listener failed on a durable batch", e);
            }
        }
        group.clear();
    }

    /** Why writes fail right now (a full disk, an I/O error), or null while they succeed. Any thread. */
    public String failure() {
        return failure;
    }

    /**
     * Logs a failed write: with its stack the first time and then at most every 10 s, the ones between counted, so
     * that a full disk does not write a stack trace for every cycle. Under the writer lock.
     */
    private void logFailure(String what, Exception e) {
        failure = String.valueOf(e.getMessage());
        long now = nanoClock.getAsLong();
        if (unloggedFailures > 0 && now - lastFailureLogNanos < FAILURE_LOG_EVERY_NANOS) {
            unloggedFailures++;
            return;
        }
        LOG.log(System.Logger.Level.ERROR, what + (unloggedFailures > 1
                ? " (" + (unloggedFailures - 1) + " more failures since the last report)" : ""), e);
        lastFailureLogNanos = now;
        unloggedFailures = 1;
    }

    /** A write succeeded: says so once after failures. Under the writer lock. */
    private void succeeded() {
        if (failure != null) {
            LOG.log(System.Logger.Level.INFO, "journal writes succeed again");
            failure = null;
            unloggedFailures = 0;
        }
    }

    private static final long FAILURE_LOG_EVERY_NANOS = 10_000_000_000L;

    private void append(JournalBatch batch) throws IOException {
        for (int i = 0; i < batch.count(); i++) {
            journal.append(batch.id(i), batch.receivedMillis(i), batch.event(i));
        }
    }

    private void fail(JournalBatch batch, IOException cause) {
        answered++;
        try {
            listener.failed(batch, cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "journal listener failed on a failed batch", e);
        }
    }

    private void rollbackAfter(Exception cause) {
        try {
            journal.rollback();
        } catch (IOException | RuntimeException e) {
            // the journal repairs itself before it writes again, or keeps refusing
            cause.addSuppressed(e);
            LOG.log(System.Logger.Level.ERROR, "journal rollback failed", e);
        }
    }

    private void timedSync() throws IOException {
        long start = nanoClock.getAsLong();
        journal.sync();
        long end = nanoClock.getAsLong();
        lastSyncNanos = end;
        unsynced = false;
        fsyncSecondsObserver.accept((end - start) / 1e9);
    }

    private void run() {
        int idle = 0;
        try {
            while (true) {
                if (doWork() > 0) {
                    idle = 0;
                    continue;
                }
                if (drainAndExit && journalQueue.isEmpty()) {
                    break;
                }
                if (++idle < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                    continue;
                }
                sleeping = true;
                if (journalQueue.isEmpty() && !drainAndExit) {
                    LockSupport.parkNanos(this, parkNanos());
                }
                sleeping = false;
            }
            finalSync();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "journal writer stopped on an unexpected error", t);
            throw t;
        } finally {
            stopped.countDown();
        }
    }

    /** Sleeps until the next interval fsync or retention pass is due, at most {@link #MAX_PARK_NANOS}. */
    private long parkNanos() {
        long park = MAX_PARK_NANOS;
        if (policy == FsyncPolicy.INTERVAL && unsynced) {
            park = Math.min(park, Math.max(1, lastSyncNanos + fsyncIntervalNanos - nanoClock.getAsLong()));
        }
        long retentionDue = lastRetentionMillis + RETENTION_EVERY_MS - millisClock.getAsLong();
        return Math.min(park, Math.max(1, TimeUnit.MILLISECONDS.toNanos(retentionDue)));
    }

    /** Fsyncs what is still unsynced, under the lock (from the end of the thread, or close() without one). */
    private void finalSync() {
        writerLock.lock();
        try {
            if (unsynced) {
                syncOrRollback();
            }
        } finally {
            writerLock.unlock();
        }
    }

    private void syncOrRollback() {
        try {
            timedSync();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "journal fsync at close failed", e);
            rollbackAfter(e);
        }
    }

    /**
     * Stops taking batches, stores (or fails) every batch already queued, fsyncs what the policy left unsynced, and
     * stops the thread; returns
     * when it has. The journal itself stays open: close it afterwards on this thread. Any thread but the writer.
     */
    @Override
    public void close() {
        stopping = true;
        while (submitting.get() != 0) {
            Thread.onSpinWait();
        }
        drainAndExit = true;
        if (started) {
            LockSupport.unpark(thread);
            boolean interrupted = false;
            while (true) {
                try {
                    stopped.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } else if (stopped.getCount() != 0) {
            while (doWork() > 0) {
                // drain on the caller: the thread never ran
            }
            finalSync();
            stopped.countDown();
        }
    }
}
