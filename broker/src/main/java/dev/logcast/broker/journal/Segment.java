package dev.logcast.broker.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * One segment of the journal: {@code <firstId>.log} (the records) and {@code <firstId>.idx} (its
 * {@link SegmentIndex}), the first id written with 20 digits so that names sort like ids.
 *
 * <p><b>Owner:</b> the journal's writer thread owns the write channels and the size fields. Readers on any thread
 * use {@link #readChannel()}, {@link #readLimit} and {@link #index}; the read channel is kept open for the
 * segment's life and reopened if a reader's interrupt closed it.
 */
final class Segment {
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".idx";

    /** Id of the first record. */
    final long baseId;
    final Path logPath;
    final Path indexPath;
    final SegmentIndex index;
    private final FileOpener opener;
    private volatile FileChannel readChannel;
    /** Set (before the channels close) when retention or a rollback removes the segment. */
    private volatile boolean deleted;
    /** Set when the journal closes. Guarded by {@code this}. */
    private boolean closed;

    /** Bytes readers may read: records up to the journal's committed id. */
    volatile long readLimit;

    // writer thread
    FileChannel logWriter;
    FileChannel indexWriter;
    /** Bytes appended, the journal's unwritten buffer included. */
    long size;
    /** Bytes handed to the OS. */
    long flushedSize;
    /** Bytes forced to the disk. */
    long syncedSize;
    int records;
    long lastId;
    long newestReceivedMillis;
    long lastIndexedOffset = -1;
    /** Index entries written to the index file. */
    int flushedEntries;

    private Segment(long baseId, Path logPath, Path indexPath, SegmentIndex index, FileOpener opener) {
        this.baseId = baseId;
        this.logPath = logPath;
        this.indexPath = indexPath;
        this.index = index;
        this.opener = opener;
    }

    static String fileName(long firstId, String suffix) {
        return String.format(Locale.ROOT, "%020d", firstId) + suffix;
    }

    /** The first id in a segment's file name, or -1 when the name is not a segment's. */
    static long parseName(String fileName, String suffix) {
        if (fileName.length() != 20 + suffix.length() || !fileName.endsWith(suffix)) {
            return -1;
        }
        long id = 0;
        for (int i = 0; i < 20; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9' || id > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            id = id * 10 + (c - '0');
        }
        return id;
    }

    /** Creates a new, empty segment for records from {@code firstId} on, open for appending. */
    static Segment create(Path dir, long firstId, FileOpener opener) throws IOException {
        Segment segment = new Segment(firstId, dir.resolve(fileName(firstId, LOG_SUFFIX)),
                dir.resolve(fileName(firstId, INDEX_SUFFIX)), new SegmentIndex(), opener);
        try {
            // a file of this name can only be left from a segment that a rollback could not delete
            segment.logWriter = opener.open(segment.logPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            segment.indexWriter = opener.open(segment.indexPath, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            segment.readChannel = opener.open(segment.logPath, StandardOpenOption.READ);
        } catch (IOException | RuntimeException e) {
            segment.closeQuietly();
            throw e;
        }
        return segment;
    }

    /**
     * An existing segment that recovery checked: {@code baseId} is its first record's id, {@code readChannel} the
     * channel recovery read it with (the segment now owns it), {@code size} its valid length.
     */
    static Segment existing(long baseId, Path logPath, Path indexPath, SegmentIndex index, FileChannel readChannel,
                            long size, FileOpener opener) {
        Segment segment = new Segment(baseId, logPath, indexPath, index, opener);
        segment.readChannel = readChannel;
        segment.size = size;
        segment.flushedSize = size;
        segment.syncedSize = size;
        segment.readLimit = size;
        segment.flushedEntries = index.count();
        segment.lastIndexedOffset = index.count() == 0 ? -1 : index.offset(index.count() - 1);
        return segment;
    }

    String name() {
        return logPath.getFileName().toString();
    }

    boolean deleted() {
        return deleted;
    }

    /** The channel readers share. Any thread. */
    FileChannel readChannel() throws ClosedChannelException {
        FileChannel channel = readChannel;
        if (channel == null) {
            throw new ClosedChannelException();
        }
        return channel;
    }

    /**
     * After a reader found {@code broken} closed: if the segment is still in the journal, opens a new read channel
     * (a reader thread's interrupt closes a {@link FileChannel} for everyone). Any thread.
     *
     * @return {@code false} when the segment was deleted or the journal closed
     */
    synchronized boolean reopenReadChannel(FileChannel broken) throws IOException {
        if (deleted || closed) {
            return false;
        }
        if (readChannel == broken || readChannel == null || !readChannel.isOpen()) {
            readChannel = opener.open(logPath, StandardOpenOption.READ);
        }
        return true;
    }

    /** Opens the write channels if they are closed (the active segment, or the one a rollback returns to). */
    void openForAppend() throws IOException {
        if (logWriter == null) {
            logWriter = opener.open(logPath, StandardOpenOption.WRITE);
        }
        if (indexWriter == null) {
            indexWriter = opener.open(indexPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    /** Writes the index entries not yet in the index file. Writer only. */
    void flushIndex(ByteBuffer scratch) throws IOException {
        int n = index.count();
        while (flushedEntries < n) {
            scratch.clear();
            int from = flushedEntries;
            int to = Math.min(n, from + scratch.capacity() / SegmentIndex.ENTRY_BYTES);
            for (int i = from; i < to; i++) {
                index.write(i, scratch);
            }
            scratch.flip();
            writeFully(indexWriter, scratch, (long) from * SegmentIndex.ENTRY_BYTES);
            flushedEntries = to;
        }
    }

    /** Closes the write channels of a sealed, synced segment. Writer only. */
    void closeWriters() throws IOException {
        FileChannel log = logWriter;
        FileChannel idx = indexWriter;
        logWriter = null;
        indexWriter = null;
        try {
            if (log != null) {
                log.close();
            }
        } finally {
            if (idx != null) {
                idx.close();
            }
        }
    }

    /** Marks the segment gone, closes it and deletes its files. Writer only. */
    void delete() throws IOException {
        synchronized (this) {
            deleted = true;
        }
        closeQuietly();
        Files.deleteIfExists(logPath);
        Files.deleteIfExists(indexPath);
    }

    /** Closes every channel; readers then fail with a {@link ClosedChannelException}. */
    void close() {
        synchronized (this) {
            closed = true;
        }
        closeQuietly();
    }

    private void closeQuietly() {
        FileChannel read;
        synchronized (this) {
            read = readChannel;
            readChannel = null;
        }
        for (FileChannel channel : new FileChannel[] {logWriter, indexWriter, read}) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing a file we are done with: nothing to recover
                }
            }
        }
        logWriter = null;
        indexWriter = null;
    }

    static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
