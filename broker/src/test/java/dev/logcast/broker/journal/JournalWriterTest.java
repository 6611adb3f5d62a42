package dev.logcast.broker.journal;

import static dev.logcast.broker.journal.Events.T0;
import static dev.logcast.broker.journal.Events.event;
import static dev.logcast.broker.journal.Events.ids;
import static dev.logcast.broker.journal.Events.range;
import static dev.logcast.broker.journal.Events.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.LogEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The group-commit writer, stepped with {@link JournalWriter#doWork()} on the test thread and a fake clock. */
class JournalWriterTest {
    private static final long MS = 1_000_000;

    @TempDir
    Path dir;
    private final FaultyFiles files = new FaultyFiles();
    private final List<String> outcomes = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Double> fsyncSeconds = new ArrayList<>();
    private long nanos;
    private long millis = T0;
    private Journal journal;

    private final JournalWriter.Listener listener = new JournalWriter.Listener() {
        @Override
        public void durable(JournalBatch batch) {
            assertThat(journal.committedId()).isGreaterThanOrEqualTo(batch.lastId());
            outcomes.add("durable " + batch.firstId() + " after " + fsyncSeconds.size() + " fsyncs");
        }

        @Override
        public void failed(JournalBatch batch, IOException cause) {
            outcomes.add("failed " + batch.firstId() + ": " + cause.getMessage());
        }
    };

    @BeforeEach
    void open() throws IOException {
        journal = Journal.open(dir, new JournalSettings(SEGMENT, RETENTION, 0, 1024), files);
    }

    @AfterEach
    void close() throws IOException {
        journal.close();
    }

    private JournalWriter writer(FsyncPolicy policy) {
        return new JournalWriter(journal, policy, 100, listener, fsyncSeconds::add, () -> nanos, () -> millis);
    }

    /** Events {@code first .. first + count - 1}. */
    static JournalBatch batch(long first, int count) {
        long[] ids = new long[count];
        long[] received = new long[count];
        LogEvent[] events = new LogEvent[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + i;
            received[i] = T0 + first + i;
            events[i] = event(first + i);
        }
        return new JournalBatch(ids, received, events, count, "cycle " + first);
    }

    @Test
    void queuedBatchesShareOneWriteAndOneFsyncAndAreDurableInOrder() throws IOException {
        JournalWriter writer = writer(FsyncPolicy.ALWAYS);
        for (int b = 0; b < 50; b++) {
            assertThat(writer.submit(batch(1 + b * 100L, 100))).isTrue();
        }
        assertThat(writer.backlog()).isEqualTo(50);

        assertThat(writer.doWork()).isEqualTo(50);

        assertThat(fsyncSeconds).hasSize(1);
        List<String> expected = new ArrayList<>();
        for (int b = 0; b < 50; b++) {
            expected.add("durable " + (1 + b * 100) + " after 1 fsyncs");
        }
        assertThat(outcomes).isEqualTo(expected);
        assertThat(writer.backlog()).isZero();
        assertThat(journal.committedId()).isEqualTo(5000);

        // the next group fits the active segment: one force of its log (no new segment, so not the directory)
        int forces = files.forces.get();
        int segments = journal.segments();
        for (int b = 0; b < 20; b++) {
            writer.submit(batch(5001 + b, 1));
        }
        assertThat(writer.doWork()).isEqualTo(20);
        assertThat(journal.segments()).isEqualTo(segments);
        assertThat(fsyncSeconds).hasSize(2);
        assertThat(files.forces.get() - forces).isEqualTo(1);
        assertThat(writer.doWork()).as("nothing queued: no fsync").isZero();
        assertThat(fsyncSeconds).hasSize(2);
        writer.close();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 5020));
    }

    @Test
    void aFailedWriteFailsItsGroupAndEverythingQueuedThenTheNextBatchTriesAgain() throws IOException {
        JournalWriter writer = writer(FsyncPolicy.ALWAYS);
        writer.submit(batch(1, 10));
        writer.doWork();
        outcomes.clear();

        files.writeBudget = 0;
        int queued = JournalWriter.GROUP_LIMIT + 3;
        for (int b = 0; b < queued; b++) {
            writer.submit(batch(11 + b, 1));
        }
        assertThat(writer.doWork()).isEqualTo(JournalWriter.GROUP_LIMIT);

        assertThat(outcomes).hasSize(queued);
        for (int b = 0; b < queued; b++) {
            assertThat(outcomes.get(b)).isEqualTo("failed " + (11 + b) + ": injected: No space left on device");
        }
        assertThat(writer.backlog()).isZero();
        assertThat(journal.lastId()).isEqualTo(10);
        assertThat(journal.committedId()).isEqualTo(10);

        // space comes back: the writer is still there
        outcomes.clear();
        files.heal();
        writer.submit(batch(5000, 5));
        writer.doWork();
        assertThat(outcomes).containsExactly("durable 5000 after 2 fsyncs");
        writer.close();
        List<Long> expected = new ArrayList<>(range(1, 10));
        expected.addAll(range(5000, 5004));
        assertThat(ids(readAll(journal, 0))).isEqualTo(expected);
    }

    @Test
    void aFailedFsyncFailsTheGroup() {
        JournalWriter writer = writer(FsyncPolicy.ALWAYS);
        files.failForce = true;
        writer.submit(batch(1, 10));
        writer.submit(batch(11, 10));
        writer.doWork();
        assertThat(outcomes).containsExactly("failed 1: injected: fsync failed (EIO)",
                "failed 11: injected: fsync failed (EIO)");
        assertThat(journal.committedId()).isZero();
        files.heal();
        writer.submit(batch(21, 1));
        writer.doWork();
        assertThat(outcomes).endsWith("durable 21 after 1 fsyncs");
    }

    @Test
    void intervalWritesToTheOsAndFsyncsWhenTheIntervalIsDue() {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        writer.submit(batch(1, 10));
        writer.doWork();
        assertThat(outcomes).containsExactly("durable 1 after 0 fsyncs");
        assertThat(journal.committedId()).isEqualTo(10);

        nanos = 99 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).isEmpty();
        nanos = 100 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).hasSize(1);
        nanos = 250 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).as("nothing written since").hasSize(1);

        writer.submit(batch(11, 10));
        nanos = 260 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).as("the interval since the last fsync has passed: at once").hasSize(2);
        writer.submit(batch(21, 10));
        nanos = 300 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).hasSize(2);
        nanos = 360 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).hasSize(3);
        writer.close();
        assertThat(fsyncSeconds).as("nothing left to sync at close").hasSize(3);
    }

    @Test
    void neverFsyncsOnlyAtClose() {
        JournalWriter writer = writer(FsyncPolicy.NEVER);
        // the first append reserves ids (a file forced, once per million ids): not a sync of the events
        writer.submit(batch(1, 1));
        writer.doWork();
        int forces = files.forces.get();
        for (int b = 1; b < 100; b++) {
            writer.submit(batch(1 + b * 10L, 10));
            nanos += 50 * MS;
            writer.doWork();
        }
        assertThat(outcomes).hasSize(100).allMatch(o -> o.startsWith("durable"));
        assertThat(fsyncSeconds).isEmpty();
        assertThat(files.forces.get()).isEqualTo(forces);
        writer.close();
        assertThat(fsyncSeconds).hasSize(1);
        assertThat(files.forces.get()).isGreaterThan(forces);
    }

    @Test
    void closeStoresWhatIsQueuedAndRefusesNewBatches() throws IOException {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        writer.submit(batch(1, 5));
        writer.submit(batch(6, 5));
        writer.close();
        assertThat(outcomes).containsExactly("durable 1 after 0 fsyncs", "durable 6 after 0 fsyncs");
        assertThat(fsyncSeconds).hasSize(1);
        assertThat(writer.submit(batch(11, 5))).isFalse();
        assertThat(writer.backlog()).isZero();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 10));
    }

    private static final long SEGMENT = 16 << 10;
    private static final long RETENTION = 512 << 10;

    @Test
    void retentionRunsFromTheWriterAboutOnceASecond() {
        JournalWriter writer = writer(FsyncPolicy.NEVER);
        long id = 1;
        // over retention.bytes, but by less than a segment
        while (journal.bytes() <= RETENTION) {
            writer.submit(batch(id, 10));
            id += 10;
            writer.doWork();
        }
        assertThat(journal.bytes()).isLessThanOrEqualTo(RETENTION + SEGMENT);
        millis += 999;
        writer.doWork();
        assertThat(journal.bytes()).isGreaterThan(RETENTION);
        millis += 1;
        writer.doWork();
        assertThat(journal.bytes()).isLessThanOrEqualTo(RETENTION);
        writer.close();
    }

    @Test
    void retentionRunsAtOnceWhenTheJournalIsASegmentOverItsBytes() {
        JournalWriter writer = writer(FsyncPolicy.NEVER);
        for (int b = 0; b < 150; b++) {
            writer.submit(batch(1 + b * 100L, 100));
        }
        writer.doWork();
        assertThat(journal.bytes()).as("no second has passed, but about 900 KB is over 512 KiB + a segment")
                .isLessThanOrEqualTo(RETENTION);
        writer.close();
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheWriter() {
        List<Long> durable = new ArrayList<>();
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.ALWAYS, 100, new JournalWriter.Listener() {
            @Override
            public void durable(JournalBatch batch) {
                durable.add(batch.firstId());
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void failed(JournalBatch batch, IOException cause) {
                throw new IllegalStateException("listener bug");
            }
        }, s -> { }, () -> nanos, () -> millis);
        writer.submit(batch(1, 1));
        writer.submit(batch(2, 1));
        writer.doWork();
        writer.submit(batch(3, 1));
        writer.doWork();
        assertThat(durable).containsExactly(1L, 2L, 3L);
        assertThat(writer.backlog()).isZero();
    }

    @Test
    @Timeout(30)
    void closeWhileTheThreadRunsAnswersEveryQueuedBatchBeforeItReturns() throws IOException {
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.INTERVAL, 100, new JournalWriter.Listener() {
            @Override
            public void durable(JournalBatch batch) {
                synchronized (outcomes) {
                    outcomes.add("durable " + batch.firstId());
                }
            }

            @Override
            public void failed(JournalBatch batch, IOException cause) {
                throw new AssertionError(cause);
            }
        }, fsyncSeconds::add);
        writer.start();
        for (int b = 0; b < 500; b++) {
            writer.submit(batch(1 + b * 10L, 10));
        }
        writer.close();
        synchronized (outcomes) {
            assertThat(outcomes).hasSize(500).startsWith("durable 1").endsWith("durable 4991");
        }
        assertThat(writer.backlog()).isZero();
        assertThat(fsyncSeconds).isNotEmpty();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 5000));
    }

    @Test
    @Timeout(30)
    void theWriterThreadStoresEverySubmittedBatchAndAnswersInOrder() throws Exception {
        int batches = 2000;
        CountDownLatch answered = new CountDownLatch(batches);
        List<Long> durable = new ArrayList<>();
        List<String> threads = new ArrayList<>();
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.ALWAYS, 100, new JournalWriter.Listener() {
            @Override
            public void durable(JournalBatch batch) {
                durable.add(batch.firstId());
                threads.add(Thread.currentThread().getName());
                answered.countDown();
            }

            @Override
            public void failed(JournalBatch batch, IOException cause) {
                throw new AssertionError(cause);
            }
        }, fsyncSeconds::add);
        writer.start();
        for (int b = 0; b < batches; b++) {
            assertThat(writer.submit(batch(1 + b * 10L, 10))).isTrue();
        }
        assertThat(answered.await(20, TimeUnit.SECONDS)).isTrue();
        writer.close();
        assertThat(writer.submit(batch(1_000_000, 1))).isFalse();
        assertThat(writer.backlog()).isZero();
        List<Long> expected = new ArrayList<>();
        for (int b = 0; b < batches; b++) {
            expected.add(1 + b * 10L);
        }
        assertThat(durable).isEqualTo(expected);
        assertThat(threads).containsOnly("logcast-journal");
        // group commit: far fewer fsyncs than batches
        assertThat(fsyncSeconds.size()).isLessThan(batches);
        assertThat(journal.committedId()).isEqualTo(batches * 10L);
    }

    /** Starts the writer thread and waits until it is parked with nothing to do. */
    private static void startIdle(JournalWriter writer) throws InterruptedException {
        writer.start();
        awaitIdle(writer);
    }

    /**
     * {@link JournalWriter#storeNow} once the writer is parked; tried again if the writer woke in between (its
     * periodic wake-up takes the lock for a moment), which leaves nothing changed.
     */
    private static boolean storeWhenIdle(JournalWriter writer, JournalBatch batch) throws InterruptedException {
        for (int attempt = 0; attempt < 100; attempt++) {
            awaitIdle(writer);
            if (writer.storeNow(batch)) {
                return true;
            }
        }
        return false;
    }

    private static void awaitIdle(JournalWriter writer) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!writer.idle()) {
            assertThat(System.nanoTime()).as("the writer thread parks when idle").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    @Timeout(30)
    void storeNowWritesOnTheCallerWhenTheWriterIsIdleAndTheListenerIsNotCalled() throws Exception {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        startIdle(writer);
        assertThat(storeWhenIdle(writer, batch(1, 10))).isTrue();
        assertThat(journal.committedId()).as("written and committed when the call returns").isEqualTo(10);
        assertThat(writer.backlog()).isZero();
        assertThat(storeWhenIdle(writer, batch(11, 5))).isTrue();
        writer.close();
        assertThat(outcomes).as("the caller had its answer").isEmpty();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 15));
    }

    @Test
    @Timeout(30)
    void storeNowAndSubmitMixedKeepTheJournalInOrder() throws Exception {
        JournalWriter writer = writer(FsyncPolicy.NEVER);
        startIdle(writer);
        int now = 0;
        for (int b = 0; b < 500; b++) {
            JournalBatch batch = batch(1 + b * 3L, 3);
            if (writer.storeNow(batch)) {
                now++;
            } else {
                assertThat(writer.submit(batch)).isTrue();
            }
            if (b % 50 == 0) {
                awaitIdle(writer);
            }
        }
        writer.close();
        assertThat(now).as("stored on the caller when the writer was idle").isPositive();
        assertThat(outcomes).as("every submitted batch answered, none of the others").hasSize(500 - now);
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 1500));
    }

    @Test
    @Timeout(30)
    void storeNowIsRefusedWithFsyncAlwaysBeforeStartAndAfterClose() throws Exception {
        JournalWriter always = writer(FsyncPolicy.ALWAYS);
        startIdle(always);
        assertThat(always.storeNow(batch(1, 1))).as("always: the 202 waits for the group's fsync").isFalse();
        always.close();

        JournalWriter interval = writer(FsyncPolicy.INTERVAL);
        assertThat(interval.storeNow(batch(1, 1))).as("not started").isFalse();
        interval.start();
        interval.close();
        assertThat(interval.storeNow(batch(1, 1))).as("closed").isFalse();
        assertThat(journal.lastId()).isZero();
    }

    @Test
    @Timeout(30)
    void aFailedStoreNowRollsBackThenTheWriterTriesTheBatchAndReportsIt() throws Exception {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        startIdle(writer);
        assertThat(storeWhenIdle(writer, batch(1, 10))).isTrue();
        awaitIdle(writer);

        files.writeBudget = 0;
        JournalBatch refused = batch(11, 10);
        assertThat(writer.storeNow(refused)).isFalse();
        assertThat(journal.committedId()).isEqualTo(10);
        assertThat(writer.submit(refused)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (writer.backlog() > 0) {
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(1);
        }
        files.heal();
        assertThat(storeWhenIdle(writer, batch(21, 5))).isTrue();
        writer.close();
        assertThat(outcomes).containsExactly("failed 11: injected: No space left on device");
        List<Long> expected = new ArrayList<>(range(1, 10));
        expected.addAll(range(21, 25));
        assertThat(ids(readAll(journal, 0))).isEqualTo(expected);
    }

    @Test
    @Timeout(30)
    void whatStoreNowWroteIsFsyncedByTheWriterWhenTheIntervalIsDue() throws Exception {
        CountDownLatch synced = new CountDownLatch(1);
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.INTERVAL, 100, listener,
                seconds -> synced.countDown(), System::nanoTime, System::currentTimeMillis);
        startIdle(writer);
        int forces = files.forces.get();
        assertThat(storeWhenIdle(writer, batch(1, 10))).isTrue();
        assertThat(synced.await(10, TimeUnit.SECONDS)).as("fsynced by the writer thread").isTrue();
        assertThat(files.forces.get()).isGreaterThan(forces);
        writer.close();
    }

    @Test
    @Timeout(30)
    void anIntervalFsyncHoldsUpNoStoreNowAndTheNextFsyncCoversWhatWasWrittenDuringIt() throws Exception {
        CountDownLatch inFsync = new CountDownLatch(1);
        CountDownLatch diskDone = new CountDownLatch(1);
        List<Double> synced = java.util.Collections.synchronizedList(new ArrayList<>());
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.INTERVAL, 100, listener, synced::add,
                System::nanoTime, System::currentTimeMillis);
        startIdle(writer);
        assertThat(storeWhenIdle(writer, batch(1, 10))).isTrue();
        files.beforeForce = () -> {
            inFsync.countDown();
            try {
                diskDone.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        assertThat(inFsync.await(10, TimeUnit.SECONDS)).as("the writer's interval fsync began").isTrue();

        assertThat(writer.storeNow(batch(11, 10))).as("stored while the disk syncs").isTrue();
        assertThat(journal.committedId()).isEqualTo(20);
        files.beforeForce = null;
        diskDone.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (synced.size() < 2) {
            assertThat(System.nanoTime()).as("a second fsync for what was written during the first")
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
        writer.close();
        assertThat(outcomes).isEmpty();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 20));
    }

    @Test
    void aBatchQueuedWhileTheWriterNotesASyncIsStoredBeforeTheFsyncNotAfterIt() throws IOException {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        writer.submit(batch(1, 10));
        writer.doWork();
        // the producer found the lock taken while the writer noted what to sync (it writes the index then)
        files.beforeWrite = () -> {
            files.beforeWrite = null;
            writer.submit(batch(11, 10));
        };
        List<Long> committedAtFsync = new ArrayList<>();
        files.beforeForce = () -> committedAtFsync.add(journal.committedId());
        nanos = 100 * MS;
        writer.doWork();
        assertThat(committedAtFsync).as("stored before the fsync began").isNotEmpty().allMatch(id -> id == 20);
        assertThat(outcomes).containsExactly("durable 1 after 0 fsyncs", "durable 11 after 0 fsyncs");
        writer.close();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 20));
    }

    @Test
    @Timeout(30)
    void storeNowWaitsOutAShortHoldOfTheLockAndQueuesOnlyWhenTheHoldIsLong() throws Exception {
        JournalWriter writer = new JournalWriter(journal, FsyncPolicy.INTERVAL, 100, listener, fsyncSeconds::add,
                System::nanoTime, System::currentTimeMillis);
        startIdle(writer);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            writer.writerLock.lock();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                writer.writerLock.unlock();
            }
        });
        holder.start();
        held.await();
        long start = System.nanoTime();
        assertThat(writer.storeNow(batch(1, 10))).as("a hold longer than the wait: queue instead").isFalse();
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(JournalWriter.STORE_NOW_LOCK_WAIT_NANOS);
        release.countDown();
        holder.join();
        assertThat(writer.submit(batch(1, 10))).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (outcomes.size() < 1) {
            assertThat(System.nanoTime()).as("the queued batch is stored").isLessThan(deadline);
            Thread.sleep(1);
        }
        awaitIdle(writer);

        // a hold that ends within the wait: the batch is stored on the caller, not queued
        CountDownLatch heldAgain = new CountDownLatch(1);
        Thread shortHolder = new Thread(() -> {
            writer.writerLock.lock();
            try {
                heldAgain.countDown();
                LockSupport.parkNanos(JournalWriter.STORE_NOW_LOCK_WAIT_NANOS / 10);
            } finally {
                writer.writerLock.unlock();
            }
        });
        shortHolder.start();
        heldAgain.await();
        boolean stored = writer.storeNow(batch(11, 10));
        shortHolder.join();
        if (stored) {
            assertThat(outcomes).as("stored on the caller: no listener call").hasSize(1);
        } else {
            // a descheduled holder can outlast the wait on a busy machine: then the queued path stores it
            assertThat(writer.submit(batch(11, 10))).isTrue();
        }
        writer.close();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 20));
    }

    @Test
    void aFailedIntervalFsyncIsTriedAgainAtTheNextInterval() throws IOException {
        JournalWriter writer = writer(FsyncPolicy.INTERVAL);
        writer.submit(batch(1, 10));
        writer.doWork();
        files.failForce = true;
        nanos = 100 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).isEmpty();
        assertThat(outcomes).as("already answered: nothing taken back").containsExactly("durable 1 after 0 fsyncs");
        files.heal();
        int forces = files.forces.get();
        nanos = 150 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).as("not before the next interval").isEmpty();
        nanos = 200 * MS;
        writer.doWork();
        assertThat(fsyncSeconds).hasSize(1);
        assertThat(files.forces.get()).isGreaterThan(forces);
        writer.submit(batch(11, 1));
        writer.doWork();
        writer.close();
        assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 11));
    }
}
