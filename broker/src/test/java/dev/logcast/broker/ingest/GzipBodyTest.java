package dev.logcast.broker.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.logcast.protocol.ingest.IngestException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipBodyTest {
    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @Test
    void inflatesAndLeavesTheCompressedBufferAsItWas() throws Exception {
        ByteBuf compressed = Unpooled.wrappedBuffer(gzip(bytes("{\"msg\":\"hi\"}")));
        int readerIndex = compressed.readerIndex();

        ByteBuf plain = GzipBody.inflate(ALLOC, compressed, 1024);

        assertThat(plain.toString(StandardCharsets.UTF_8)).isEqualTo("{\"msg\":\"hi\"}");
        assertThat(compressed.readerIndex()).isEqualTo(readerIndex);
        assertThat(compressed.refCnt()).isEqualTo(1);
        plain.release();
        compressed.release();
    }

    @Test
    void inflatedExactlyAtTheLimitIsFine() throws Exception {
        ByteBuf compressed = Unpooled.wrappedBuffer(gzip(new byte[4096]));

        ByteBuf plain = GzipBody.inflate(ALLOC, compressed, 4096);

        assertThat(plain.readableBytes()).isEqualTo(4096);
        plain.release();
        compressed.release();
    }

    @Test
    void oneByteOverTheLimitIs413() throws Exception {
        ByteBuf compressed = Unpooled.wrappedBuffer(gzip(new byte[4097]));

        assertThatThrownBy(() -> GzipBody.inflate(ALLOC, compressed, 4096))
                .isInstanceOfSatisfying(IngestException.class, e -> {
                    assertThat(e.status()).isEqualTo(413);
                    assertThat(e.index()).isNull();
                });
        compressed.release();
    }

    @Test
    void bombStopsAtTheLimitQuickly() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) {
                gz.write(zeros);
            }
        }
        ByteBuf compressed = Unpooled.wrappedBuffer(out.toByteArray());
        long t0 = System.nanoTime();

        assertThatThrownBy(() -> GzipBody.inflate(ALLOC, compressed, 1 << 20))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(413));
        assertThat(System.nanoTime() - t0).as("nanos to refuse 256 MiB").isLessThan(2_000_000_000L);
        compressed.release();
    }

    @Test
    void concatenatedMembersAreOneBody() throws Exception {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(gzip(bytes("{\"msg\":\"a\"}\n")));
        both.writeBytes(gzip(bytes("{\"msg\":\"b\"}\n")));
        ByteBuf compressed = Unpooled.wrappedBuffer(both.toByteArray());

        ByteBuf plain = GzipBody.inflate(ALLOC, compressed, 1024);

        assertThat(plain.toString(StandardCharsets.UTF_8)).isEqualTo("{\"msg\":\"a\"}\n{\"msg\":\"b\"}\n");
        plain.release();
        compressed.release();
    }

    @Test
    void truncatedGzipIs400() throws Exception {
        byte[] whole = gzip(bytes("{\"msg\":\"a fairly long message to cut\"}"));
        ByteBuf compressed = Unpooled.wrappedBuffer(Arrays.copyOf(whole, whole.length - 6));

        assertThatThrownBy(() -> GzipBody.inflate(ALLOC, compressed, 1024))
                .isInstanceOfSatisfying(IngestException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.error()).contains("truncated");
                });
        compressed.release();
    }

    @Test
    void notGzipIs400() {
        ByteBuf compressed = Unpooled.copiedBuffer("{\"msg\":\"plain\"}", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> GzipBody.inflate(ALLOC, compressed, 1024))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(400));
        compressed.release();
    }

    @Test
    void corruptDeflateDataIs400() throws Exception {
        byte[] body = gzip(bytes("{\"msg\":\"will be corrupted in the middle\"}"));
        for (int i = 12; i < body.length - 8; i++) {
            body[i] = (byte) 0xff;
        }
        ByteBuf compressed = Unpooled.wrappedBuffer(body);

        assertThatThrownBy(() -> GzipBody.inflate(ALLOC, compressed, 1024))
                .isInstanceOfSatisfying(IngestException.class, e -> assertThat(e.status()).isEqualTo(400));
        compressed.release();
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
