package dev.logcast.protocol.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Request bodies in the buffer shapes the broker hands to the decoders; every buffer made here is released. */
final class Bodies {
    /** Where the bytes live: each shape takes another read path in the decoders. */
    enum Kind {
        /** A heap buffer: read through its array. */
        HEAP,
        /** A heap slice with other bytes on both sides: array offset and reader index matter. */
        SLICED,
        /** A direct buffer: one NIO buffer, read through a stream. */
        DIRECT,
        /** A composite of small direct buffers, as an aggregator builds: UTF-8 sequences straddle components. */
        COMPOSITE
    }

    interface Decode<T> {
        T apply(ByteBuf body) throws IngestException;
    }

    private Bodies() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs {@code decode} on {@code bytes} held in a buffer of {@code kind}, checks its indices, releases it. */
    static <T> T decode(byte[] bytes, Kind kind, Decode<T> decode) throws IngestException {
        ByteBuf body = buffer(bytes, kind);
        int readerIndex = body.readerIndex();
        int writerIndex = body.writerIndex();
        try {
            T result = decode.apply(body);
            assertThat(body.readerIndex()).as("reader index").isEqualTo(readerIndex);
            assertThat(body.writerIndex()).as("writer index").isEqualTo(writerIndex);
            return result;
        } finally {
            assertThat(body.release()).as("released").isTrue();
        }
    }

    static <T> T decode(String body, Decode<T> decode) throws IngestException {
        return decode(utf8(body), Kind.HEAP, decode);
    }

    static <T> T decode(byte[] body, Decode<T> decode) throws IngestException {
        return decode(body, Kind.HEAP, decode);
    }

    private static ByteBuf buffer(byte[] bytes, Kind kind) {
        switch (kind) {
            case HEAP:
                return Unpooled.buffer(bytes.length).writeBytes(bytes);
            case SLICED: {
                byte[] padded = new byte[bytes.length + 8];
                System.arraycopy(utf8("[{\"x\":"), 0, padded, 0, 6);
                System.arraycopy(bytes, 0, padded, 6, bytes.length);
                padded[bytes.length + 6] = ']';
                padded[bytes.length + 7] = ']';
                return Unpooled.wrappedBuffer(padded).slice(6, bytes.length);
            }
            case DIRECT: {
                ByteBuf direct = Unpooled.directBuffer(bytes.length);
                return direct.writeBytes(bytes);
            }
            case COMPOSITE: {
                CompositeByteBuf composite = Unpooled.compositeBuffer(Integer.MAX_VALUE);
                int chunk = Math.max(3, bytes.length / 64);
                for (int i = 0; i < bytes.length; i += chunk) {
                    int n = Math.min(chunk, bytes.length - i);
                    composite.addComponent(true, Unpooled.directBuffer(n).writeBytes(bytes, i, n));
                }
                return composite;
            }
            default:
                throw new AssertionError(kind);
        }
    }
}
