package dev.logcast.broker.journal;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.logcast.protocol.journal.JournalCodec;
import dev.logcast.protocol.journal.JournalRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Brings the segment files of a journal directory back to a consistent state when the journal opens, in id order:
 *
 * <ol>
 *   <li>the index is checked against the log: entries must increase, lie inside the log, and the first and last
 *       must point at records with their ids (trailing entries that do not are dropped); a missing or inconsistent
 *       index is rebuilt by scanning the whole segment;</li>
 *   <li>the segment is scanned from its last index entry to its end; the first record with a bad length, a bad
 *       CRC32C, a payload that does not decode, or an id not above the one before marks a torn or corrupt tail,
 *       and the file is truncated there;</li>
 *   <li>index entries for the scanned records that the index file lacks are added; a segment left without records
 *       is deleted.</li>
 * </ol>
 *
 * <p>A record damaged in the middle of a segment (not its tail) is found by the read that reaches it.
 *
 * <p><b>Owner:</b> the thread opening the journal.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final int SCAN_CHUNK_BYTES = 1 << 20;

    private final Path dir;
    private final JournalSettings settings;
    private final FileOpener opener;
    private final RecordReader reader = new RecordReader(SCAN_CHUNK_BYTES);
    final List<Segment> segments = new ArrayList<>();
    long events;
    long truncatedBytes;

    private Recovery(Path dir, JournalSettings settings, FileOpener opener) {
        this.dir = dir;
        this.settings = settings;
        this.opener = opener;
    }

    /** Recovers every segment in {@code dir}; on failure closes what it opened. */
    static Recovery run(Path dir, JournalSettings settings, FileOpener opener) throws IOException {
        Recovery recovery = new Recovery(dir, settings, opener);
        try {
            recovery.recoverAll();
        } catch (IOException | RuntimeException e) {
            for (Segment segment : recovery.segments) {
                segment.close();
            }
            throw e;
        }
        return recovery;
    }

    private void recoverAll() throws IOException {
        TreeMap<Long, Path> logs = new TreeMap<>();
        List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                long logId = Segment.parseName(name, Segment.LOG_SUFFIX);
                if (logId >= 0) {
                    logs.put(logId, file);
                } else if (Segment.parseName(name, Segment.INDEX_SUFFIX) >= 0) {
                    indexes.add(file);
                }
            }
        }
        for (Path index : indexes) {
            long id = Segment.parseName(index.getFileName().toString(), Segment.INDEX_SUFFIX);
            if (!logs.containsKey(id)) {
                // retention deletes the log first: an index without its log is what a crash between leaves
                Files.deleteIfExists(index);
            }
        }
        long lastId = 0;
        for (var entry : logs.entrySet()) {
            Path log = entry.getValue();
            Path index = dir.resolve(Segment.fileName(entry.getKey(), Segment.INDEX_SUFFIX));
            Segment segment = recover(log, index, lastId);
            if (segment != null) {
                segments.add(segment);
                events += segment.records;
                lastId = segment.lastId;
            }
        }
    }

    /** Recovers one segment whose records must all be above {@code prevLastId}; {@code null} if none is left. */
    private Segment recover(Path log, Path indexFile, long prevLastId) throws IOException {
        FileChannel channel = opener.open(log, StandardOpenOption.READ);
        try {
            long fileSize = channel.size();
            String rebuildReason = null;
            boolean indexChanged = false;
            SegmentIndex index = new SegmentIndex();
            int onDisk = loadIndex(indexFile, fileSize, prevLastId, index);
            if (onDisk < 0) {
                rebuildReason = onDisk == -1 ? "missing" : "inconsistent with its log";
                index = new SegmentIndex();
            } else {
                indexChanged = onDisk != index.count();
                if (index.count() > 0 && !verify(channel, fileSize, index, 0)) {
                    rebuildReason = "pointing at records it does not describe";
                    index = new SegmentIndex();
                } else {
                    // a crash can leave entries whose records never reached the disk: drop them from the end
                    while (index.count() > 1 && !verify(channel, fileSize, index, index.count() - 1)) {
                        index.truncate(index.count() - 1);
                        indexChanged = true;
                    }
                }
            }
            int startEntry = index.count() - 1;
            int entriesBeforeScan = index.count();
            Scan scan = scan(channel, fileSize, index, startEntry, prevLastId);
            indexChanged |= index.count() != entriesBeforeScan;

            String name = log.getFileName().toString();
            if (scan.damage != null) {
                long dropped = fileSize - scan.validEnd;
                truncatedBytes += dropped;
                LOG.log(System.Logger.Level.WARNING, "journal segment " + name + ": dropped its last " + dropped
                        + " bytes from offset " + scan.validEnd + " (" + scan.damage + "); the last record kept is "
                        + (scan.records == 0 ? "none" : Long.toUnsignedString(scan.lastId)));
            }
            if (scan.records == 0) {
                channel.close();
                Files.deleteIfExists(log);
                Files.deleteIfExists(indexFile);
                return null;
            }
            if (scan.validEnd < fileSize) {
                try (FileChannel writer = opener.open(log, StandardOpenOption.WRITE)) {
                    writer.truncate(scan.validEnd);
                    writer.force(false);
                }
            }
            if (rebuildReason != null) {
                LOG.log(System.Logger.Level.WARNING, "journal segment " + name + ": index " + rebuildReason
                        + ", rebuilt from the log (" + index.count() + " entries)");
            } else if (indexChanged) {
                LOG.log(System.Logger.Level.INFO, "journal segment " + name + ": index brought up to date with the"
                        + " log (" + onDisk + " entries on disk, " + index.count() + " now)");
            }
            if (rebuildReason != null || indexChanged) {
                writeIndex(indexFile, index);
            }
            Segment segment = Segment.existing(index.id(0), log, indexFile, index, channel, scan.validEnd, opener);
            segment.records = scan.records;
            segment.lastId = scan.lastId;
            segment.newestReceivedMillis = scan.newestReceivedMillis;
            return segment;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Loads the index file's entries that lie inside the log into {@code index}.
     *
     * @return the number of whole entries the file held, -1 when it is missing, -2 when it is inconsistent
     */
    private static int loadIndex(Path indexFile, long logSize, long prevLastId, SegmentIndex index)
            throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(indexFile);
        } catch (NoSuchFileException e) {
            return -1;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int entries = bytes.length / SegmentIndex.ENTRY_BYTES;
        long prevId = prevLastId;
        long prevOffset = -1;
        int prevOrdinal = -1;
        for (int i = 0; i < entries; i++) {
            long id = SegmentIndex.readId(in, i);
            long offset = SegmentIndex.readOffset(in, i);
            int ordinal = SegmentIndex.readOrdinal(in, i);
            if (offset >= logSize) {
                // the log is shorter than its index (its tail never reached the disk): the entries past its end
                // describe nothing, and all of them must be past it
                for (int j = i + 1; j < entries; j++) {
                    if (SegmentIndex.readOffset(in, j) < logSize) {
                        return -2;
                    }
                }
                break;
            }
            boolean consistent = i == 0 ? offset == 0 && ordinal == 0 && id > prevId
                    : id > prevId && offset > prevOffset && ordinal > prevOrdinal;
            if (!consistent) {
                return -2;
            }
            index.add(id, offset, ordinal);
            prevId = id;
            prevOffset = offset;
            prevOrdinal = ordinal;
        }
        return bytes.length % SegmentIndex.ENTRY_BYTES == 0 ? entries : entries + 1;
    }

    /** Whether index entry {@code entry} points at an intact record with its id. */
    private boolean verify(FileChannel channel, long fileSize, SegmentIndex index, int entry) throws IOException {
        reader.reset(channel, index.offset(entry), fileSize);
        if (reader.next() != RecordReader.OK) {
            return false;
        }
        try {
            return JournalCodec.peekId(reader.buffer(), reader.payloadStart(), reader.payloadLength())
                    == index.id(entry);
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    private record Scan(long validEnd, int records, long lastId, long newestReceivedMillis, String damage) {
    }

    /**
     * Scans from index entry {@code startEntry} (-1: from the start of the file) to the end, adding index entries
     * for the records after it.
     */
    private Scan scan(FileChannel channel, long fileSize, SegmentIndex index, int startEntry, long prevLastId)
            throws IOException {
        long position = startEntry < 0 ? 0 : index.offset(startEntry);
        int ordinal = startEntry < 0 ? 0 : index.ordinal(startEntry);
        long prevId = startEntry < 0 ? prevLastId : index.id(startEntry) - 1;
        long lastIndexed = startEntry < 0 ? -1 : position;
        long newestReceived = 0;
        String damage = null;
        reader.reset(channel, position, fileSize);
        int status;
        while ((status = reader.next()) == RecordReader.OK) {
            JournalRecord record;
            try {
                record = JournalCodec.parse(reader.buffer(), reader.payloadStart(), reader.payloadLength());
                JournalCodec.toEvent(record);
            } catch (InvalidProtocolBufferException e) {
                damage = "a record does not decode: " + e.getMessage();
                break;
            }
            long id = record.getId();
            if (id <= prevId) {
                damage = "record id " + Long.toUnsignedString(id) + " does not follow "
                        + Long.toUnsignedString(prevId);
                break;
            }
            long at = reader.recordOffset();
            if (at != lastIndexed && (lastIndexed < 0 || at - lastIndexed >= settings.indexEveryBytes())) {
                index.add(id, at, ordinal);
                lastIndexed = at;
            }
            prevId = id;
            ordinal++;
            newestReceived = Math.max(newestReceived, record.getReceivedMillis());
        }
        if (damage == null && status != RecordReader.END && status != RecordReader.OK) {
            damage = RecordReader.describe(status);
        }
        long validEnd = damage == null ? fileSize : reader.recordOffset();
        return new Scan(validEnd, ordinal, prevId, newestReceived, damage);
    }

    private void writeIndex(Path indexFile, SegmentIndex index) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(index.count() * SegmentIndex.ENTRY_BYTES);
        for (int i = 0; i < index.count(); i++) {
            index.write(i, out);
        }
        out.flip();
        try (FileChannel writer = opener.open(indexFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Segment.writeFully(writer, out, 0);
            writer.force(false);
        }
    }
}
