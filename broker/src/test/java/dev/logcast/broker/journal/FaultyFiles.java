package dev.logcast.broker.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/** Files whose writes, fsyncs and creations fail on demand, like a full or failing disk. */
final class FaultyFiles implements FileOpener {
    /** Bytes writes may still put on the disk before they fail; -1: no limit. */
    volatile long writeBudget = -1;
    volatile boolean failForce;
    volatile boolean failCreate;
    /** Opening a file whose name ends so for writing fails (a read-only file). */
    volatile String failWriteOpenOf;
    final AtomicInteger forces = new AtomicInteger();
    /** Runs at the start of every fsync, on the fsyncing thread (a slow disk); {@code null}: none. */
    volatile Runnable beforeForce;
    /** Runs before every positional write, on the writing thread; {@code null}: none. */
    volatile Runnable beforeWrite;

    void heal() {
        writeBudget = -1;
        failForce = false;
        failCreate = false;
        failWriteOpenOf = null;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        if (failCreate && Arrays.asList(options).contains(StandardOpenOption.CREATE)) {
            throw new java.nio.file.AccessDeniedException(path.toString(), null, "injected: read-only directory");
        }
        String suffix = failWriteOpenOf;
        if (suffix != null && path.toString().endsWith(suffix)
                && Arrays.asList(options).contains(StandardOpenOption.WRITE)) {
            throw new java.nio.file.AccessDeniedException(path.toString());
        }
        return new Channel(FileChannel.open(path, options));
    }

    private final class Channel extends FileChannel {
        private final FileChannel file;

        Channel(FileChannel file) {
            this.file = file;
        }

        private int allowed(ByteBuffer src) throws IOException {
            long budget = writeBudget;
            if (budget < 0) {
                return src.remaining();
            }
            if (budget == 0) {
                throw new IOException("injected: No space left on device");
            }
            int n = (int) Math.min(budget, src.remaining());
            writeBudget = budget - n;
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            Runnable hook = beforeWrite;
            if (hook != null) {
                hook.run();
            }
            int n = allowed(src);
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n);
            int written = file.write(part, position);
            src.position(src.position() + written);
            return written;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = allowed(src);
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n);
            int written = file.write(part);
            src.position(src.position() + written);
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            Runnable hook = beforeForce;
            if (hook != null) {
                hook.run();
            }
            if (failForce) {
                throw new IOException("injected: fsync failed (EIO)");
            }
            forces.incrementAndGet();
            file.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return file.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return file.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return file.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return file.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            file.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return file.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            file.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return file.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return file.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return file.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            file.close();
        }
    }
}
