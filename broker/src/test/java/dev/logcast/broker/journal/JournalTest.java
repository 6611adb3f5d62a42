package dev.logcast.broker.journal;

import static dev.logcast.broker.journal.Events.T0;
import static dev.logcast.broker.journal.Events.appendCommitted;
import static dev.logcast.broker.journal.Events.event;
import static dev.logcast.broker.journal.Events.ids;
import static dev.logcast.broker.journal.Events.range;
import static dev.logcast.broker.journal.Events.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.logcast.protocol.Level;
import dev.logcast.protocol.LogEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    private static final JournalSettings SMALL = new JournalSettings(64 << 10, 0, 0, 1024);

    @TempDir
    Path dir;

    @Test
    void appendedEventsReadBackWithEveryFieldAndAttrType() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            assertThat(journal.recovery()).isEqualTo(new RecoveryReport(0, 0, 0, 0, 0,
                    journal.recovery().millis()));
            journal.append(7, T0 + 1, Events.everything());
            journal.append(8, T0 + 2, new LogEvent(0, Level.TRACE, "", "", "", "", null, null));
            journal.append(9, T0 + 3, event(9));
            journal.flush();
            assertThat(journal.lastId()).isEqualTo(9);
            assertThat(journal.committedId()).isZero();
            assertThat(readAll(journal, 0)).as("nothing is visible before the commit").isEmpty();

            journal.commit();
            List<StoredEvent> read = readAll(journal, 0);
            assertThat(ids(read)).containsExactly(7L, 8L, 9L);
            Events.assertStored(read.get(0), 7, T0 + 1, Events.everything());
            Events.assertStored(read.get(1), 8, T0 + 2, new LogEvent(0, Level.TRACE, "", "", "", "", null, null));
            Events.assertStored(read.get(2), 9, T0 + 3, event(9));
            assertThat(journal.firstId()).isEqualTo(7);
            assertThat(journal.committedId()).isEqualTo(9);
            assertThat(journal.segments()).isEqualTo(1);
            assertThat(journal.bytes()).isEqualTo(Files.size(dir.resolve(Segment.fileName(7, ".log"))));
        }
    }

    @Test
    void readFromAnyIdSeeksInsteadOfScanning() throws IOException {
        JournalSettings settings = new JournalSettings(256 << 10, 0, 0, 4096);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 30_000);
            assertThat(journal.segments()).isGreaterThan(5);
            // an index entry every 4 KiB of records of about 60 bytes: under 100 records from an entry to any id
            Random random = new Random(3);
            for (int i = 0; i < 200; i++) {
                long after = random.nextLong(0, 30_000);
                long before = journal.recordsRead();
                List<StoredEvent> out = new ArrayList<>();
                long last = journal.read(after, 1, e -> true, out::add);
                assertThat(ids(out)).containsExactly(after + 1);
                assertThat(last).isEqualTo(after + 1);
                assertThat(journal.recordsRead() - before).as("records read to find %d", after + 1)
                        .isLessThanOrEqualTo(4096 / 60 + 2);
            }
        }
    }

    @Test
    void tailStartFindsTheNewestMatchesAcrossSegmentsWithinItsBudget() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            appendCommitted(journal, 1, 5_000);
            assertThat(journal.segments()).isGreaterThan(3);
            // source svc-0: ids divisible by 3
            java.util.function.Predicate<LogEvent> svc0 = e -> e.source().equals("svc-0");

            assertThat(journal.tailStart(4_001, 1, svc0, Long.MAX_VALUE)).as("newest match below 4001: 3999")
                    .isEqualTo(3_998);
            assertThat(journal.tailStart(4_001, 1_000, svc0, Long.MAX_VALUE)).as("1000 back from 3999: 1002")
                    .isEqualTo(1_001);
            assertThat(journal.tailStart(4_001, 1_333, svc0, Long.MAX_VALUE)).as("all 1333 matches below 4001")
                    .isEqualTo(2);
            assertThat(journal.tailStart(4_001, 5_000, svc0, Long.MAX_VALUE)).as("fewer than asked: from the oldest")
                    .isEqualTo(2);
            assertThat(journal.tailStart(4_001, 10, e -> false, Long.MAX_VALUE)).as("none").isEqualTo(4_000);
            assertThat(journal.tailStart(4_001, 0, svc0, Long.MAX_VALUE)).as("tail=0").isEqualTo(4_000);
            // a budget of one record: only the newest segment below 4001 is read, whatever it holds
            long partial = journal.tailStart(4_001, 5_000, svc0, 1);
            assertThat(partial).isGreaterThan(2).isLessThan(3_998);
            assertThat(partial % 3).as("just before a match").isEqualTo(2);
        }
    }

    @Test
    void readPassesAtMostMaxMatchingEventsAndReturnsTheLastIdLookedAt() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            appendCommitted(journal, 1, 100);
            List<StoredEvent> out = new ArrayList<>();
            long last = journal.read(10, 3, e -> e.level() == Level.ERROR, out::add);
            assertThat(ids(out)).containsExactly(16L, 22L, 28L);
            assertThat(last).isEqualTo(28);

            out.clear();
            assertThat(journal.read(90, 100, e -> false, out::add)).as("no match: read to the end").isEqualTo(100);
            assertThat(journal.read(100, 10, e -> true, out::add)).isEqualTo(100);
            assertThat(journal.read(20, 40L, 100, e -> true, out::add)).as("up to an id").isEqualTo(40);
            assertThat(ids(out)).isEqualTo(range(21, 40));
        }
    }

    @Test
    void aReadLooksAtNoMoreThanTheScanLimit() throws IOException {
        try (Journal journal = Journal.open(dir, JournalSettings.defaults(0, 0))) {
            appendCommitted(journal, 1, Journal.SCAN_LIMIT + 10);
            List<StoredEvent> out = new ArrayList<>();
            assertThat(journal.read(5, 10, e -> false, out::add)).isEqualTo(5 + Journal.SCAN_LIMIT);
            assertThat(out).isEmpty();
        }
    }

    @Test
    void reopenKeepsEverythingAndContinuesAfterTheLastId() throws IOException {
        JournalSettings settings = new JournalSettings(16 << 10, 0, 0, 512);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 1000);
        }
        int segments;
        try (Journal journal = Journal.open(dir, settings)) {
            RecoveryReport report = journal.recovery();
            assertThat(report.events()).isEqualTo(1000);
            assertThat(report.truncatedBytes()).isZero();
            assertThat(report.firstId()).isEqualTo(1);
            assertThat(report.lastId()).isEqualTo(1000);
            assertThat(report.segments()).isEqualTo(journal.segments()).isGreaterThan(3);
            assertThat(journal.lastId()).isEqualTo(1000);
            assertThat(journal.committedId()).isEqualTo(1000);
            assertThatThrownBy(() -> journal.append(1000, T0, event(1000))).isInstanceOf(
                    IllegalArgumentException.class);
            appendCommitted(journal, 1001, 1500);
            segments = journal.segments();
        }
        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.recovery().events()).isEqualTo(1500);
            assertThat(journal.segments()).isEqualTo(segments);
            List<StoredEvent> all = readAll(journal, 0);
            assertThat(ids(all)).isEqualTo(range(1, 1500));
            Events.assertStored(all.get(1234), 1235, T0 + 1235, event(1235));
        }
    }

    @Test
    void retentionByBytesDeletesWholeOldestSegments() throws IOException {
        JournalSettings settings = new JournalSettings(8 << 10, 32 << 10, 0, 1024);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 3000);
            long before = journal.bytes();
            int segmentsBefore = journal.segments();
            assertThat(before).isGreaterThan(150 << 10);

            int deleted = journal.enforceRetention(T0 + 3000);

            assertThat(deleted).isEqualTo(segmentsBefore - journal.segments()).isPositive();
            assertThat(journal.bytes()).isLessThanOrEqualTo(32 << 10).isGreaterThan((32 << 10) - (8 << 10));
            assertThat(logFiles()).hasSize(journal.segments());
            assertThat(Files.exists(dir.resolve(Segment.fileName(1, ".idx")))).isFalse();
            long first = journal.firstId();
            assertThat(logFiles().get(0).getFileName().toString()).isEqualTo(Segment.fileName(first, ".log"));
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(first, 3000));
            assertThat(journal.enforceRetention(T0 + 3000)).isZero();
        }
    }

    @Test
    void aReadFromIdsThatRetentionDeletedReportsThemLost() throws IOException {
        JournalSettings settings = new JournalSettings(8 << 10, 32 << 10, 0, 1024);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 3000);
            journal.enforceRetention(T0 + 3000);
            long first = journal.firstId();
            assertThat(first).isGreaterThan(100);

            // a reader that was at id 100 when retention deleted what follows (a resume, a replay in chunks)
            List<StoredEvent> read = new ArrayList<>();
            long[] lost = new long[2];
            long last = journal.read(100, 3000, 10, e -> true, read::add, lost);

            assertThat(lost).containsExactly(101, first - 1);
            assertThat(ids(read)).isEqualTo(range(first, first + 9));
            assertThat(last).isEqualTo(first + 9);

            // a filtered read that matches nothing before the lost ids still reports them first
            List<StoredEvent> some = new ArrayList<>();
            long[] lostToo = new long[2];
            journal.read(100, 3000, 1, e -> e.msg().endsWith("2999"), some::add, lostToo);
            assertThat(lostToo).containsExactly(101, first - 1);
            assertThat(ids(some)).containsExactly(2999L);

            // everything wanted is gone: all of it is lost, and the read goes on after it
            long[] allLost = new long[2];
            assertThat(journal.read(100, first - 1, 10, e -> true, e -> { }, allLost)).isEqualTo(first - 1);
            assertThat(allLost).containsExactly(101, first - 1);
        }
    }

    @Test
    void retentionByAgeDeletesSegmentsWhoseNewestRecordIsOlderButNeverTheActiveOne() throws IOException {
        JournalSettings settings = new JournalSettings(4 << 10, 0, 60_000, 1024);
        try (Journal journal = Journal.open(dir, settings)) {
            // received T0 + i: ids 1..1000 are one second apart in receive time
            for (long i = 1; i <= 1000; i++) {
                journal.append(i, T0 + i * 1000, event(i));
            }
            journal.flush();
            journal.commit();
            int segments = journal.segments();
            assertThat(segments).isGreaterThan(10);

            // now = id 1000's receive time: records up to id 939 are more than 60 s old
            int deleted = journal.enforceRetention(T0 + 1000 * 1000);
            long first = journal.firstId();
            assertThat(deleted).isEqualTo(segments - journal.segments());
            assertThat(first).as("the oldest segment left holds id 940 or a later one holds it").isLessThanOrEqualTo(940)
                    .as("no segment wholly older than 60 s is left").isGreaterThan(940 - 100);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(first, 1000));

            int left = journal.segments();
            assertThat(journal.enforceRetention(T0 + 10_000_000)).isEqualTo(left - 1);
            assertThat(journal.segments()).as("the active segment stays").isEqualTo(1);
            assertThat(journal.firstId()).isGreaterThan(first);
            assertThat(journal.lastId()).isEqualTo(1000);
        }
    }

    @Test
    void readersSeeOnlyCommittedRecordsInOrderWhileTheWriterAppendsAndRetentionDeletes() throws Exception {
        JournalSettings settings = new JournalSettings(16 << 10, 64 << 10, 0, 1024);
        long last = 20_000;
        try (Journal journal = Journal.open(dir, settings)) {
            List<Throwable> errors = new ArrayList<>();
            List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Thread reader = new Thread(() -> {
                    long cursor = 0;
                    try {
                        while (cursor < last) {
                            List<StoredEvent> out = new ArrayList<>();
                            long committedBefore = journal.committedId();
                            long next = journal.read(cursor, 500, e -> true, out::add);
                            long committedAfter = journal.committedId();
                            long expected = cursor;
                            for (StoredEvent stored : out) {
                                if (stored.id() != expected + 1) {
                                    // only a jump to the oldest segment, over what retention deleted meanwhile
                                    assertThat(stored.id()).as("after %d", expected)
                                            .isLessThanOrEqualTo(journal.firstId());
                                }
                                assertThat(stored.id()).as("event after %d", expected).isGreaterThan(expected)
                                        .isLessThanOrEqualTo(committedAfter);
                                assertThat(stored.event().msg()).isEqualTo("message number " + stored.id());
                                expected = stored.id();
                            }
                            assertThat(next).isGreaterThanOrEqualTo(cursor).isLessThanOrEqualTo(committedAfter);
                            if (committedBefore > cursor) {
                                assertThat(next).as("progress after %d (committed %d, %s)", cursor, committedBefore,
                                        journal).isGreaterThan(cursor);
                            }
                            cursor = next;
                        }
                    } catch (Throwable t) {
                        synchronized (errors) {
                            errors.add(t);
                        }
                    }
                }, "journal-reader-" + r);
                reader.start();
                readers.add(reader);
            }
            for (long from = 1; from <= last; from += 100) {
                for (long i = from; i < from + 100; i++) {
                    journal.append(i, T0 + i, event(i));
                }
                // written but not committed: readers must not see these yet
                journal.flush();
                journal.commit();
                if (from % 1000 == 1) {
                    journal.enforceRetention(T0);
                }
            }
            for (Thread reader : readers) {
                reader.join();
            }
            assertThat(errors).isEmpty();
            journal.enforceRetention(T0);
            assertThat(journal.bytes()).isLessThanOrEqualTo(64 << 10);
        }
    }

    @Test
    void readersNeverSeeWhatARollbackDropsEvenWhenItsIdsComeBackWithOtherEvents() throws Exception {
        FaultyFiles files = new FaultyFiles();
        JournalSettings settings = new JournalSettings(8 << 10, 0, 0, 256);
        long last = 6000;
        try (Journal journal = Journal.open(dir, settings, files)) {
            List<Throwable> errors = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    long cursor = 0;
                    while (cursor < last) {
                        long expected = cursor;
                        List<StoredEvent> out = new ArrayList<>();
                        cursor = journal.read(cursor, 300, e -> true, out::add);
                        for (StoredEvent stored : out) {
                            assertThat(stored.id()).isEqualTo(++expected);
                            assertThat(stored.event().msg()).isEqualTo("message number " + stored.id());
                        }
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }, "journal-reader");
            reader.start();
            LogEvent doomed = new LogEvent(T0, Level.ERROR, "log", "s", "main", "rolled back", null, null);
            for (long from = 1; from <= last; from += 50) {
                if (from % 150 == 1) {
                    // a group that fails half-way through its write, after rolling over a segment or not
                    files.writeBudget = 1000 + from % 7000;
                    try {
                        for (long i = from; i < from + 200; i++) {
                            journal.append(i, T0, doomed);
                        }
                        journal.flush();
                        throw new AssertionError("the write should have failed");
                    } catch (IOException expected) {
                        journal.rollback();
                    }
                    files.heal();
                }
                appendCommitted(journal, from, from + 49);
            }
            reader.join();
            assertThat(errors).isEmpty();
        }
    }

    @Test
    void rollbackAfterAFailedWriteLeavesTheJournalAsAtTheLastCommit() throws IOException {
        FaultyFiles files = new FaultyFiles();
        JournalSettings settings = new JournalSettings(8 << 10, 0, 0, 1024);
        try (Journal journal = Journal.open(dir, settings, files)) {
            appendCommitted(journal, 1, 100);
            long bytes = journal.bytes();
            List<String> filesBefore = listing();

            // the disk fills up in the middle of a group that spans several new segments
            files.writeBudget = 20_000;
            assertThatThrownBy(() -> appendCommitted(journal, 101, 1000)).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left");
            assertThatThrownBy(() -> journal.append(1001, T0, event(1001))).isInstanceOf(
                    IllegalStateException.class).hasMessageContaining("rollback");
            assertThatThrownBy(journal::commit).isInstanceOf(IllegalStateException.class);

            journal.rollback();
            assertThat(journal.lastId()).isEqualTo(100);
            assertThat(journal.committedId()).isEqualTo(100);
            assertThat(journal.bytes()).isEqualTo(bytes);
            assertThat(listing()).isEqualTo(filesBefore);
            assertThat(Files.size(logFiles().get(logFiles().size() - 1))).isEqualTo(
                    journal.bytes() - sizeOfAllButLast());
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 100));

            // space returns: the same ids go in again
            files.heal();
            appendCommitted(journal, 101, 1000);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 1000));
        }
        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.recovery().truncatedBytes()).isZero();
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 1000));
        }
    }

    @Test
    void rollbackAfterAFailedFsyncDropsTheUnsyncedGroupEvenThoughItWasWritten() throws IOException {
        FaultyFiles files = new FaultyFiles();
        try (Journal journal = Journal.open(dir, SMALL, files)) {
            appendCommitted(journal, 1, 10);
            for (long i = 11; i <= 20; i++) {
                journal.append(i, T0 + i, event(i));
            }
            files.failForce = true;
            assertThatThrownBy(journal::sync).hasMessageContaining("fsync failed");
            files.failForce = false;
            journal.rollback();
            assertThat(journal.lastId()).isEqualTo(10);
            assertThat(readAll(journal, 0)).hasSize(10);
            journal.append(11, T0 + 11, event(11));
            journal.sync();
            journal.commit();
        }
        try (Journal journal = Journal.open(dir, SMALL)) {
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 11));
        }
    }

    @Test
    void rollbackToAnEmptyJournalRemovesItsFirstSegment() throws IOException {
        FaultyFiles files = new FaultyFiles();
        try (Journal journal = Journal.open(dir, SMALL, files)) {
            journal.append(5, T0, event(5));
            files.failForce = true;
            assertThatThrownBy(journal::sync).isInstanceOf(IOException.class);
            files.failForce = false;
            journal.rollback();
            assertThat(journal.segments()).isZero();
            assertThat(journal.lastId()).isZero();
            assertThat(journal.firstId()).isZero();
            assertThat(logFiles()).isEmpty();
            appendCommitted(journal, 6, 6);
            assertThat(journal.firstId()).isEqualTo(6);
        }
    }

    @Test
    void openFailsClearlyWhenTheDirectoryCannotBeCreated() throws IOException {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> Journal.open(file.resolve("journal"), SMALL)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot create the journal directory " + file.resolve("journal"));
        assertThatThrownBy(() -> Journal.open(file, SMALL)).isInstanceOf(IOException.class)
                .hasMessageContaining("journal directory " + file);
    }

    @Test
    void openFailsClearlyWhenTheDirectoryIsNotWritable() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root writes anywhere");
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(() -> Journal.open(readOnly, SMALL)).isInstanceOf(IOException.class)
                    .hasMessageContaining("the journal directory " + readOnly + " is not writable");
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void openFailsClearlyWhenNoFileCanBeCreatedInTheDirectory() {
        // what a read-only directory does for a user other than root
        FaultyFiles files = new FaultyFiles();
        files.failCreate = true;
        assertThatThrownBy(() -> Journal.open(dir, SMALL, files)).isInstanceOf(IOException.class)
                .hasMessage("the journal directory " + dir + " is not writable");
    }

    @Test
    void openFailsClearlyWhenTheLastSegmentCannotBeWrittenAndLetsGoOfTheDirectory() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            appendCommitted(journal, 1, 5);
        }
        FaultyFiles files = new FaultyFiles();
        files.failWriteOpenOf = ".log";
        assertThatThrownBy(() -> Journal.open(dir, SMALL, files)).isInstanceOf(IOException.class)
                .hasMessageContaining("cannot open journal segment " + dir.resolve(Segment.fileName(1, ".log"))
                        + " for writing");
        try (Journal journal = Journal.open(dir, SMALL)) {
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 5));
        }
    }

    @Test
    void aJournalDirectoryIsOpenedOnceAtATime() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            assertThatThrownBy(() -> Journal.open(dir, SMALL)).isInstanceOf(IOException.class)
                    .hasMessageContaining("already open");
        }
        Journal.open(dir, SMALL).close();
    }

    @Test
    void aClosedJournalRefusesReadsAndWrites() throws IOException {
        Journal journal = Journal.open(dir, SMALL);
        appendCommitted(journal, 1, 5);
        journal.close();
        journal.close();
        assertThatThrownBy(() -> journal.read(0, 10, e -> true, e -> { })).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> journal.append(6, T0, event(6))).isInstanceOf(IOException.class)
                .hasMessageContaining("closed");
        assertThat(journal.committedId()).isEqualTo(5);
    }

    @Test
    void aRecordLargerThanTheWriteBufferAndTheSegmentSizeGetsASegmentOfItsOwn() throws IOException {
        JournalSettings settings = new JournalSettings(64 << 10, 0, 0, 1024);
        String big = "x".repeat(3 << 20);
        LogEvent large = new LogEvent(T0, Level.INFO, "log", "s", "main", big, null, null);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 10);
            journal.append(11, T0, large);
            journal.append(12, T0, event(12));
            journal.sync();
            journal.commit();
            assertThat(journal.segments()).isEqualTo(3);
        }
        try (Journal journal = Journal.open(dir, settings)) {
            List<StoredEvent> all = readAll(journal, 0);
            assertThat(ids(all)).isEqualTo(range(1, 12));
            assertThat(all.get(10).event().msg()).isEqualTo(big);
        }
    }

    private List<Path> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private long sizeOfAllButLast() throws IOException {
        List<Path> logs = logFiles();
        long total = 0;
        for (int i = 0; i < logs.size() - 1; i++) {
            total += Files.size(logs.get(i));
        }
        return total;
    }

    @Test
    void aSyncCoversWhatWasWrittenWhenItBeganAndASegmentSealedMeanwhileWaitsForTheNext() throws IOException {
        try (Journal journal = Journal.open(dir, SMALL)) {
            appendCommitted(journal, 1, 10);
            Journal.SyncPoint point = journal.beginSync();
            long id = 11;
            while (journal.segments() < 2) {
                appendCommitted(journal, id, id + 99);
                id += 100;
            }
            Segment first = journal.segmentArray()[0];
            point.force();
            journal.completeSync(point);
            assertThat(first.syncedSize).as("synced up to where the sync began").isLessThan(first.flushedSize);
            assertThat(first.logWriter).as("still to be synced, with its index").isNotNull();

            journal.sync();
            assertThat(first.syncedSize).isEqualTo(first.flushedSize);
            assertThat(first.logWriter).as("sealed and synced: its writers are closed").isNull();
            Segment second = journal.segmentArray()[1];
            assertThat(second.syncedSize).isEqualTo(second.flushedSize);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, id - 1));
        }
    }

    @Test
    void theActiveSegmentsIndexFileMayLagAndRecoveryCompletesIt() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 128);
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        Path liveIndex = live.resolve(Segment.fileName(1, ".idx"));
        try (Journal journal = Journal.open(live, settings)) {
            appendCommitted(journal, 1, 60);
            SegmentIndex index = journal.segmentArray()[0].index;
            assertThat(index.count()).isBetween(2, 63);
            assertThat(Files.size(liveIndex)).as("a few entries wait for the next sync").isZero();
            // a crash now leaves the files as the OS has them
            Files.createDirectories(crashed);
            for (String suffix : new String[] {".log", ".idx"}) {
                Files.copy(live.resolve(Segment.fileName(1, suffix)), crashed.resolve(Segment.fileName(1, suffix)));
            }

            appendCommitted(journal, 61, 2000);
            assertThat(Files.size(liveIndex) / SegmentIndex.ENTRY_BYTES).as("written once 64 wait")
                    .isEqualTo(index.count());
            appendCommitted(journal, 2001, 2010);
            assertThat(Files.size(liveIndex) / SegmentIndex.ENTRY_BYTES).isLessThan(index.count());
            journal.sync();
            assertThat(Files.size(liveIndex) / SegmentIndex.ENTRY_BYTES).as("all of it at a sync")
                    .isEqualTo(index.count());
        }
        try (Journal recovered = Journal.open(crashed, settings)) {
            assertThat(ids(readAll(recovered, 0))).isEqualTo(range(1, 60));
            assertThat(Files.size(crashed.resolve(Segment.fileName(1, ".idx"))) / SegmentIndex.ENTRY_BYTES)
                    .as("recovery wrote the entries the file lacked")
                    .isEqualTo(recovered.segmentArray()[0].index.count());
        }
    }
}
