package dev.logcast.broker.journal;

import com.google.protobuf.CodedOutputStream;
import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.journal.JournalCodec;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The on-disk journal: append-only segment files of length-prefixed, CRC32C-checked protobuf records (see
 * {@link RecordReader} and {@code logcast/journal.proto}), each with a sparse index (see {@link SegmentIndex}), as
 * Kafka and NATS JetStream keep their logs.
 *
 * <p>Appends go to a buffer; {@link #flush()} writes it to the OS, {@link #sync()} also forces it to the disk, and
 * {@link #commit()} makes what was written visible to {@link #read}. After an {@link IOException} in
 * {@link #append}, {@link #flush()} or {@link #sync()}, {@link #rollback()} puts the journal back exactly as it was
 * at the last commit; until then those methods refuse to run.
 *
 * <p><b>Owner:</b> one writer thread for {@link #append}, {@link #flush()}, {@link #sync()}, {@link #commit()},
 * {@link #rollback()}, {@link #enforceRetention} and {@link #close()} (the thread that opened it until it hands the
 * journal over). {@link #read} and the gauges may be called from any thread, concurrently with the writer.
 */
public final class Journal implements Closeable {
    private static final int WRITE_BUFFER_BYTES = 1 << 20;
    /** Index entries of the active segment that {@link #flush()} lets wait for the next sync (one scratch's worth). */
    private static final int INDEX_FLUSH_ENTRIES = 64;
    /** A read looks at no more records than this; the caller reads on from the id it returns. */
    static final int SCAN_LIMIT = 65_536;
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());

    private final Path dir;
    private final JournalSettings settings;
    /**
     * Ids up to this one may have been given out (the {@value #IDS_FILE} file): after a crash that cost the journal
     * its tail, the next id is above it, so that no id a client saw is used again for another event. Writer only.
     */
    private long reservedId;
    private final FileOpener opener;
    private final DirectoryLock lock;
    private final RecoveryReport recovery;

    // shared with readers
    private volatile Segment[] segments;
    private volatile long firstId;
    private volatile long lastId;
    private volatile long committedId;
    private volatile long bytes;
    private volatile boolean closed;
    private final LongAdder recordsRead = new LongAdder();

    // writer thread
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);
    private final ByteBuffer indexScratch = ByteBuffer.allocate(64 * SegmentIndex.ENTRY_BYTES);
    private final CRC32C crc = new CRC32C();
    private final JournalCodec.RecordEncoder recordEncoder = new JournalCodec.RecordEncoder();
    /** Encodes records into {@code writeBuffer} from {@code bufferOutStart} on; {@code null} until the first. */
    private CodedOutputStream bufferOut;
    private int bufferOutStart;
    /** The last segment, where appends go; {@code null} when the journal is empty. */
    private Segment active;
    /** Segments written to since the last sync, oldest first. */
    private final List<Segment> unsynced = new ArrayList<>();
    private boolean directoryUnsynced;
    /** Segment files created or deleted so far: a sync covers the directory as it was when it began. */
    private long directoryChanges;
    private boolean needsRollback;
    private long appendedBytes;
    /** Files a rollback could not remove or truncate: repaired before anything else is written. */
    private final List<Segment> pendingDeletes = new ArrayList<>();
    private Segment pendingTruncate;
    // the state at the last commit, for rollback
    private Segment commitSegment;
    private long commitSize;
    private int commitRecords;
    private long commitNewestReceived;
    private int commitEntries;

    private Journal(Path dir, JournalSettings settings, FileOpener opener, DirectoryLock lock, Recovery recovered,
                    long startNanos) {
        this.dir = dir;
        this.settings = settings;
        this.opener = opener;
        this.lock = lock;
        this.segments = recovered.segments.toArray(new Segment[0]);
        this.active = segments.length == 0 ? null : segments[segments.length - 1];
        long last = active == null ? 0 : active.lastId;
        this.lastId = last;
        this.committedId = last;
        this.firstId = segments.length == 0 ? 0 : segments[0].baseId;
        long total = 0;
        for (Segment segment : segments) {
            total += segment.size;
        }
        this.appendedBytes = total;
        this.bytes = total;
        markCommitPoint();
        this.recovery = new RecoveryReport(recovered.events, segments.length, recovered.truncatedBytes, firstId,
                last, (System.nanoTime() - startNanos) / 1_000_000);
    }

    /**
     * Opens (creating if needed) the journal in {@code dir} and recovers it: every valid record is kept, a torn or
     * corrupt tail is truncated, a missing or damaged index is rebuilt. The calling thread becomes the owner.
     *
     * @throws IOException when the directory cannot be created or written, is in use by another journal, or a
     *                     segment cannot be read or repaired; the message says which
     */
    public static Journal open(Path dir, JournalSettings settings) throws IOException {
        return open(dir, settings, FileOpener.DEFAULT);
    }

    static Journal open(Path dir, JournalSettings settings, FileOpener opener) throws IOException {
        long start = System.nanoTime();
        DirectoryLock lock = DirectoryLock.acquire(dir, opener);
        try {
            Recovery recovered = Recovery.run(dir, settings, opener);
            Journal journal = new Journal(dir, settings, opener, lock, recovered, start);
            journal.reservedId = readReservation(dir);
            try {
                if (journal.active != null) {
                    journal.active.openForAppend();
                }
            } catch (IOException e) {
                for (Segment segment : journal.segments) {
                    segment.close();
                }
                throw new IOException("cannot open journal segment " + journal.active.logPath + " for writing: "
                        + e, e);
            }
            return journal;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Ids are reserved this many at a time; a crash can make the next id jump by up to this many. */
    static final long ID_RESERVATION = 1_000_000;
    static final String IDS_FILE = "ids";

    /**
     * The highest id that may have been given out before this start: the last id at a clean close, or the end of
     * the last reservation after a crash (0 for a journal without the file). Ids continue above it and above
     * {@link #lastId()}. Any thread after open.
     */
    public long reservedId() {
        return reservedId;
    }

    private static long readReservation(Path dir) throws IOException {
        Path file = dir.resolve(IDS_FILE);
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold an id (\"" + text + "\"); it records the highest id given "
                    + "out: set it to a number at least as high, or delete it if no client depends on that", e);
        }
    }

    /** Records that ids up to {@code id} may be given out: a new file, forced, moved over the old, directory forced. */
    private void writeReservation(long id) throws IOException {
        Path tmp = dir.resolve(IDS_FILE + ".tmp");
        try (FileChannel out = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer text = ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII));
            while (text.hasRemaining()) {
                out.write(text);
            }
            out.force(true);
        }
        Files.move(tmp, dir.resolve(IDS_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = opener.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
        reservedId = id;
    }

    /** What {@link #open} recovered. Any thread. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** The oldest retained id, 0 when empty. Any thread. */
    public long firstId() {
        return firstId;
    }

    /** The newest appended id (committed or not), 0 when empty. Any thread. */
    public long lastId() {
        return lastId;
    }

    /** The newest id visible to {@link #read}. Any thread. */
    public long committedId() {
        return committedId;
    }

    /** Bytes of the segment files (records written or buffered). Any thread. */
    public long bytes() {
        return bytes;
    }

    public int segments() {
        return segments.length;
    }

    /** Records looked at by reads so far; tests use it to see that a read seeks. */
    long recordsRead() {
        return recordsRead.sum();
    }

    /**
     * Appends one event to the write buffer. Writer only.
     *
     * @throws IllegalArgumentException when {@code id} is not above {@link #lastId()} (or not positive), or the
     *                                  event cannot be encoded (an attr that is not a scalar)
     * @throws IOException              when writing a full buffer or starting a segment fails: {@link #rollback()}
     */
    public void append(long id, long receivedMillis, LogEvent event) throws IOException {
        checkWritable();
        if (id <= lastId || id <= 0) {
            throw new IllegalArgumentException("journal id " + id + " is not above the last id " + lastId);
        }
        if (id > reservedId) {
            // before any event with this id can be stored, let alone shown: once per ID_RESERVATION ids
            writeReservation(id - 1 + ID_RESERVATION);
        }
        int payload = recordEncoder.prepare(id, receivedMillis, event);
        if (payload > RecordReader.MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("journal record " + id + " is too large: " + payload + " bytes");
        }
        int recordBytes = RecordReader.HEADER_BYTES + payload;
        boolean ok = false;
        try {
            if (active == null || active.size > 0 && active.size + recordBytes > settings.segmentBytes()) {
                roll(id);
            }
            if (writeBuffer.remaining() < recordBytes) {
                flushBuffer();
            }
            Segment segment = active;
            if (segment.records == 0 || segment.size - segment.lastIndexedOffset >= settings.indexEveryBytes()) {
                segment.index.add(id, segment.size, segment.records);
                segment.lastIndexedOffset = segment.size;
            }
            if (recordBytes <= writeBuffer.capacity()) {
                encode(writeBuffer, id, payload);
            } else {
                ByteBuffer large = ByteBuffer.allocate(recordBytes);
                encode(large, id, payload);
                large.flip();
                Segment.writeFully(segment.logWriter, large, segment.flushedSize);
                segment.flushedSize += recordBytes;
                if (!unsynced.contains(segment)) {
                    unsynced.add(segment);
                }
            }
            segment.size += recordBytes;
            segment.records++;
            segment.lastId = id;
            segment.newestReceivedMillis = Math.max(segment.newestReceivedMillis, receivedMillis);
            appendedBytes += recordBytes;
            lastId = id;
            ok = true;
        } finally {
            if (!ok) {
                needsRollback = true;
            }
        }
    }

    /** Writes the record {@code recordEncoder} was prepared for, with its header. */
    private void encode(ByteBuffer buffer, long id, int payload) throws IOException {
        int start = buffer.position();
        CodedOutputStream out;
        if (buffer == writeBuffer) {
            // one encoder for the buffer's records back to back, not two objects per record: its position stays the
            // buffer's as long as only it moves that (the header and the CRC go in at absolute positions)
            if (bufferOut == null || bufferOutStart + bufferOut.getTotalBytesWritten() != start) {
                bufferOut = CodedOutputStream.newInstance(writeBuffer);
                bufferOutStart = start;
            }
            out = bufferOut;
            out.writeFixed64NoTag(0);
        } else {
            buffer.position(start + RecordReader.HEADER_BYTES);
            out = CodedOutputStream.newInstance(buffer);
        }
        boolean ok = false;
        try {
            recordEncoder.encode(out);
            out.flush();
            ok = true;
        } finally {
            if (!ok) {
                bufferOut = null;
            }
        }
        int end = buffer.position();
        if (end - start - RecordReader.HEADER_BYTES != payload) {
            throw new IllegalStateException("journal record " + id + " encoded to " + (end - start) + " bytes, not "
                    + payload);
        }
        buffer.limit(end).position(start + RecordReader.HEADER_BYTES);
        crc.reset();
        crc.update(buffer);
        buffer.limit(buffer.capacity()).position(end);
        buffer.putInt(start, payload);
        buffer.putInt(start + 4, (int) crc.getValue());
    }

    /** Starts a new segment for records from {@code id} on; the current one is written out first. */
    private void roll(long id) throws IOException {
        repairAfterRollback();
        if (active != null) {
            flushBuffer();
        }
        Segment segment = Segment.create(dir, id, opener);
        Segment[] current = segments;
        Segment[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = segment;
        segments = next;
        active = segment;
        unsynced.add(segment);
        directoryUnsynced = true;
        directoryChanges++;
    }

    /** Writes the buffer to the active segment. */
    private void flushBuffer() throws IOException {
        repairAfterRollback();
        if (writeBuffer.position() == 0) {
            return;
        }
        Segment segment = active;
        writeBuffer.flip();
        int n = writeBuffer.remaining();
        Segment.writeFully(segment.logWriter, writeBuffer, segment.flushedSize);
        writeBuffer.clear();
        segment.flushedSize += n;
        if (!unsynced.contains(segment)) {
            unsynced.add(segment);
        }
    }

    /** Hands everything appended to the OS ({@code write}), without forcing it to the disk. Writer only. */
    public void flush() throws IOException {
        flush(false);
    }

    /**
     * Writes the buffer, and the index entries of finished segments; the active segment's entries only once
     * {@link #INDEX_FLUSH_ENTRIES} are waiting, or {@code allIndexes}. Readers use the index in memory, and recovery
     * adds what the file lacks by scanning the log from its last entry, so the index file may lag: a second
     * {@code write} for every cycle's couple of entries cost more than the records' own.
     */
    private void flush(boolean allIndexes) throws IOException {
        checkWritable();
        boolean ok = false;
        try {
            flushBuffer();
            for (Segment segment : unsynced) {
                if (allIndexes || segment != active
                        || segment.index.count() - segment.flushedEntries >= INDEX_FLUSH_ENTRIES) {
                    segment.flushIndex(indexScratch);
                }
            }
            bytes = appendedBytes;
            ok = true;
        } finally {
            if (!ok) {
                needsRollback = true;
            }
        }
    }

    /**
     * {@link #flush()}, then forces the segments written since the last sync to the disk
     * ({@code FileChannel.force(false)}; a finished segment's index too), and the directory when segments were
     * created. Writer only.
     */
    public void sync() throws IOException {
        SyncPoint point = beginSync();
        try {
            point.force();
        } catch (IOException | RuntimeException e) {
            needsRollback = true;
            throw e;
        }
        completeSync(point);
    }

    /**
     * {@link #flush()}es and returns what a sync must force to cover everything written so far. The caller may
     * then {@link SyncPoint#force()} it on any thread, without owning the journal, while the owner goes on
     * appending (writes and fsyncs of one file may run at once), and hands it back to {@link #completeSync} as the
     * owner again. Writer only.
     */
    public SyncPoint beginSync() throws IOException {
        flush(true);
        Segment[] toForce = new Segment[unsynced.size()];
        FileChannel[] logs = new FileChannel[toForce.length];
        FileChannel[] indexes = new FileChannel[toForce.length];
        long[] sizes = new long[toForce.length];
        boolean[] sealed = new boolean[toForce.length];
        for (int i = 0; i < toForce.length; i++) {
            Segment segment = unsynced.get(i);
            toForce[i] = segment;
            sizes[i] = segment.flushedSize;
            if (segment.syncedSize != segment.flushedSize) {
                logs[i] = segment.logWriter;
            }
            // a sealed segment's writers stay open until completeSync closes them
            if (segment != active) {
                sealed[i] = true;
                indexes[i] = segment.indexWriter;
            }
        }
        return new SyncPoint(toForce, logs, indexes, sizes, sealed, directoryUnsynced ? directoryChanges : -1);
    }

    /**
     * Records that {@code point} was forced: the segments are synced up to what they held at
     * {@link #beginSync()}, sealed ones close their writers, and the directory is synced unless it changed since.
     * Writer only.
     */
    public void completeSync(SyncPoint point) throws IOException {
        for (int i = 0; i < point.segments.length; i++) {
            Segment segment = point.segments[i];
            segment.syncedSize = Math.max(segment.syncedSize, point.sizes[i]);
            // one sealed since beginSync waits for the next sync, which forces its index too
            if (segment.syncedSize == segment.flushedSize && (point.sealed[i] || segment == active)) {
                unsynced.remove(segment);
                if (point.sealed[i]) {
                    // finished and on the disk: a rollback that needs it again reopens it
                    segment.closeWriters();
                }
            }
        }
        if (point.directoryChanges == directoryChanges) {
            directoryUnsynced = false;
        }
    }

    /**
     * What one sync forces: the log (and, for a sealed segment, the index) channels of the segments written since
     * the last sync, and the directory when segments were created or deleted.
     */
    public final class SyncPoint {
        private final Segment[] segments;
        private final FileChannel[] logs;
        private final FileChannel[] indexes;
        private final long[] sizes;
        private final boolean[] sealed;
        /** The journal's directory change count to sync, -1 when the directory is synced already. */
        private final long directoryChanges;

        private SyncPoint(Segment[] segments, FileChannel[] logs, FileChannel[] indexes, long[] sizes,
                          boolean[] sealed, long directoryChanges) {
            this.segments = segments;
            this.logs = logs;
            this.indexes = indexes;
            this.sizes = sizes;
            this.sealed = sealed;
            this.directoryChanges = directoryChanges;
        }

        /** Forces the files to the disk. Any thread, once, between beginSync and completeSync. */
        public void force() throws IOException {
            for (int i = 0; i < segments.length; i++) {
                if (logs[i] != null) {
                    logs[i].force(false);
                }
                if (indexes[i] != null) {
                    indexes[i].force(false);
                }
            }
            if (directoryChanges >= 0) {
                try (FileChannel directory = opener.open(dir, StandardOpenOption.READ)) {
                    directory.force(true);
                }
            }
        }
    }

    /**
     * Makes everything flushed visible to {@link #read} and marks the state {@link #rollback()} returns to. Writer
     * only.
     *
     * @throws IllegalStateException when appends were not flushed, or a rollback is due
     */
    public void commit() {
        if (needsRollback) {
            throw new IllegalStateException("the journal failed to write: rollback() first");
        }
        if (writeBuffer.position() != 0) {
            throw new IllegalStateException("commit() after flush() or sync(), not with appends in the buffer");
        }
        Segment[] current = segments;
        for (int i = current.length - 1; i >= 0 && current[i].readLimit != current[i].flushedSize; i--) {
            current[i].readLimit = current[i].flushedSize;
        }
        markCommitPoint();
        if (firstId == 0 && current.length > 0) {
            firstId = current[0].baseId;
        }
        committedId = lastId;
    }

    private void markCommitPoint() {
        commitSegment = active;
        if (active != null) {
            commitSize = active.size;
            commitRecords = active.records;
            commitNewestReceived = active.newestReceivedMillis;
            commitEntries = active.index.count();
        }
    }

    /**
     * Drops everything appended after the last {@link #commit()}: segments created since are deleted, the segment
     * that was active then is truncated back, and the journal is exactly as it was at that commit. Writer only.
     * If the files cannot be repaired now, the journal repairs them before it writes again.
     */
    public void rollback() throws IOException {
        checkOpen();
        writeBuffer.clear();
        Segment[] current = segments;
        int keep = commitSegment == null ? 0 : Arrays.asList(current).indexOf(commitSegment) + 1;
        if (keep < current.length) {
            segments = Arrays.copyOf(current, keep);
            for (int i = keep; i < current.length; i++) {
                unsynced.remove(current[i]);
                pendingDeletes.add(current[i]);
            }
        }
        active = commitSegment;
        if (active != null) {
            Segment segment = active;
            segment.size = commitSize;
            segment.records = commitRecords;
            segment.lastId = committedId;
            segment.newestReceivedMillis = commitNewestReceived;
            segment.index.truncate(commitEntries);
            segment.flushedEntries = Math.min(segment.flushedEntries, commitEntries);
            segment.lastIndexedOffset = commitEntries == 0 ? -1 : segment.index.offset(commitEntries - 1);
            segment.flushedSize = commitSize;
            segment.syncedSize = Math.min(segment.syncedSize, commitSize);
            // cut what was written after the commit point, even if it looks complete, before anything else
            pendingTruncate = segment;
        }
        lastId = committedId;
        long total = 0;
        for (Segment segment : segments) {
            total += segment.size;
        }
        appendedBytes = total;
        bytes = total;
        needsRollback = false;
        repairAfterRollback();
    }

    /** Deletes the segments and truncates the files a rollback left behind; throws while it cannot. */
    private void repairAfterRollback() throws IOException {
        while (!pendingDeletes.isEmpty()) {
            pendingDeletes.get(0).delete();
            pendingDeletes.remove(0);
            directoryUnsynced = true;
            directoryChanges++;
        }
        Segment segment = pendingTruncate;
        if (segment != null) {
            segment.openForAppend();
            segment.logWriter.truncate(segment.flushedSize);
            segment.indexWriter.truncate((long) segment.flushedEntries * SegmentIndex.ENTRY_BYTES);
            // a crash must not bring back what was rolled back (it was answered as failed)
            segment.logWriter.force(false);
            segment.indexWriter.force(false);
            pendingTruncate = null;
        }
    }

    /** Whether the journal holds more than a segment over {@code retention.bytes}: retention should run now. */
    public boolean overRetentionBytes() {
        long limit = settings.retentionBytes();
        return limit > 0 && appendedBytes > limit + settings.segmentBytes();
    }

    /**
     * Deletes whole oldest segments while the journal is over {@code retentionBytes}, and those whose newest record
     * was received more than {@code retentionAgeMs} before {@code nowMillis}; never the segment being written.
     * Writer only.
     *
     * @return segments deleted
     */
    public int enforceRetention(long nowMillis) throws IOException {
        checkOpen();
        int deleted = 0;
        while (true) {
            Segment[] current = segments;
            if (current.length < 2) {
                break;
            }
            Segment oldest = current[0];
            if (oldest == active || oldest == commitSegment) {
                break;
            }
            boolean overBytes = settings.retentionBytes() > 0 && appendedBytes > settings.retentionBytes();
            boolean tooOld = settings.retentionAgeMs() > 0
                    && oldest.newestReceivedMillis < nowMillis - settings.retentionAgeMs();
            if (!overBytes && !tooOld) {
                break;
            }
            // readers see the shorter list before the files go; one that still holds the segment retries
            segments = Arrays.copyOfRange(current, 1, current.length);
            firstId = current[1].baseId;
            appendedBytes -= oldest.size;
            bytes = appendedBytes;
            deleted++;
            unsynced.remove(oldest);
            oldest.delete();
        }
        return deleted;
    }

    /** Damage already reported, as segment and offset: each is logged once. */
    private final Set<String> reportedDamage = ConcurrentHashMap.newKeySet();

    /** A reader found a damaged record in the committed part of {@code segment}: logged once. Any thread. */
    void reportDamage(Segment segment, long offset, String what) {
        if (reportedDamage.size() < 10_000 && reportedDamage.add(segment + "@" + offset)) {
            LOG.log(System.Logger.Level.WARNING, "journal segment " + segment + " is damaged at offset " + offset
                    + " (" + what + "): its records up to the next index entry are skipped and reported as a gap");
        }
    }

    /** {@link #read(long, long, int, Predicate, Consumer)} up to the newest committed id. */
    public long read(long afterId, int maxEvents, Predicate<LogEvent> filter, Consumer<StoredEvent> sink)
            throws IOException {
        return read(afterId, Long.MAX_VALUE, maxEvents, filter, sink);
    }

    /**
     * Reads committed events with ids above {@code afterId} and at most {@code upToId}, in order, passing the
     * first {@code maxEvents} that match {@code filter} to {@code sink}; it looks at no more than
     * {@value #SCAN_LIMIT} records. It seeks with the sparse index: the records it reads before the first one above
     * {@code afterId} are at most an index interval's worth. A segment that retention deletes under it is skipped
     * (the read goes on from the oldest segment left), so the ids passed may jump to {@link #firstId()}; when
     * retention took everything up to {@code upToId} it returns {@code afterId}. Any thread, concurrently with the
     * writer.
     *
     * @return the id of the last record looked at ({@code afterId} if none): the next read goes on after it
     * @throws IOException when a record in the committed range is damaged, or the journal is closed
     */
    public long read(long afterId, long upToId, int maxEvents, Predicate<LogEvent> filter,
                     Consumer<StoredEvent> sink) throws IOException {
        return read(afterId, upToId, maxEvents, filter, sink, new long[2]);
    }

    /**
     * {@link #read(long, long, int, Predicate, Consumer)}, also saying which ids it had to pass without reading
     * them: a damaged stretch of a segment (skipped to the next index entry after it, about
     * {@code indexEveryBytes} of records), a segment missing between two others, or ids that retention deleted
     * before the read got to them (the read goes on from the oldest segment left). {@code lost} gets
     * {@code {from, to}}, or stays {@code {0, 0}}; the range comes before every event passed to {@code sink}.
     */
    public long read(long afterId, long upToId, int maxEvents, Predicate<LogEvent> filter,
                     Consumer<StoredEvent> sink, long[] lost) throws IOException {
        return read(afterId, upToId, maxEvents, Long.MAX_VALUE, filter, sink, lost);
    }

    /**
     * {@link #read(long, long, int, Predicate, Consumer, long[])} that also stops once the records passed come to
     * {@code maxBytes} (the last may go over): a read of large events holds no more than that in memory.
     */
    public long read(long afterId, long upToId, int maxEvents, long maxBytes, Predicate<LogEvent> filter,
                     Consumer<StoredEvent> sink, long[] lost) throws IOException {
        if (afterId >= Math.min(upToId, committedId) || maxEvents <= 0) {
            return afterId;
        }
        JournalReader read = new JournalReader(this, afterId, upToId, maxEvents, maxBytes, filter, sink);
        try {
            return read.read();
        } finally {
            recordsRead.add(read.looked);
            lost[0] = read.lostFrom;
            lost[1] = read.lostTo;
        }
    }

    /**
     * Where {@code tail=n} starts in the journal: the id after which the newest {@code n} events below
     * {@code beforeId} that match {@code filter} begin, so that a resume from it replays exactly them. Reads whole
     * segments, newest first (each forward, and the one that holds the oldest wanted match a second time to find
     * it), and starts no older segment once {@code maxRecords} records were looked at. With fewer matches (or the
     * budget spent) it is the id before the oldest match found; with none, {@code beforeId - 1}. Any thread but an
     * event loop, concurrently with the writer.
     */
    public long tailStart(long beforeId, long n, Predicate<LogEvent> filter, long maxRecords) throws IOException {
        long upTo = Math.min(beforeId - 1, committedId);
        long start = beforeId - 1;
        long found = 0;
        long looked = 0;
        Segment[] all = segments;
        for (int s = all.length - 1; s >= 0 && found < n && looked < maxRecords; s--) {
            long from = all[s].baseId - 1;
            if (from >= upTo) {
                continue;
            }
            long[] firstAndCount = {0, 0};
            looked += scan(from, upTo, filter, e -> {
                if (firstAndCount[1]++ == 0) {
                    firstAndCount[0] = e.id();
                }
            });
            long count = firstAndCount[1];
            if (found + count >= n) {
                // the matches of this range older than the wanted ones come first: skip them
                long skip = count - (n - found);
                long[] seenAndId = {0, 0};
                scan(from, upTo, filter, e -> {
                    if (seenAndId[0]++ == skip) {
                        seenAndId[1] = e.id();
                    }
                });
                return seenAndId[1] > 0 ? seenAndId[1] - 1 : from;
            }
            if (count > 0) {
                found += count;
                start = firstAndCount[0] - 1;
            }
            upTo = from;
        }
        return start;
    }

    /**
     * Passes every committed event in {@code (afterId, upToId]} that matches to {@code sink}; returns about how many
     * records it looked at (ids are consecutive but where a cycle failed).
     */
    private long scan(long afterId, long upToId, Predicate<LogEvent> filter, Consumer<StoredEvent> sink)
            throws IOException {
        long cursor = afterId;
        while (cursor < upToId) {
            long next = read(cursor, upToId, Integer.MAX_VALUE, filter, sink);
            if (next <= cursor) {
                break;
            }
            cursor = next;
        }
        return cursor - afterId;
    }

    Segment[] segmentArray() {
        return segments;
    }

    boolean isClosed() {
        return closed;
    }

    /** Flushes, forces everything to the disk and closes the files. Writer only. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (needsRollback) {
                rollback();
            }
            sync();
            for (Segment segment : segments) {
                if (segment.indexWriter != null) {
                    segment.indexWriter.force(false);
                }
            }
            if (reservedId > lastId) {
                // a clean stop: the next start goes on right after the last id, with no jump
                writeReservation(lastId);
            }
        } finally {
            closeFiles();
        }
    }

    private void closeFiles() throws IOException {
        closed = true;
        for (Segment segment : segments) {
            segment.close();
        }
        for (Segment segment : pendingDeletes) {
            segment.close();
        }
        lock.close();
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("the journal in " + dir + " is closed");
        }
    }

    private void checkWritable() throws IOException {
        checkOpen();
        if (needsRollback) {
            throw new IllegalStateException("the journal failed to write: rollback() first");
        }
    }

    @Override
    public String toString() {
        return "Journal{" + dir + ", ids " + firstId + ".." + lastId + ", committed " + committedId + ", "
                + segments.length + " segments, " + bytes + " bytes}";
    }
}
