package dev.logcast.broker.journal;

import static dev.logcast.broker.journal.Events.T0;
import static dev.logcast.broker.journal.Events.appendCommitted;
import static dev.logcast.broker.journal.Events.event;
import static dev.logcast.broker.journal.Events.ids;
import static dev.logcast.broker.journal.Events.range;
import static dev.logcast.broker.journal.Events.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.logcast.protocol.journal.JournalCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JournalRecoveryTest {
    private static final long N = 200;

    @TempDir
    Path dir;

    /** Damage done to a closed journal's last segment; returns the bytes recovery must drop. */
    @FunctionalInterface
    interface Damage {
        long apply(Path log, long lastRecordOffset) throws IOException;
    }

    static Stream<Arguments> tornTails() {
        return Stream.of(
                Arguments.of("cut 3 bytes off the last record", (Damage) (log, last) -> {
                    long size = Files.size(log);
                    truncate(log, size - 3);
                    return size - 3 - last;
                }, N - 1),
                Arguments.of("cut inside the last header", (Damage) (log, last) -> {
                    truncate(log, last + 5);
                    return 5;
                }, N - 1),
                Arguments.of("flip a payload byte of the last record", (Damage) (log, last) -> {
                    long size = Files.size(log);
                    flip(log, size - 2);
                    return size - last;
                }, N - 1),
                Arguments.of("flip the last record's length", (Damage) (log, last) -> {
                    flip(log, last);
                    return Files.size(log) - last;
                }, N - 1),
                Arguments.of("flip the last record's CRC", (Damage) (log, last) -> {
                    flip(log, last + 5);
                    return Files.size(log) - last;
                }, N - 1),
                Arguments.of("append random garbage", (Damage) (log, last) -> {
                    byte[] garbage = new byte[100];
                    new Random(1).nextBytes(garbage);
                    Files.write(log, garbage, StandardOpenOption.APPEND);
                    return 100;
                }, N),
                Arguments.of("append zeros (blocks allocated, never written)", (Damage) (log, last) -> {
                    Files.write(log, new byte[4096], StandardOpenOption.APPEND);
                    return 4096;
                }, N),
                Arguments.of("append a valid record with an id that goes back", (Damage) (log, last) -> {
                    byte[] record = frame(JournalCodec.toRecord(N / 2, T0, event(N / 2)).toByteArray());
                    Files.write(log, record, StandardOpenOption.APPEND);
                    return record.length;
                }, N),
                Arguments.of("append a record with a good CRC that does not decode", (Damage) (log, last) -> {
                    byte[] record = frame(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
                    Files.write(log, record, StandardOpenOption.APPEND);
                    return record.length;
                }, N));
    }

    @ParameterizedTest(name = "{0}, index every {3} bytes")
    @MethodSource("tornTailsWithIndexSpacings")
    void aTornOrCorruptTailIsDroppedAndEverythingBeforeItKept(String name, Damage damage, long kept,
                                                                int indexEveryBytes) throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, indexEveryBytes);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, N);
        }
        Path log = dir.resolve(Segment.fileName(1, ".log"));
        List<Long> offsets = recordOffsets(log);
        long dropped = damage.apply(log, offsets.get(offsets.size() - 1));

        try (Journal journal = Journal.open(dir, settings)) {
            RecoveryReport report = journal.recovery();
            assertThat(report.truncatedBytes()).isEqualTo(dropped);
            assertThat(report.events()).isEqualTo(kept);
            assertThat(report.lastId()).isEqualTo(kept);
            assertThat(journal.lastId()).isEqualTo(kept);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, kept));
            // ids go on after the last valid record
            appendCommitted(journal, kept + 1, kept + 10);
        }
        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.recovery().truncatedBytes()).isZero();
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, kept + 10));
            Events.assertStored(readAll(journal, kept).get(0), kept + 1, T0 + kept + 1, event(kept + 1));
        }
    }

    static Stream<Arguments> tornTailsWithIndexSpacings() {
        // index every record (the damaged record has an entry) and sparsely (it has none)
        return tornTails().flatMap(a -> Stream.of(1, 1024).map(every -> Arguments.of(a.get()[0], a.get()[1],
                a.get()[2], every)));
    }

    /**
     * Ids are reserved ahead on disk: while the journal runs, up to a million past the first new id; at a clean
     * close, exactly the last id. A start after the tail was lost (torn by a crash, or cut) still knows the highest
     * id that may have been shown, so the broker's next id is above it and no id comes back for another event.
     */
    @Test
    void theIdReservationOutlivesALostTail() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.reservedId()).as("a journal without the file").isZero();
            appendCommitted(journal, 1, N);
            assertThat(journal.reservedId()).as("while running").isEqualTo(Journal.ID_RESERVATION);
            assertThat(Files.readString(dir.resolve(Journal.IDS_FILE)).trim())
                    .isEqualTo(Long.toString(Journal.ID_RESERVATION));
        }
        assertThat(Files.readString(dir.resolve(Journal.IDS_FILE)).trim()).as("after a clean close")
                .isEqualTo(Long.toString(N));
        Path log = dir.resolve(Segment.fileName(1, ".log"));
        List<Long> offsets = recordOffsets(log);
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
            file.truncate(offsets.get(offsets.size() - 1));
        }

        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.lastId()).isEqualTo(N - 1);
            assertThat(journal.reservedId()).as("the lost record's id stays given out").isEqualTo(N);
        }
    }

    /**
     * Damage inside an older segment (which recovery does not read) costs only the records up to the next index
     * entry after it: a read skips there and reports those ids as lost, before any event it returns; everything
     * else reads back. Zeros over a stretch, and one flipped length byte.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("middleDamage")
    void damageInsideAnOlderSegmentLosesOnlyTheStretchUpToTheNextIndexEntry(String name, int length)
            throws IOException {
        JournalSettings settings = new JournalSettings(64 << 10, 0, 0, 1024);
        long n = 3_000;
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, n);
            assertThat(journal.segments()).isGreaterThan(2);
        }
        Path log = dir.resolve(Segment.fileName(1, ".log"));
        try (FileChannel file = FileChannel.open(log, StandardOpenOption.WRITE)) {
            file.write(ByteBuffer.wrap(length == 1 ? new byte[] {(byte) 0x7f} : new byte[length]), 20_000);
        }

        try (Journal journal = Journal.open(dir, settings)) {
            List<Long> read = new ArrayList<>();
            List<long[]> lost = readWithLosses(journal, read);

            assertThat(lost).hasSize(1);
            long from = lost.get(0)[0];
            long to = lost.get(0)[1];
            assertThat(to - from + 1).as("ids lost: about an index interval's records").isBetween(1L, 40L);
            List<Long> expected = new ArrayList<>(range(1, from - 1));
            expected.addAll(range(to + 1, n));
            assertThat(read).isEqualTo(expected);
        }
    }

    static Stream<Arguments> middleDamage() {
        return Stream.of(Arguments.of("500 zero bytes", 500), Arguments.of("a flipped length byte", 1));
    }

    @Test
    void aMissingSegmentBetweenTwoOthersIsReportedLost() throws IOException {
        JournalSettings settings = new JournalSettings(64 << 10, 0, 0, 1024);
        long n = 3_000;
        long secondBase;
        long thirdBase;
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, n);
            assertThat(journal.segments()).isGreaterThan(2);
            secondBase = journal.segmentArray()[1].baseId;
            thirdBase = journal.segmentArray()[2].baseId;
        }
        Files.delete(dir.resolve(Segment.fileName(secondBase, ".log")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(secondBase, ".idx")));

        try (Journal journal = Journal.open(dir, settings)) {
            List<Long> read = new ArrayList<>();
            List<long[]> lost = readWithLosses(journal, read);

            assertThat(lost).containsExactly(new long[] {secondBase, thirdBase - 1});
            List<Long> expected = new ArrayList<>(range(1, secondBase - 1));
            expected.addAll(range(thirdBase, n));
            assertThat(read).isEqualTo(expected);
        }
    }

    /** Reads everything in chunks of 100 events; the ids read into {@code ids}, the lost ranges returned. */
    private static List<long[]> readWithLosses(Journal journal, List<Long> ids) throws IOException {
        List<long[]> lost = new ArrayList<>();
        long after = 0;
        while (true) {
            long[] range = new long[2];
            List<StoredEvent> out = new ArrayList<>();
            long cursor = journal.read(after, Long.MAX_VALUE, 100, e -> true, out::add, range);
            if (range[0] > 0) {
                lost.add(range);
                assertThat(out).as("events come after the lost range").allMatch(e -> e.id() > range[1]);
            }
            ids.addAll(ids(out));
            if (cursor <= after) {
                return lost;
            }
            after = cursor;
        }
    }

    @Test
    void aTornTailInAnEarlierSegmentLosesOnlyThatRecord() throws IOException {
        JournalSettings settings = new JournalSettings(4 << 10, 0, 0, 512);
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, 300);
        }
        List<Path> logs = logFiles();
        assertThat(logs).hasSizeGreaterThan(3);
        Path second = logs.get(1);
        List<Long> offsets = recordOffsets(second);
        long lastOfSecond = Segment.parseName(logs.get(2).getFileName().toString(), ".log") - 1;
        long size = Files.size(second);
        truncate(second, size - 1);

        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.recovery().truncatedBytes()).isEqualTo(size - 1 - offsets.get(offsets.size() - 1));
            assertThat(journal.recovery().events()).isEqualTo(299);
            List<Long> expected = new ArrayList<>(range(1, 300));
            expected.remove(lastOfSecond);
            assertThat(ids(readAll(journal, 0))).isEqualTo(expected);
            assertThat(journal.lastId()).isEqualTo(300);
        }
    }

    @Test
    void aDeletedIndexIsRebuiltIdentical() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        writeJournal(settings, 5000);
        Path index = dir.resolve(Segment.fileName(1, ".idx"));
        byte[] original = Files.readAllBytes(index);
        Files.delete(index);

        assertRebuiltAndSeeking(settings, index, original);
    }

    @Test
    void aCorruptIndexIsRebuiltIdentical() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        writeJournal(settings, 5000);
        Path index = dir.resolve(Segment.fileName(1, ".idx"));
        byte[] original = Files.readAllBytes(index);
        byte[] damaged = original.clone();
        Arrays.fill(damaged, 16 * 100, 16 * 110, (byte) 0x5a);
        Files.write(index, damaged);

        assertRebuiltAndSeeking(settings, index, original);
    }

    @Test
    void anIndexWithATornLastEntryOrEntriesPastTheLogIsRepaired() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        writeJournal(settings, 5000);
        Path index = dir.resolve(Segment.fileName(1, ".idx"));
        byte[] original = Files.readAllBytes(index);
        // a torn write of one more entry, and an entry for a record that never reached the log
        ByteBuffer extra = ByteBuffer.allocate(16 + 7).putLong(9999).putLong(Files.size(logFiles().get(0)) + 100 << 32);
        Files.write(index, extra.array(), StandardOpenOption.APPEND);

        assertRebuiltAndSeeking(settings, index, original);
    }

    @Test
    void anIndexEntryThatPointsAtTheWrongRecordIsCaughtByTheReadThatUsesIt() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        writeJournal(settings, 2000);
        Path index = dir.resolve(Segment.fileName(1, ".idx"));
        Path log = logFiles().get(0);
        ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(index));
        // entry 10 now points at the record after its own: still increasing, so only a read notices
        long id = entries.getLong(16 * 10);
        long offset = entries.getLong(16 * 10 + 8) >>> 32;
        List<Long> offsets = recordOffsets(log);
        long wrong = offsets.get(offsets.indexOf(offset) + 1);
        entries.putLong(16 * 10 + 8, wrong << 32 | (entries.getLong(16 * 10 + 8) & 0xffff_ffffL));
        Files.write(index, entries.array());

        try (Journal journal = Journal.open(dir, settings)) {
            List<StoredEvent> out = new ArrayList<>();
            journal.read(id - 1, 3, e -> true, out::add);
            assertThat(ids(out)).containsExactly(id, id + 1, id + 2);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 2000));
        }
    }

    @Test
    void leftoversAreCleanedUp() throws IOException {
        JournalSettings settings = new JournalSettings(1 << 20, 0, 0, 1024);
        writeJournal(settings, 10);
        Files.write(dir.resolve(Segment.fileName(500, ".idx")), new byte[32]);
        Files.write(dir.resolve(Segment.fileName(600, ".log")), new byte[0]);

        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.segments()).isEqualTo(1);
            assertThat(journal.recovery().truncatedBytes()).isZero();
        }
        assertThat(Files.exists(dir.resolve(Segment.fileName(500, ".idx")))).isFalse();
        assertThat(Files.exists(dir.resolve(Segment.fileName(600, ".log")))).isFalse();
    }

    @Test
    void aSegmentThatIsAllDamageIsRemoved() throws IOException {
        JournalSettings settings = new JournalSettings(4 << 10, 0, 0, 1024);
        writeJournal(settings, 300);
        List<Path> logs = logFiles();
        Path last = logs.get(logs.size() - 1);
        long lastFirstId = Segment.parseName(last.getFileName().toString(), ".log");
        long size = Files.size(last);
        // the first record's length: nothing in the segment can be trusted
        flip(last, 2);

        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.segments()).isEqualTo(logs.size() - 1);
            assertThat(journal.lastId()).isEqualTo(lastFirstId - 1);
            assertThat(journal.recovery().truncatedBytes()).isEqualTo(size);
            assertThat(Files.exists(last)).isFalse();
            appendCommitted(journal, lastFirstId, lastFirstId + 5);
        }
    }

    private void writeJournal(JournalSettings settings, long events) throws IOException {
        try (Journal journal = Journal.open(dir, settings)) {
            appendCommitted(journal, 1, events);
        }
    }

    private void assertRebuiltAndSeeking(JournalSettings settings, Path index, byte[] original) throws IOException {
        try (Journal journal = Journal.open(dir, settings)) {
            assertThat(journal.recovery().truncatedBytes()).isZero();
            assertThat(Files.readAllBytes(index)).isEqualTo(original);
            long before = journal.recordsRead();
            List<StoredEvent> out = new ArrayList<>();
            journal.read(4000, 1, e -> true, out::add);
            assertThat(ids(out)).containsExactly(4001L);
            assertThat(journal.recordsRead() - before).isLessThan(1024 / 50 + 2);
            assertThat(ids(readAll(journal, 0))).isEqualTo(range(1, 5000));
        }
    }

    private List<Path> logFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log")).sorted().toList();
        }
    }

    /** Where each record of a segment file starts. */
    static List<Long> recordOffsets(Path log) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(log));
        List<Long> offsets = new ArrayList<>();
        int at = 0;
        while (at + 8 <= bytes.limit()) {
            offsets.add((long) at);
            at += 8 + bytes.getInt(at);
        }
        return offsets;
    }

    /** A payload framed as the journal frames it. */
    static byte[] frame(byte[] payload) {
        CRC32C crc = new CRC32C();
        crc.update(payload);
        return ByteBuffer.allocate(8 + payload.length).putInt(payload.length).putInt((int) crc.getValue())
                .put(payload).array();
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }

    static void flip(Path file, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, offset);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, offset);
        }
    }
}
