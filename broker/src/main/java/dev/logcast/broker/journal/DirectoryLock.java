package dev.logcast.broker.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The journal directory, created if needed and held with an exclusive lock on its {@code .lock} file, so that two
 * brokers never write one journal. The OS drops the lock when the process dies, SIGKILL included.
 *
 * <p><b>Owner:</b> the journal's writer side.
 */
final class DirectoryLock implements Closeable {
    private static final String LOCK_FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates {@code dir} if needed and locks it; the message of a failure says what is wrong with it. */
    static DirectoryLock acquire(Path dir, FileOpener opener) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create the journal directory " + dir + ": " + e, e);
        }
        FileChannel channel;
        try {
            channel = opener.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new IOException("the journal directory " + dir + " is not writable", e);
        } catch (IOException e) {
            throw new IOException("cannot write in the journal directory " + dir + ": " + e, e);
        }
        try {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                throw new IOException("the journal in " + dir + " is in use by another process");
            }
            return new DirectoryLock(channel, lock);
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new IOException("the journal in " + dir + " is already open in this process", e);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
