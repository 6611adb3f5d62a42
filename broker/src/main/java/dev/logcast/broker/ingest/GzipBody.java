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

    /** The inflated body (the caller releases it). */
    static ByteBuf inflate(ByteBufAllocator alloc, ByteBuf compressed, long maxBytes) throws IngestException {
        ByteBuf out = alloc.buffer((int) Math.min(maxBytes + 1, Math.max(1024, compressed.readableBytes() * 4L)));
        boolean ok = false;
        try (InputStream in = new GZIPInputStream(new ByteBufInputStream(compressed.duplicate()), 8192)) {
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = in.read(chunk)) > 0) {
                if (out.readableBytes() + (long) n > maxBytes) {
                    throw IngestException.tooLarge(null,
                            "request body is larger than " + maxBytes + " bytes after decompression");
                }
                out.writeBytes(chunk, 0, n);
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
