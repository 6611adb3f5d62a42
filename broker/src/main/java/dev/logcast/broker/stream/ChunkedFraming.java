package dev.logcast.broker.stream;

import dev.logcast.broker.core.SseFrames;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.CharsetUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Frames an HTTP/1.1 stream's body in chunks (RFC 9112 §7.1): every buffer written becomes one chunk (its size line,
 * its bytes, CRLF: copied into one buffer when small, else three buffers with the bytes untouched), and a close ends
 * the body with the last chunk first. A client that reads the body through a fixed-size buffer (Python's
 * {@code requests} reads 512 bytes, {@code sseclient} 1,024) gets each chunk as it arrives; from a body that only the
 * close ends it would get nothing until its buffer filled, which a quiet stream's heartbeats take minutes to do.
 *
 * <p>After the stream's encoders (gzip frames the compressed bytes), before TLS:
 * <pre>
 * p.addLast("closed-by-client", ...);
 * p.addLast("chunked", ChunkedFraming.INSTANCE);   // this handler; HTTP/1.1 only
 * p.addLast("zlib", new JdkZlibEncoder(GZIP));     // only with Content-Encoding: gzip
 * p.addLast("stream", new StreamHandler(subscriber));
 * </pre>
 * A stream that is cut off (the overflow's forced close goes straight to the transport) ends without the last chunk,
 * which tells its client that the body was cut short. Stateless and shared.
 */
@ChannelHandler.Sharable
final class ChunkedFraming extends ChannelOutboundHandlerAdapter {
    static final ChunkedFraming INSTANCE = new ChunkedFraming();
    static final String NAME = "chunked";
    static final long LAST_CHUNK_WAIT_MS = 2_000;
    /**
     * A write of at most this many bytes is copied into its chunk; a larger one (a batch of many events) is written
     * as it is, between its size line and CRLF, as three buffers: copying a few frames costs less than two more
     * entries in the outbound buffer and the socket's write, copying many costs more.
     */
    static final int COPY_MAX_BYTES = 2048;

    private static final ByteBuf CRLF = SseFrames.constant("\r\n");
    private static final ByteBuf LAST_CHUNK = SseFrames.constant("0\r\n\r\n");
    private static final byte[] HEX = "0123456789abcdef".getBytes(CharsetUtil.US_ASCII);

    private ChunkedFraming() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf buf) || !buf.isReadable()) {
            // an empty buffer stays empty: as a chunk it would be the last one
            ctx.write(msg, promise);
            return;
        }
        int size = buf.readableBytes();
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4);
        if (size <= COPY_MAX_BYTES) {
            // a few frames: copied into one buffer with their framing, one entry in the outbound buffer, not three
            ByteBuf chunk = sizeLine(ctx.alloc().ioBuffer(digits + 2 + size + 2), size, digits);
            chunk.writeBytes(buf, buf.readerIndex(), size).writeByte('\r').writeByte('\n');
            buf.release();
            ctx.write(chunk, promise);
        } else {
            ctx.write(sizeLine(ctx.alloc().ioBuffer(digits + 2), size, digits), ctx.voidPromise());
            ctx.write(buf, ctx.voidPromise());
            ctx.write(CRLF.duplicate(), promise);
        }
    }

    /** Writes {@code <size in hex>\r\n} to {@code out}. */
    private static ByteBuf sizeLine(ByteBuf out, int size, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(size >>> shift) & 0xF]);
        }
        return out.writeByte('\r').writeByte('\n');
    }

    /**
     * Ends the body with the last chunk, then closes once the socket took it, or after {@value #LAST_CHUNK_WAIT_MS}
     * ms (a client that does not read is not waited for). The encoders before this one have written what they still
     * held (the gzip trailer) by now.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!ctx.channel().isActive()) {
            ctx.close(promise);
            return;
        }
        ChannelFuture written = ctx.writeAndFlush(LAST_CHUNK.duplicate());
        if (written.isDone()) {
            ctx.close(promise);
            return;
        }
        Future<?> timeout = ctx.executor().schedule(() -> closeOnce(ctx, promise), LAST_CHUNK_WAIT_MS,
                TimeUnit.MILLISECONDS);
        written.addListener(f -> {
            timeout.cancel(false);
            closeOnce(ctx, promise);
        });
    }

    private static void closeOnce(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!promise.isDone()) {
            ctx.close(promise);
        }
    }

    /** Whether {@code buf}'s bytes from index 0 are exactly a size line this handler writes. */
    static boolean isSizeLine(ByteBuf buf) {
        int end = buf.writerIndex();
        if (end < 3 || buf.getByte(end - 2) != '\r' || buf.getByte(end - 1) != '\n') {
            return false;
        }
        for (int i = 0; i < end - 2; i++) {
            byte b = buf.getByte(i);
            if (!(b >= '0' && b <= '9' || b >= 'a' && b <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the data of the whole chunk that {@code buf}'s bytes from index 0 are (size line, data, CRLF) starts, or
     * -1 when they are not exactly one chunk.
     */
    static int wholeChunkData(ByteBuf buf) {
        int end = buf.writerIndex();
        int size = 0;
        int i = 0;
        for (; i < end && i < 8; i++) {
            int digit = Character.digit(buf.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            size = size << 4 | digit;
        }
        if (i == 0 || i + 2 > end || buf.getByte(i) != '\r' || buf.getByte(i + 1) != '\n') {
            return -1;
        }
        int data = i + 2;
        if (size == 0 || data + size + 2 != end || buf.getByte(end - 2) != '\r' || buf.getByte(end - 1) != '\n') {
            return -1;
        }
        return data;
    }

    /** Whether {@code buf}'s bytes from index 0 are exactly the CRLF that ends a chunk. */
    static boolean isChunkEnd(ByteBuf buf) {
        return buf.writerIndex() == 2 && buf.getByte(0) == '\r' && buf.getByte(1) == '\n';
    }
}
