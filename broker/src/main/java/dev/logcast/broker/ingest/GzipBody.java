package dev.logcast.broker.ingest;

import dev.logcast.protocol.ingest.IngestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Inflates a gzip request body (RFC 1952, members concatenated) with the JDK's {@link GZIPInputStream}, stopping
 * as soon as the output passes the body limit: a gzip bomb costs at most {@code maxBytes} of memory and the time
 * to inflate them. Stateless.
 */
final class GzipBody {
    private GzipBody() {
    }

    /**
     * The JDK's stream, which ends quietly where the bytes after a member are not another member: it is told
     * whether any such bytes were left. At its end the inflater still counts the last member's 8-byte trailer (read
     * past it, from the same buffer) among its remaining input; anything beyond that, or still in the source, follows
     * the trailer.
     */
    private static final class Members extends GZIPInputStream {
        private static final int TRAILER_BYTES = 8;
        private final InputStream source;

        Members(InputStream source) throws IOException {
            super(source, 8192);
            this.source = source;
        }

        /** After the end of the stream: whether bytes followed the last member. */
        boolean bytesAfterTheEnd() throws IOException {
            return inf.getRemaining() > TRAILER_BYTES || source.available() > 0;
        }
    }

    /** The inflated body (the caller releases it). */
    static ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed, long maxBytes) throws IngestException {
        ByteBuf out = alloc.buffer((int) Math.min(maxBytes + 1, Math.max(1024, compressed.readableBytes() * 4L)));
        boolean ok = false;
        try (Members in = new Members(new ByteBufInputStream(compressed.duplicate()))) {
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (out.readableBytes() + (long) n > maxBytes) {
                    throw IngestException.tooLarge(null,
                            "request body is larger than " + maxBytes + " bytes after decompression");
                }
                out.writeBytes(chunk, 0, n);
            }
            if (in.bytesAfterTheEnd()) {
                throw IngestException.badRequest(null, "gzip body has bytes after its last member");
            }
            ok = true;
            return out;
        } catch (EOFException e) {
            throw IngestException.badRequest(null, "gzip body is truncated");
        } catch (ZipException e) {
            throw IngestException.badRequest(null, "body is not valid gzip: " + e.getMessage());
        } catch (IOException e) {
            throw IngestException.badRequest(null, "cannot read gzip body: " + e.getMessage());
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }
}
