package dev.logcast.broker.journal;

import dev.logcast.protocol.LogEvent;
import dev.logcast.protocol.journal.JournalCodec;
import dev.logcast.protocol.journal.JournalRecord;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One {@link Journal#read}: finds the segment holding the first id wanted (binary search over the segments' first
 * ids), seeks to the nearest {@link SegmentIndex} entry at or before it, and reads on with positional reads, up to
 * the committed end, segment after segment. A segment that retention deletes under the read (its channel closes)
 * sends it back to the oldest segment left; a channel closed by another reader's interrupt is reopened. Ids that
 * retention deleted before the read got to them are {@linkplain #lose lost}, like damaged ones.
 *
 * <p><b>Owner:</b> the reading thread; one per read.
 */
final class JournalReader {
    private static final System.Logger LOG = System.getLogger(Journal.class.getName());
    private static final int READ_CHUNK_BYTES = 64 << 10;
    private static final int NEXT_SEGMENT = 0;
    private static final int DONE = 1;
    private static final int RESTART = 2;
    /** The segment is damaged from some offset to its end: what it holds after there cannot be read. */
    private static final int DAMAGED_TO_END = 3;

    private final Journal journal;
    private final long upToId;
    private final int maxEvents;
    private final Predicate<LogEvent> filter;
    private final Consumer<StoredEvent> sink;
    /** The read stops once the records passed to the sink come to this many bytes (the last may go over). */
    private final long maxBytes;
    private long matchedBytes;
    private final RecordReader reader = new RecordReader(READ_CHUNK_BYTES);
    private long cursor;
    private long upTo;
    private int matched;
    private int scanned;
    /** Records looked at, those skipped on the way to the first wanted one included. */
    long looked;
    /**
     * Ids this read passed without being able to read them (a damaged stretch of a segment, a segment missing
     * between two others): {@code lostFrom..lostTo}, 0 if none. Only before the first match, or merged with a
     * range found before it while nothing matched in between, so that a reader who shows it as a gap before this
     * read's events shows it in order.
     */
    long lostFrom;
    long lostTo;

    JournalReader(Journal journal, long afterId, long upToId, int maxEvents, long maxBytes, Predicate<LogEvent> filter,
                  Consumer<StoredEvent> sink) {
        this.maxBytes = maxBytes;
        this.journal = journal;
        this.cursor = afterId;
        this.upToId = upToId;
        this.maxEvents = maxEvents;
        this.filter = filter;
        this.sink = sink;
    }

    /** Runs the read; returns the id of the last record passed or looked at past {@code afterId}. */
    long read() throws IOException {
        while (true) {
            if (journal.isClosed()) {
                throw new ClosedChannelException();
            }
            // the segments before the committed id: those that held the committed id then are still in this
            // array, so a read that started below it makes progress even when retention deletes everything older;
            // after a restart, what was committed meanwhile is readable too
            Segment[] segments = journal.segmentArray();
            upTo = Math.min(upToId, journal.committedId());
            int first = floorSegment(segments, cursor + 1);
            if (first < 0) {
                // retention deleted what comes next (before this read or under it): those ids are lost to it, not
                // skipped in silence, so that its reader can show the gap
                long end = segments.length == 0 ? upTo : Math.min(upTo, segments[0].baseId - 1);
                if (!lose(cursor + 1, end)) {
                    return cursor;
                }
            }
            int outcome = NEXT_SEGMENT;
            for (int s = Math.max(first, 0); s < segments.length && outcome == NEXT_SEGMENT; s++) {
                if (segments[s].baseId > upTo) {
                    return cursor;
                }
                if (s > first && first >= 0 && segments[s].baseId > cursor + 1
                        && !lose(cursor + 1, segments[s].baseId - 1)) {
                    // a segment is missing before this one (or a failed cycle's ids end the one before)
                    return cursor;
                }
                outcome = scan(segments[s], s == first);
                if (outcome == DAMAGED_TO_END) {
                    long end = s + 1 < segments.length ? Math.min(upTo, segments[s + 1].baseId - 1) : upTo;
                    if (!lose(cursor + 1, end)) {
                        return cursor;
                    }
                    outcome = NEXT_SEGMENT;
                }
            }
            if (outcome != RESTART) {
                return cursor;
            }
        }
    }

    /**
     * Reads one segment from its start or, with {@code seek}, from the index entry before the cursor. A damaged
     * record in the committed part (recovery checks only the newest segment's tail) is skipped to the next index
     * entry after it, its ids {@linkplain #lose lost}; with no entry after it, {@link #DAMAGED_TO_END}.
     */
    private int scan(Segment segment, boolean seek) throws IOException {
        long limit = segment.readLimit;
        int entry = seek ? segment.index.floor(cursor + 1) : -1;
        long expectedId = entry < 0 ? -1 : segment.index.id(entry);
        long start = entry < 0 ? 0 : segment.index.offset(entry);
        if (expectedId > upTo || start >= limit) {
            // an entry past the committed end, which a rollback may be rewriting: start from the segment's start
            expectedId = -1;
            start = 0;
        }
        FileChannel channel = null;
        try {
            channel = segment.readChannel();
            reader.reset(channel, start, limit);
            while (true) {
                int status;
                while ((status = reader.next()) == RecordReader.OK) {
                    looked++;
                    byte[] buffer = reader.buffer();
                    long id = JournalCodec.peekId(buffer, reader.payloadStart(), reader.payloadLength());
                    if (expectedId >= 0) {
                        if (id != expectedId) {
                            // the index disagrees with the log: read this segment from its start
                            LOG.log(System.Logger.Level.WARNING, "journal segment " + segment
                                    + ": index entry for id " + expectedId + " points at id " + id);
                            expectedId = -1;
                            reader.reset(channel, 0, limit);
                            continue;
                        }
                        expectedId = -1;
                    }
                    if (id <= cursor) {
                        continue;
                    }
                    if (id > upTo) {
                        return DONE;
                    }
                    JournalRecord record = JournalCodec.parse(buffer, reader.payloadStart(), reader.payloadLength());
                    LogEvent event = JournalCodec.toEvent(record);
                    cursor = id;
                    scanned++;
                    if (filter.test(event)) {
                        sink.accept(new StoredEvent(id, record.getReceivedMillis(), event));
                        matchedBytes += reader.payloadLength();
                        if (++matched >= maxEvents || matchedBytes >= maxBytes) {
                            return DONE;
                        }
                    }
                    if (scanned >= Journal.SCAN_LIMIT) {
                        return DONE;
                    }
                }
                if (status == RecordReader.END) {
                    return NEXT_SEGMENT;
                }
                // damage in the committed part: go on at the next index entry after it, the ids between are lost
                long damagedAt = reader.recordOffset();
                journal.reportDamage(segment, damagedAt, RecordReader.describe(status));
                int next = segment.index.after(damagedAt);
                if (next < 0 || segment.index.offset(next) >= limit || segment.index.id(next) > upTo) {
                    return DAMAGED_TO_END;
                }
                long nextId = segment.index.id(next);
                if (nextId <= cursor) {
                    // the index points back at what was read: nothing to skip to
                    return DAMAGED_TO_END;
                }
                if (!lose(cursor + 1, nextId - 1)) {
                    return DONE;
                }
                reader.reset(channel, segment.index.offset(next), limit);
                expectedId = nextId;
            }
        } catch (ClosedChannelException e) {
            if (journal.isClosed()) {
                throw e;
            }
            if (segment.deleted()) {
                // retention removed it: go on from the oldest segment left
                return RESTART;
            }
            boolean interrupted = Thread.currentThread().isInterrupted();
            if (!segment.reopenReadChannel(channel) && !segment.deleted()) {
                throw e;
            }
            if (interrupted) {
                InterruptedIOException stop = new InterruptedIOException("journal read interrupted");
                stop.initCause(e);
                throw stop;
            }
            return RESTART;
        }
    }

    /**
     * Ids {@code from..to} cannot be read. Before any match of this read they are noted ({@link #lostFrom}, merged
     * with an earlier range: nothing matched between them) and the cursor moves past them; returns {@code false}
     * (the cursor stays) once something matched, so that the next read starts with them.
     */
    private boolean lose(long from, long to) {
        if (to < from) {
            return true;
        }
        if (matched > 0) {
            return false;
        }
        if (lostFrom == 0) {
            lostFrom = from;
        }
        lostTo = to;
        cursor = to;
        return true;
    }

    /** The last segment whose first id is at most {@code id}, or -1 when {@code id} is before them all. */
    private static int floorSegment(Segment[] segments, long id) {
        int lo = 0;
        int hi = segments.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (segments[mid].baseId <= id) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }
}
